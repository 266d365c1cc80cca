"""Closed-loop referrals to partner organizations: the referral, its concerns, its status events and the patient's
check-back link."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from puente.accounts.models import Organization, Role, TenantModel
from puente.consent.models import Consent
from puente.directory.models import ServiceAtLocation
from puente.patients.models import Patient
from puente.screening.models import HealthConcern

from . import clocks, lifecycle

WORKER_ROLES = (Role.SOCIAL_WORKER, Role.SUPERVISOR)


class Status(models.TextChoices):
    DRAFT = lifecycle.DRAFT, lifecycle.LABELS[lifecycle.DRAFT]
    REQUESTED = lifecycle.REQUESTED, lifecycle.LABELS[lifecycle.REQUESTED]
    ACCEPTED = lifecycle.ACCEPTED, lifecycle.LABELS[lifecycle.ACCEPTED]
    REJECTED = lifecycle.REJECTED, lifecycle.LABELS[lifecycle.REJECTED]
    CANCELLED = lifecycle.CANCELLED, lifecycle.LABELS[lifecycle.CANCELLED]
    IN_PROGRESS = lifecycle.IN_PROGRESS, lifecycle.LABELS[lifecycle.IN_PROGRESS]
    ON_HOLD = lifecycle.ON_HOLD, lifecycle.LABELS[lifecycle.ON_HOLD]
    COMPLETED = lifecycle.COMPLETED, lifecycle.LABELS[lifecycle.COMPLETED]
    FAILED = lifecycle.FAILED, lifecycle.LABELS[lifecycle.FAILED]
    ENTERED_IN_ERROR = lifecycle.ENTERED_IN_ERROR, lifecycle.LABELS[lifecycle.ENTERED_IN_ERROR]


class Priority(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    URGENT = "urgent", _("Urgent")


class Outcome(models.TextChoices):
    MET = "met", _("Need met")
    PARTLY_MET = "partly_met", _("Need partly met")
    NOT_MET = "not_met", _("Need not met")


class NotMetReason(models.TextChoices):
    UNREACHABLE = "unreachable", _("Could not reach the patient")
    INELIGIBLE = "ineligible", _("Not eligible")
    NO_CAPACITY = "no_capacity", _("No funds or no capacity")
    WAITLISTED = "waitlisted", _("Waitlisted")
    DECLINED = "declined", _("The patient declined")
    WRONG_INFO = "wrong_info", _("Wrong information (listing or referral)")
    OTHER = "other", _("Other")


class CheckBackAnswer(models.TextChoices):
    YES = "yes", _("Yes")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No")


def _stall_days() -> tuple[int, int]:
    """(business days to accept, calendar days between partner updates) before a referral counts as stalled."""
    return getattr(settings, "PUENTE_REFERRAL_ACCEPT_DAYS", 3), getattr(settings, "PUENTE_REFERRAL_UPDATE_DAYS", 14)


class ReferralQuerySet(models.QuerySet["Referral"]):
    def visible_to(self, user, *, patients=None) -> "ReferralQuerySet":
        """Referrals a care-organization worker may read: organization first, then the patients they may open.

        `patients`: the caller's `Patient.objects.visible_to(user)` for this request, when it built one already
        (the dashboard's panels share one; see core/panels.py)."""
        if not getattr(user, "is_authenticated", False) or not user.organization_id:
            return self.none()
        if user.role not in WORKER_ROLES:
            return self.none()
        if patients is None:
            patients = Patient.objects.visible_to(user)
        return self.filter(organization_id=user.organization_id, patient__in=patients)

    def for_partner(self, user) -> "ReferralQuerySet":
        """Referrals sent to the partner user's organization (never drafts).

        A partner's inbox spans the care organizations that referred to it, so the query names them
        (`organization_id IN` the care organizations, read from the small, untenanted organization table), then
        the recipient. On a distributed database this read visits those organizations' shards only.
        """
        if not getattr(user, "is_authenticated", False) or not user.organization_id or not user.is_partner:
            return self.none()
        care_orgs = list(Organization.objects.exclude(kind=Organization.Kind.PARTNER).values_list("id", flat=True))
        return self.filter(organization_id__in=care_orgs, recipient_organization_id=user.organization_id).exclude(
            status=Status.DRAFT
        )

    def partner_order(self) -> "ReferralQuerySet":
        """The partner's inbox order: open at the partner first, then the newest sent (the primary key breaks ties,
        so that paging neither skips nor repeats a referral)."""
        open_first = models.Case(
            models.When(status__in=sorted(lifecycle.OPEN_AT_PARTNER), then=0),
            default=1,
            output_field=models.IntegerField(),
        )
        return self.order_by(open_first, "-requested_at", "-pk")

    def with_stall(self, now) -> "ReferralQuerySet":
        """Annotates ``stalled``: 1 where ``Referral.stall_reason(now)`` says stalled, else 0, in SQL (the same
        rule: tests/test_worker_list_pages.py compares the two at every boundary)."""
        accept_days, update_days = _stall_days()
        last_day = clocks.latest_stalled_request_day(timezone.localdate(now), accept_days)
        # Requested on `last_day` or before, as a local date: before the next local midnight.
        next_midnight = timezone.make_aware(datetime.combine(last_day + timedelta(days=1), time.min))
        # With no business day to wait (accept_days <= 0) every sent request counts, even one dated tomorrow.
        sent_long_enough = Q(requested_at__lt=next_midnight) if accept_days > 0 else Q(requested_at__isnull=False)
        stalled = models.Case(
            models.When(Q(status=Status.REQUESTED) & sent_long_enough, then=1),
            models.When(
                Q(status__in=(Status.ACCEPTED, Status.IN_PROGRESS, Status.ON_HOLD))
                & Q(partner_since__lte=now - timedelta(days=update_days)),
                then=1,
            ),
            default=0,
            output_field=models.IntegerField(),
        )
        return self.alias(partner_since=Coalesce("last_partner_update_at", "requested_at")).annotate(stalled=stalled)

    def stalled_first(self, now) -> "ReferralQuerySet":
        """Stalled referrals first, then the longest in their status; the primary key breaks ties so that paging
        neither skips nor repeats a referral."""
        return self.with_stall(now).order_by("-stalled", "status_changed_at", "pk")

    def for_patient(self, patient: Patient) -> "ReferralQuerySet":
        return self.filter(organization_id=patient.organization_id, patient=patient)


class Referral(TenantModel):
    """A referral of a patient to a service at a location, shaped as the SDOHCC ServiceRequest + referral Task.

    `status` follows the Gravity referral Task lifecycle (`lifecycle.py`); each change is a `ReferralEvent`.
    The partner's status and the patient's outcome are separate on purpose: "completed" says the partner closed
    its work, `outcome` says whether the patient's need was met (and if not, why) — outcome-true closure.
    `recipient_organization` is the partner organization that curates the service's directory organization,
    copied when the referral is made so that the partner's access does not move if the directory changes.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="partner_referrals")
    service_at_location = models.ForeignKey(
        ServiceAtLocation, on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    recipient_organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("partner organization")
    )
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals")
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.ROUTINE)
    message_to_partner = models.TextField(_("message to the partner"), blank=True)
    patient_told = models.TextField(_("what the patient was told"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    requested_at = models.DateTimeField(_("sent"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    last_partner_update_at = models.DateTimeField(null=True, blank=True)
    # Indexed by "referral_by_requester" (Meta), whose first column it is.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(_("outcome for the patient"), max_length=12, choices=Outcome.choices, blank=True)
    outcome_reason = models.CharField(
        _("why the need was not met"), max_length=20, choices=NotMetReason.choices, blank=True
    )
    outcome_note = models.CharField(_("outcome note"), max_length=500, blank=True)
    outcome_from_patient = models.BooleanField(default=False)
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    checkback_sent_at = models.DateTimeField(null=True, blank=True)
    checkback_channel = models.CharField(max_length=10, blank=True)
    checkback_answer = models.CharField(
        _("patient's answer"), max_length=10, choices=CheckBackAnswer.choices, blank=True
    )
    checkback_reason = models.CharField(_("patient's reason"), max_length=20, choices=NotMetReason.choices, blank=True)
    checkback_answered_at = models.DateTimeField(null=True, blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["organization", "patient", "-created_at"], name="referral_org_patient"),
            models.Index(fields=["recipient_organization", "status"], name="referral_recipient_status"),
            models.Index(fields=["organization", "status", "accepted_at"], name="referral_status_accepted"),
            # The dashboard's "referrals needing action" walks the worker's own referrals oldest change first and
            # stops at twenty (8.6 -> 0.8 ms at 100,000 patients); it also serves every lookup by requester.
            models.Index(fields=["requested_by", "status_changed_at"], name="referral_by_requester"),
            # The worker's referral list walks the open referrals in this order and stops at its limit, instead of
            # sorting every open referral of the organization (55,000 at 100,000 patients: an on-disk sort).
            # The worker's list sorts an organization's open referrals by stall (``stalled_first``): on PostgreSQL
            # the columns that decides on are in the index, so the sort reads no table row (index-only scan; 63 ->
            # 36 ms at 55,000 open referrals). Other databases ignore ``include``.
            models.Index(
                fields=["organization", "status_changed_at"],
                include=["id", "status", "requested_at", "last_partner_update_at", "patient"],
                condition=~models.Q(status__in=sorted(lifecycle.TERMINAL)),
                name="referral_open_by_stall",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral {self.created_at:%Y-%m-%d} ({self.status})"

    @property
    def is_terminal(self) -> bool:
        return self.status in lifecycle.TERMINAL

    def stall_reason(self, now=None) -> str:
        now = now or timezone.now()
        accept_days, update_days = _stall_days()
        return clocks.stall_reason(
            self.status,
            requested_at=self.requested_at,
            last_partner_update_at=self.last_partner_update_at,
            now=now,
            today=timezone.localdate(now),
            requested_on=timezone.localdate(self.requested_at) if self.requested_at else None,
            accept_days=accept_days,
            update_days=update_days,
        )

    @property
    def days_in_status(self) -> int:
        return clocks.days_in_status(self.status_changed_at, timezone.now())


class ReferralConcern(TenantModel):
    """A health concern the referral addresses (a referral may address several)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="concern_links")
    concern = models.ForeignKey(HealthConcern, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["referral", "concern"], name="referral_concern_unique")]

    def __str__(self) -> str:
        return f"{self.referral_id} → {self.concern_id}"


class ReferralEvent(TenantModel):
    """One status change (or outcome, or check-back answer): who, when, from, to, why. Append-only."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    kind = models.CharField(max_length=20, default="status")  # status / outcome / checkback
    reason = models.CharField(max_length=500, blank=True)
    # An API client's Idempotency-Key ("api:<user id>:<key>"): a retried update finds it and changes nothing.
    idempotency_key = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["organization", "referral", "created_at"], name="referral_event_org")]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="referral_event_idempotency_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class CheckBackLink(TenantModel):
    """A single-use, expiring link asking the patient whether they got the help. Only a hash is stored."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="checkback_links")
    token_hash = models.CharField(max_length=64, unique=True)
    language = models.CharField(max_length=5, default="en")
    expires_at = models.DateTimeField()
    request_count = models.PositiveIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Check-back link {self.created_at:%Y-%m-%d}"

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()
