"""Episodes of care and the social-work referral queue (the intake side of the core loop)."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from puente.accounts.models import Team, TenantModel, Unit
from puente.patients.models import Patient


class Setting(models.TextChoices):
    INPATIENT = "inpatient", _("Inpatient")
    EMERGENCY = "emergency", _("Emergency")
    OUTPATIENT = "outpatient", _("Outpatient clinic")
    HOME_HEALTH = "home_health", _("Home health")
    HOSPICE = "hospice", _("Hospice")


class EpisodeQuerySet(models.QuerySet["Episode"]):
    def visible_to(self, user) -> "EpisodeQuerySet":
        return self.filter(
            organization_id=user.organization_id if user.is_authenticated else None,
            patient__in=Patient.objects.visible_to(user),
        )

    def active(self) -> "EpisodeQuerySet":
        return self.filter(status=Episode.Status.ACTIVE)


class Episode(TenantModel):
    """One stay or service period: an admission, an ED visit, a home-health or hospice election."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Active")
        FINISHED = "finished", _("Finished")
        CANCELLED = "cancelled", _("Cancelled")

    class Disposition(models.TextChoices):
        HOME = "home", _("Home / self-care")
        HOME_HEALTH = "home_health", _("Home with home health")
        SNF = "snf", _("Skilled nursing facility")
        IRF = "irf", _("Inpatient rehabilitation")
        LTCH = "ltch", _("Long-term care hospital")
        HOSPICE = "hospice", _("Hospice")
        SHELTER = "shelter", _("Shelter")
        AMA = "ama", _("Left against medical advice")
        EXPIRED = "expired", _("Died")
        OTHER = "other", _("Other")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="episodes")
    setting = models.CharField(_("setting"), max_length=20, choices=Setting.choices)
    facility = models.CharField(_("facility"), max_length=120, blank=True)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="episodes", verbose_name=_("unit")
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="episodes", verbose_name=_("team")
    )
    assigned_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_episodes",
        verbose_name=_("assigned social worker"),
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    attending = models.CharField(_("attending"), max_length=120, blank=True)
    payer = models.CharField(_("payer"), max_length=120, blank=True)
    discharge_disposition = models.CharField(
        _("discharge disposition"), max_length=20, choices=Disposition.choices, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = EpisodeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start"]
        indexes = [
            models.Index(fields=["organization", "team", "status"], name="episode_org_team"),
            models.Index(fields=["organization", "assigned_worker", "status"], name="episode_org_worker"),
            models.Index(fields=["organization", "unit", "status"], name="episode_org_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.get_setting_display()} {self.start:%Y-%m-%d}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.end and self.start and self.end < self.start:
            raise ValidationError({"end": _("The end must be after the start.")})


class ReferralReason(models.TextChoices):
    """The standard high-risk triggers for a social-work consult (workflows.md §1)."""

    LIVES_ALONE = "lives_alone", _("Lives alone or older than 85")
    NO_PROXY = "no_proxy", _("No health-care power of attorney")
    CAREGIVER_STRAIN = "caregiver_strain", _("Overwhelmed caregiver")
    TERMINAL_ILLNESS = "terminal_illness", _("Terminal illness")
    LITTLE_SUPPORT = "little_support", _("Little or no support")
    FINANCIAL = "financial", _("Money problems")
    SUBSTANCE_USE = "substance_use", _("Alcohol or substance use")
    DEPRESSION_SUICIDALITY = "depression_suicidality", _("Depression or suicidality")
    FAMILY_CONFLICT = "family_conflict", _("Family conflict")
    SUSPECTED_ABUSE = "suspected_abuse", _("Suspected abuse or neglect")
    RECENT_LOSS = "recent_loss", _("Recent losses")
    DEMENTIA = "dementia", _("Dementia or cognitive impairment")
    MULTIPLE_DIAGNOSES = "multiple_diagnoses", _("Many diagnoses")
    PLACEMENT = "placement", _("Placement needed")
    HOMELESSNESS = "homelessness", _("Homelessness")
    TRANSPORT = "transport", _("Transportation")
    TRAUMA = "trauma", _("Trauma")
    POSITIVE_TOXICOLOGY = "positive_toxicology", _("Positive toxicology")
    REFUSED_TREATMENT = "refused_treatment", _("Refused treatment")
    READMISSION = "readmission", _("Readmitted within 30 days")
    OTHER = "other", _("Other")


class SocialWorkReferralQuerySet(models.QuerySet["SocialWorkReferral"]):
    def visible_to(self, user, *, patients=None) -> "SocialWorkReferralQuerySet":
        """`patients`: the caller's `Patient.objects.visible_to(user)` for this request, when it built one already
        (the dashboard shares one between its lists and panels; see core/panels.py)."""
        if not getattr(user, "is_authenticated", False) or not user.is_clinical_staff:
            return self.none()
        if patients is None:
            patients = Patient.objects.visible_to(user)
        return self.filter(organization_id=user.organization_id, patient__in=patients)

    def open(self) -> "SocialWorkReferralQuerySet":
        return self.exclude(status__in=[SocialWorkReferral.Status.CLOSED, SocialWorkReferral.Status.CANCELLED])

    def queue_order(self) -> "SocialWorkReferralQuerySet":
        """Most urgent first, then the longest waiting."""
        return self.annotate(
            priority_rank=models.Case(
                models.When(priority=SocialWorkReferral.Priority.EMERGENT, then=0),
                models.When(priority=SocialWorkReferral.Priority.URGENT, then=1),
                default=2,
                output_field=models.IntegerField(),
            )
        ).order_by("priority_rank", "received_at")

    def waiting(self) -> "SocialWorkReferralQuerySet":
        return self.filter(first_contact_at__isnull=True, status__in=SocialWorkReferral.WAITING_STATUSES)


class SocialWorkReferral(TenantModel):
    """A request for social work to see a patient. Hours since `received_at` drive the queue."""

    class Source(models.TextChoices):
        CARE_TEAM = "care_team", _("Care-team consult")
        ED = "ed", _("Emergency department")
        SELF = "self", _("Self-referral")
        FAMILY = "family", _("Family")
        ADT_RULE = "adt_rule", _("ADT rule")
        OTHER = "other", _("Other")

    class Priority(models.TextChoices):
        EMERGENT = "emergent", _("Emergent")
        URGENT = "urgent", _("Urgent")
        ROUTINE = "routine", _("Routine")

    class ContactMethod(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        PHONE = "phone", _("Phone")
        VIDEO = "video", _("Video")
        FAMILY = "family", _("With family")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        ASSIGNED = "assigned", _("Assigned")
        CONTACTED = "contacted", _("In progress")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    # Waiting for a first contact (with no first contact recorded): `waiting()` and the caseload's acuity statement.
    WAITING_STATUSES = (Status.NEW, Status.ASSIGNED)

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="sw_referrals")
    episode = models.ForeignKey(
        Episode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sw_referrals",
        verbose_name=_("episode"),
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="sw_referrals", verbose_name=_("team")
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    reasons = models.JSONField(_("reasons"), default=list)
    reason_detail = models.TextField(_("details"), blank=True, max_length=2000)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.ROUTINE)
    referred_by = models.CharField(_("referred by"), max_length=120, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEW)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sw_referrals",
        verbose_name=_("assigned to"),
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    first_contact_at = models.DateTimeField(_("first contact"), null=True, blank=True)
    first_contact_method = models.CharField(
        _("first contact method"), max_length=12, choices=ContactMethod.choices, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = SocialWorkReferralQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["organization", "status", "received_at"], name="swref_org_status"),
            models.Index(fields=["organization", "assigned_to", "status"], name="swref_org_assignee"),
            models.Index(fields=["organization", "team", "status"], name="swref_org_team"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.received_at:%Y-%m-%d %H:%M}"

    @property
    def due_at(self):
        return self.received_at + timedelta(hours=settings.PUENTE_SW_REFERRAL_DUE_HOURS)

    def hours_waiting(self, now=None) -> float:
        end = self.first_contact_at or now or timezone.now()
        return max(0.0, (end - self.received_at).total_seconds() / 3600)

    @property
    def is_overdue(self) -> bool:
        if self.first_contact_at:
            return self.first_contact_at > self.due_at
        return timezone.now() > self.due_at

    def reason_labels(self) -> list[str]:
        return self.label_reasons(self.reasons)

    @staticmethod
    def label_reasons(codes) -> list[str]:
        """Reason codes as the user reads them (also used by the record history)."""
        labels = dict(ReferralReason.choices)
        return [str(labels.get(r, r)) for r in codes or []]

    def check_first_contact_time(self, at, now=None) -> None:
        """A first contact happens after the referral was received and not in the future."""
        now = now or timezone.now()
        if at < self.received_at:
            received = formats.date_format(timezone.localtime(self.received_at), "SHORT_DATETIME_FORMAT")
            raise ValidationError(
                _("The first contact cannot be before the referral was received (%(received)s)."),
                code="before_received",
                params={"received": received},
            )
        if at > now:
            raise ValidationError(_("The first contact cannot be in the future."), code="future")
