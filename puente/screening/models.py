"""Screening responses and their answers, suggested health concerns, crisis alerts and safety plans."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from puente.accounts.models import TenantModel
from puente.patients.models import Patient


class Mode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("By phone")
    VIDEO = "video", _("By video (telehealth psychosocial assessment)")
    SELF = "self", _("Self-screening by the patient")
    PROXY = "proxy", _("Completed by a caregiver (proxy)")


class ScreeningResponseQuerySet(models.QuerySet["ScreeningResponse"]):
    def visible_to(self, user) -> "ScreeningResponseQuerySet":
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(organization_id=user.organization_id, patient__in=Patient.objects.visible_to(user))


class ScreeningResponse(TenantModel):
    """One completed (or partly completed) instrument, with its score as computed at submission."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="screenings")
    instrument_id = models.CharField(max_length=40)
    instrument_version = models.CharField(max_length=20)
    language = models.CharField(max_length=5, default="en")
    mode = models.CharField(_("how it was done"), max_length=12, choices=Mode.choices, default=Mode.IN_PERSON)
    proxy_name = models.CharField(_("completed by (caregiver)"), max_length=200, blank=True)
    performer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    effective_at = models.DateTimeField(_("when"))
    total = models.IntegerField(null=True, blank=True)
    band = models.CharField(max_length=30, blank=True)
    positive = models.BooleanField(null=True)
    positive_domains = models.JSONField(default=list, blank=True)
    missing_items = models.JSONField(default=list, blank=True)
    alerts = models.JSONField(default=list, blank=True)
    details = models.JSONField(default=dict, blank=True)
    pending_verification = models.BooleanField(default=False)
    idempotency_key = models.CharField(max_length=80, blank=True)

    objects = ScreeningResponseQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_at"]
        indexes = [
            models.Index(
                fields=["organization", "patient", "instrument_id", "-effective_at"], name="screening_org_patient"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="screening_idempotency_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} {self.effective_at:%Y-%m-%d}"

    @property
    def self_reported(self) -> bool:
        return self.mode in (Mode.SELF, Mode.PROXY)

    @property
    def complete(self) -> bool:
        return not self.missing_items


class ScreeningAnswer(TenantModel):
    """One answer, shaped to map one-to-one to a FHIR Observation (item code, answer code or value)."""

    response = models.ForeignKey(ScreeningResponse, on_delete=models.CASCADE, related_name="answers")
    item_code = models.CharField(max_length=60)
    answer_code = models.CharField(max_length=20, blank=True)  # LA code for choice answers
    value_integer = models.IntegerField(null=True, blank=True)  # the answer's points, or an integer answer
    value_text = models.TextField(blank=True)

    class Meta:
        ordering = ["response", "item_code"]
        indexes = [models.Index(fields=["organization", "response"], name="answer_org_response")]

    def __str__(self) -> str:
        return f"{self.item_code}={self.answer_code or self.value_integer or self.value_text}"


class HealthConcern(TenantModel):
    """A health concern about a social need: a problem on the patient's care plan (`careplans`).

    Created as a suggestion from a positive screen (the worker accepts, edits or dismisses it) or entered by hand
    on the care plan. Once accepted it is active, inactive (not being worked on now) or resolved (FHIR Condition
    clinicalStatus active / inactive / resolved); suggested and dismissed are screening's own states before that.
    The evidence is the screen (`source_response`) or the progress note (`source_note`) it came from.
    `version` counts care-plan edits so that two people editing the same concern never overwrite each other.
    """

    class Status(models.TextChoices):
        SUGGESTED = "suggested", pgettext_lazy("health concern status", "Suggested")
        ACTIVE = "active", pgettext_lazy("health concern status", "Active")
        INACTIVE = "inactive", pgettext_lazy("health concern status", "Inactive")
        DISMISSED = "dismissed", pgettext_lazy("health concern status", "Dismissed")
        RESOLVED = "resolved", pgettext_lazy("health concern status", "Resolved")

    class Priority(models.TextChoices):
        HIGH = "high", pgettext_lazy("priority", "High")
        MEDIUM = "medium", pgettext_lazy("priority", "Medium")
        LOW = "low", pgettext_lazy("priority", "Low")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="health_concerns")
    source_response = models.ForeignKey(
        ScreeningResponse, on_delete=models.PROTECT, null=True, blank=True, related_name="concerns"
    )
    category = models.CharField(_("SDOH category"), max_length=40)
    icd10_code = models.CharField(_("ICD-10-CM code"), max_length=10, blank=True)
    icd10_title = models.CharField(max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUGGESTED)
    note = models.CharField(_("note"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    priority = models.CharField(_("priority"), max_length=6, choices=Priority.choices, blank=True)
    onset = models.DateField(_("since when"), null=True, blank=True)
    # A string reference: notes sits beside screening, and a concern found in a conversation cites that note.
    source_note = models.ForeignKey(
        "notes.ProgressNote", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords()

    class Meta:
        ordering = ["status", "-created_at"]
        indexes = [models.Index(fields=["organization", "patient", "status"], name="concern_org_patient")]

    def __str__(self) -> str:
        return f"{self.category} {self.icd10_code}"


class CrisisAlertQuerySet(models.QuerySet["CrisisAlert"]):
    def visible_to(self, user, *, patients=None) -> "CrisisAlertQuerySet":
        """``patients``: the caller's ``Patient.objects.visible_to(user)`` for this request, when it built one."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if patients is None:
            patients = Patient.objects.visible_to(user)
        return self.filter(organization_id=user.organization_id, patient__in=patients)

    def open(self) -> "CrisisAlertQuerySet":
        return self.filter(status=CrisisAlert.Status.OPEN)


class CrisisAlert(TenantModel):
    """A suicide-risk or safety finding that must not be missed. It clears only with a documented action."""

    class Kind(models.TextChoices):
        SUICIDE_RISK = "suicide_risk", _("Suicide risk")
        SAFETY = "safety", _("Safety: physical or verbal abuse")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("crisis alert status", "Open")
        RESOLVED = "resolved", pgettext_lazy("crisis alert status", "Resolved")

    class Action(models.TextChoices):
        SAFETY_PLAN = "safety_plan", _("Safety plan completed with the patient")
        CLINICIAN_EVALUATION = "clinician_evaluation", _("Same-day evaluation by a mental-health clinician")
        CRISIS_LINE = "crisis_line", _("Connected to 988 or the local crisis line")
        EMERGENCY = "emergency", _("Sent to emergency care / 911")
        IPV_ADVOCATE = "ipv_advocate", _("Safety planning with a domestic-violence advocate")
        REVIEWED_NOT_CURRENT = "reviewed_not_current", _("Reviewed with the patient: no current risk")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="crisis_alerts")
    response = models.ForeignKey(ScreeningResponse, on_delete=models.PROTECT, related_name="crisis_alerts")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    assigned_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("action taken"), max_length=30, choices=Action.choices, blank=True)
    action_note = models.TextField(_("what was done"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = CrisisAlertQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "status", "patient"], name="alert_org_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"


class SafetyPlan(TenantModel):
    """A Stanley-Brown safety plan, written with the patient in their own words."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="safety_plans")
    alert = models.ForeignKey(CrisisAlert, on_delete=models.PROTECT, null=True, blank=True, related_name="plans")
    warning_signs = models.TextField(_("1. Warning signs that a crisis may be developing"), blank=True)
    coping_strategies = models.TextField(_("2. Things I can do on my own to take my mind off problems"), blank=True)
    distractions = models.TextField(_("3. People and social places that help me feel better"), blank=True)
    people_to_ask = models.TextField(_("4. People I can ask for help"), blank=True)
    professionals = models.TextField(
        _("5. Professionals and crisis lines I can contact"),
        blank=True,
        default=_("988 Suicide & Crisis Lifeline: call or text 988"),
    )
    environment = models.TextField(_("6. Making my environment safe"), blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Safety plan {self.created_at:%Y-%m-%d}"


class SelfScreeningLinkQuerySet(models.QuerySet["SelfScreeningLink"]):
    def visible_to(self, user) -> "SelfScreeningLinkQuerySet":
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(organization_id=user.organization_id, patient__in=Patient.objects.visible_to(user))


class SelfScreeningLink(TenantModel):
    """A single-use, expiring link for the patient to answer screens on their own phone, without signing in.

    Only a SHA-256 hash of the token is stored. The page shows no PHI beyond the patient's first name.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="self_screening_links")
    instrument_ids = models.JSONField(default=list)
    token_hash = models.CharField(max_length=64, unique=True)
    language = models.CharField(max_length=5, default="en")
    expires_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    draft_answers = models.JSONField(default=dict, blank=True, help_text="Progress saved as the patient goes.")
    opened_at = models.DateTimeField(null=True, blank=True)
    request_count = models.PositiveIntegerField(default=0)
    completed_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = SelfScreeningLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Self-screening link {self.created_at:%Y-%m-%d}"

    @property
    def is_usable(self) -> bool:
        from django.utils import timezone

        return self.completed_at is None and self.revoked_at is None and self.expires_at > timezone.now()
