"""Caseload configuration: where a worker works (territory) and a team's caseload target.

Languages a worker speaks are already on the account (`accounts.User.languages_spoken`, free text such as
"English, Spanish"); the suggestion parses it, so this app stores only what the account lacks.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from puente.accounts.models import Team, TenantModel


class WorkerProfile(TenantModel):
    """A social worker's territory: the counties they cover for visits (used by the assignment suggestion)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="caseload_profile")
    counties = models.CharField(
        _("counties covered"), max_length=300, blank=True, help_text=_("Comma-separated, e.g. Bernalillo, Sandoval")
    )

    class Meta:
        indexes = [models.Index(fields=["organization", "user"], name="workerprofile_org_user")]

    def __str__(self) -> str:
        return f"{self.user}: {self.counties}"


class CaseloadTarget(TenantModel):
    """A team's target caseload (acuity-weighted patients per worker). Without one, workload.DEFAULT_TARGETS."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="caseload_target")
    low = models.PositiveIntegerField(_("at least"), null=True, blank=True)
    high = models.PositiveIntegerField(_("at most"), null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organization", "team"], name="caseloadtarget_org_team")]

    def __str__(self) -> str:
        return f"{self.team}: {self.low}–{self.high}"

    def clean(self) -> None:
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValidationError({"high": _("The upper bound must not be below the lower bound.")})
