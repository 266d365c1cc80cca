"""Time entries (by hand or by the timer), a patient's CHI/PIN enrolment (consent, initiating visit) and closed
billing months."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from puente.accounts.models import Role, Team, TeamMembership, TenantModel
from puente.patients.models import Patient

# Who keeps time: social workers and their supervisors (the care team, intake and partners do not).
TIMEKEEPER_ROLES = (Role.SOCIAL_WORKER, Role.SUPERVISOR)
# Who sees a team's time, exports it and closes a month. The administrator stands in for the billing office
# until a billing role exists.
BILLING_ROLES = (Role.SUPERVISOR, Role.ADMIN)


class Activity(models.TextChoices):
    HOME_VISIT = "home_visit", _("Home visit")
    BEDSIDE_VISIT = "bedside_visit", _("In-person visit (facility)")
    PHONE = "phone", _("Phone call")
    VIDEO = "video", _("Video visit")
    CARE_COORDINATION = "care_coordination", _("Care coordination")
    DOCUMENTATION = "documentation", _("Documentation")
    TRAVEL = "travel", _("Travel")
    TEAM_MEETING = "team_meeting", _("Team meeting (IDG)")
    OTHER = "other", _("Other")


class BillingCode(models.TextChoices):
    """What the worker means the time to count toward; the roll-up checks each rule (billing.py)."""

    G0155 = "g0155", _("G0155 social work visit (home health, hospice)")
    CHI = "chi", _("Community health integration (G0019/G0022)")
    PIN = "pin", _("Principal illness navigation (G0023/G0024)")
    G0136 = "g0136", _("G0136 SDOH risk assessment (before 2026)")


def supervised_worker_ids(user):
    """The user and the members of the teams the user supervises, as a subquery (organization first)."""
    org = user.organization_id
    teams = Team.objects.filter(organization_id=org, supervisor=user).values("id")
    return TeamMembership.objects.filter(organization_id=org, team_id__in=teams).values("user_id")


class TimeEntryQuerySet(models.QuerySet["TimeEntry"]):
    def visible_to(self, user) -> "TimeEntryQuerySet":
        """Whose time a user may see, organization first.

        A social worker: their own entries, and every entry on a patient they may open (the time of everyone
        who works with that patient adds up for billing). A supervisor: the same, plus the entries of the members
        of the teams they supervise. An administrator (billing office): the whole organization. Care team,
        intake and partners: none.
        """
        if not getattr(user, "is_authenticated", False) or not user.organization_id:
            return self.none()
        qs = self.filter(organization_id=user.organization_id)
        if user.role == Role.ADMIN:
            return qs
        if user.role not in TIMEKEEPER_ROLES:
            return self.none()
        cond = Q(worker=user) | Q(patient__in=Patient.objects.visible_to(user, break_glass=False).values("id"))
        if user.role == Role.SUPERVISOR:
            cond |= Q(worker_id__in=supervised_worker_ids(user))
        return qs.filter(cond)

    def running(self) -> "TimeEntryQuerySet":
        return self.filter(ended_at__isnull=True)

    def finished(self) -> "TimeEntryQuerySet":
        return self.filter(ended_at__isnull=False)

    def in_month(self, first: date, last: date) -> "TimeEntryQuerySet":
        return self.filter(service_date__gte=first, service_date__lte=last)


class TimeEntry(TenantModel):
    """Minutes a worker spent, on a patient or not (travel, team meetings).

    Every entry has a start and an end, also one typed as "start and minutes", so that overlapping entries of
    one worker can always be refused. A timer is an entry without an end (`ended_at` null); a worker has at most
    one. `service_date` is the local (America/Denver) date of the start: the month it falls in is the billing
    month. `setting` is the setting of the patient's active episode when the entry was made (G0155 needs home
    health or hospice). Entries of a closed month cannot change.
    """

    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, null=True, blank=True, related_name="time_entries", verbose_name=_("patient")
    )
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    activity = models.CharField(_("activity"), max_length=20, choices=Activity.choices)
    started_at = models.DateTimeField(_("start"))
    ended_at = models.DateTimeField(_("end"), null=True, blank=True)
    minutes = models.PositiveIntegerField(_("minutes"), default=0)
    service_date = models.DateField(_("date"))
    setting = models.CharField(_("setting"), max_length=20, blank=True)
    billing = models.CharField(_("counts toward"), max_length=10, choices=BillingCode.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    progress_note = models.ForeignKey(
        "notes.ProgressNote", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = TimeEntryQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["organization", "patient", "service_date"], name="time_org_patient_date"),
            models.Index(fields=["organization", "worker", "started_at"], name="time_org_worker_start"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["worker"], condition=Q(ended_at__isnull=True), name="time_one_running_timer_per_worker"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_activity_display()} {self.service_date:%Y-%m-%d} ({self.minutes} min)"

    @property
    def is_running(self) -> bool:
        return self.ended_at is None


class ProgramFamily(models.TextChoices):
    CHI = "chi", _("Community health integration (CHI)")
    PIN = "pin", _("Principal illness navigation (PIN)")


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", _("Written")
    VERBAL = "verbal", _("Verbal")


class BillingProgramQuerySet(models.QuerySet["BillingProgram"]):
    def visible_to(self, user) -> "BillingProgramQuerySet":
        if not getattr(user, "is_authenticated", False) or not user.organization_id:
            return self.none()
        qs = self.filter(organization_id=user.organization_id)
        if user.role == Role.ADMIN:
            return qs
        if user.role not in TIMEKEEPER_ROLES:
            return self.none()
        return qs.filter(patient__in=Patient.objects.visible_to(user, break_glass=False).values("id"))


class BillingProgram(TenantModel):
    """A patient's CHI or PIN services: the consent (date, written or verbal, who obtained it) and the initiating
    visit by the billing practitioner (date and a reference), both required before a month can be billed
    (standards.md §9). One per patient and family; changes are audited and kept in the history."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    family = models.CharField(_("service"), max_length=3, choices=ProgramFamily.choices)
    consent_on = models.DateField(_("consent date"), null=True, blank=True)
    consent_method = models.CharField(_("consent given"), max_length=10, choices=ConsentMethod.choices, blank=True)
    consent_obtained_by = models.CharField(_("consent obtained by"), max_length=200, blank=True)
    initiating_visit_on = models.DateField(_("initiating visit date"), null=True, blank=True)
    initiating_visit_ref = models.CharField(
        _("initiating visit"), max_length=200, blank=True, help_text=_("The E/M visit or annual wellness visit.")
    )

    objects = BillingProgramQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["family"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "patient", "family"], name="billing_program_unique")
        ]

    def __str__(self) -> str:
        return self.get_family_display()


class ClosedMonth(TenantModel):
    """A billing month that is closed for the whole organization: no entry dated in it may be added, changed or
    removed any more. Closing is an explicit act of a supervisor or administrator (exporting does not close)."""

    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["organization", "month"], name="closed_month_unique")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"
