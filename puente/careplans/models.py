"""The care plan: goals (in the patient's words) for health concerns, interventions for goals, progress notes on
goals, and plan reviews. Health concerns are `screening.HealthConcern` (the plan's problems).

Every row carries the patient as well as its parent so that each list on the care plan page is one query that
filters on `organization_id` and `patient` directly (no join through a parent, no per-row query).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from puente.accounts.models import Role, TenantModel
from puente.patients.models import Patient
from puente.screening.models import HealthConcern

WRITER_ROLES = (Role.SOCIAL_WORKER, Role.SUPERVISOR)
READER_ROLES = (*WRITER_ROLES, Role.CARE_TEAM)

# The concern statuses the care plan shows (suggested and dismissed stay on the screening pages).
PLAN_CONCERN_STATUSES = (HealthConcern.Status.ACTIVE, HealthConcern.Status.INACTIVE, HealthConcern.Status.RESOLVED)


class CarePlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Rows of patients this user may open, for the roles that read care plans; organization first."""
        if not getattr(user, "is_authenticated", False) or not user.organization_id:
            return self.none()
        if user.role not in READER_ROLES:
            return self.none()
        return self.filter(organization_id=user.organization_id, patient__in=Patient.objects.visible_to(user))


class Goal(TenantModel):
    """What the patient wants to achieve, in their own words, for one health concern (FHIR Goal.addresses)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", pgettext_lazy("goal status", "Proposed")
        ACTIVE = "active", pgettext_lazy("goal status", "Active")
        ACHIEVED = "achieved", pgettext_lazy("goal status", "Achieved")
        NOT_ACHIEVED = "not_achieved", pgettext_lazy("goal status", "Not achieved")
        CANCELLED = "cancelled", pgettext_lazy("goal status", "Cancelled")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    concern = models.ForeignKey(HealthConcern, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("goal, in the patient's words"))
    target_date = models.DateField(_("target date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    objects = CarePlanQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["organization", "patient"], name="goal_org_patient")]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PROPOSED, self.Status.ACTIVE)


class GoalProgress(TenantModel):
    """A dated progress note on a goal, by whom. Append-only: never edited, so it needs no history."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="+")
    noted_on = models.DateField(_("date"))
    text = models.TextField(_("progress"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = CarePlanQuerySet.as_manager()

    class Meta:
        ordering = ["-noted_on", "-created_at"]
        indexes = [models.Index(fields=["organization", "patient"], name="goalprogress_org_patient")]

    def __str__(self) -> str:
        return f"{self.noted_on}: {self.text[:40]}"


class Intervention(TenantModel):
    """Something the team does towards a goal, with who does it and by when.

    A closed-loop referral (`referrals`, a higher app) points at the intervention it carries out; the link lives on
    the referral so that this app does not import the one above it.
    """

    class Kind(models.TextChoices):
        EDUCATION = "education", _("Education")
        COUNSELING = "counseling", _("Counseling")
        REFERRAL = "referral", _("Referral")
        BENEFIT_APPLICATION = "benefit_application", _("Help with a benefit application")
        ADVOCACY_CALL = "advocacy_call", _("Advocacy call")
        TRANSPORT = "transport", _("Transport arranged")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("intervention status", "Planned")
        IN_PROGRESS = "in_progress", pgettext_lazy("intervention status", "In progress")
        COMPLETED = "completed", pgettext_lazy("intervention status", "Completed")
        CANCELLED = "cancelled", pgettext_lazy("intervention status", "Cancelled")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("what will be done"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    objects = CarePlanQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["organization", "patient"], name="intervention_org_patient")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description[:40]}"


class PlanReview(TenantModel):
    """A dated review of the whole plan, by whom, and when the next one is due (hospice: every 15 days).
    Append-only: a later review supersedes it."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    reviewed_on = models.DateField(_("review date"))
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    summary = models.TextField(_("summary"))
    next_review_due = models.DateField(_("next review due"))

    objects = CarePlanQuerySet.as_manager()

    class Meta:
        ordering = ["-reviewed_on", "-created_at"]
        indexes = [
            models.Index(fields=["organization", "patient", "-reviewed_on"], name="planreview_org_patient"),
            # For the hospice clocks: reviews coming due across the organization.
            models.Index(fields=["organization", "next_review_due"], name="planreview_org_due"),
        ]

    def __str__(self) -> str:
        return f"Review {self.reviewed_on}"
