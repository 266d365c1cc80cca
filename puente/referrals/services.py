"""Writes for referrals: create, send (with the consent check and the disclosure log), status changes on the
lifecycle (either side), the outcome, and the patient's check-back. Every write is atomic and audited."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from puente.accounts.models import Organization, Role, User
from puente.audit.models import AuditAction
from puente.audit.services import acting_user, record_event
from puente.consent import rules
from puente.consent.decide import reason_text, shareable_classes
from puente.consent.services import record_disclosures
from puente.core import messaging
from puente.core.idempotency import create_once
from puente.core.tenancy_guard import unscoped
from puente.core.tokens import hash_token, new_link_token
from puente.tasks import services as task_services

from . import lifecycle
from .lifecycle import IllegalTransition
from .models import CheckBackLink, Outcome, Referral, ReferralConcern, ReferralEvent, Status
from .notice import queue_partner_email


class ReferralError(Exception):
    """A referral cannot be made or sent as asked; `message` is translated for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def checkback_days() -> int:
    return getattr(settings, "PUENTE_CHECKBACK_DAYS", 7)


def checkback_link_hours() -> int:
    return getattr(settings, "PUENTE_CHECKBACK_LINK_HOURS", 168)


def partner_org_for(service_at_location):
    """The partner organization that keeps the service's directory listing (its `curated_by`), or None."""
    service = service_at_location.service
    directory_org = service.organization if service is not None else None
    return directory_org.curated_by if directory_org is not None else None


def _event(referral: Referral, actor, from_status: str, to_status: str, reason: str = "", kind: str = "status"):
    return ReferralEvent.objects.create(
        organization_id=referral.organization_id,
        referral=referral,
        actor=actor,
        actor_label=(str(actor) if actor is not None else _("the patient"))[:200],
        from_status=from_status,
        to_status=to_status,
        kind=kind,
        reason=reason[:500],
    )


@transaction.atomic
def create_referral(
    request,
    patient,
    *,
    service_at_location,
    concerns=(),
    priority: str = "routine",
    message: str = "",
    patient_told: str = "",
    user=None,
) -> Referral:
    """A draft referral. The partner sees nothing until it is sent."""
    actor = acting_user(request, user)
    recipient = partner_org_for(service_at_location)
    if recipient is None:
        raise ReferralError(
            _("This service's organization has no partner account in Puente: call them and note the referral.")
        )
    referral = Referral.objects.create(
        organization_id=patient.organization_id,
        patient=patient,
        service_at_location=service_at_location,
        recipient_organization=recipient,
        priority=priority,
        message_to_partner=message,
        patient_told=patient_told,
        requested_by=actor,
    )
    for concern in concerns:
        if concern.organization_id != patient.organization_id or concern.patient_id != patient.pk:
            raise ReferralError(_("A concern of another patient cannot be part of this referral."))
        ReferralConcern.objects.create(organization_id=patient.organization_id, referral=referral, concern=concern)
    _event(referral, actor, "", Status.DRAFT)
    record_event(request, AuditAction.CREATE, obj=referral, patient_id=patient.pk, user=actor)
    return referral


@transaction.atomic
def make_referral(request, patient, *, send: bool, user=None, idempotency_key: str = "", **fields) -> Referral:
    """Create a referral and, when asked, send it in the same transaction (nothing is kept if sending fails).
    The same idempotency key again (the form sent twice) answers with the first referral (core/idempotency.py)."""

    def make() -> Referral:
        referral = create_referral(request, patient, user=user, **fields)
        return send_referral(request, referral, user=user) if send else referral

    referral, _replayed = create_once(
        patient.organization_id, acting_user(request, user), idempotency_key, Referral, make, scope=patient.pk
    )
    return referral


def referral_concerns(referral: Referral) -> list:
    from puente.screening.models import HealthConcern

    return list(
        HealthConcern.objects.filter(
            organization_id=referral.organization_id,
            id__in=ReferralConcern.objects.filter(
                organization_id=referral.organization_id, referral_id=referral.pk
            ).values("concern_id"),
        ).order_by("category")
    )


def _lock(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update()
        .select_related("patient", "recipient_organization")
        .get(organization_id=referral.organization_id, pk=referral.pk)
    )


def _apply(locked: Referral, new: str, reason: str, now) -> None:
    """Move `locked` to `new`, guarded by a conditional update on the status read under the lock: if another
    request changed it in between (SQLite has no row locks), this one is refused."""
    changes = {"status": new, "status_reason": reason[:500], "status_changed_at": now, "updated_at": now}
    if new == Status.REQUESTED:
        changes["requested_at"] = now
    if new == Status.ACCEPTED:
        changes["accepted_at"] = now
    updated = Referral.objects.filter(
        organization_id=locked.organization_id, pk=locked.pk, status=locked.status
    ).update(**changes)
    if updated != 1:
        raise IllegalTransition(_("Someone else changed this referral just now. Reload the page and try again."))
    for key, value in changes.items():
        setattr(locked, key, value)


@transaction.atomic
def send_referral(request, referral: Referral, *, user=None) -> Referral:
    """draft → requested: share what the consent allows, log each disclosure, tell the partner (no PHI)."""
    actor = acting_user(request, user)
    locked = _lock(referral)
    lifecycle.check(locked.status, Status.REQUESTED, lifecycle.REQUESTER)
    decisions = shareable_classes(locked.patient, locked.recipient_organization)
    if not decisions[rules.DEMOGRAPHICS].allowed:
        raise ReferralError(
            _("No consent allows sharing with %(org)s: %(reason)s")
            % {
                "org": locked.recipient_organization,
                "reason": reason_text(decisions[rules.DEMOGRAPHICS].reason),
            }
        )
    now = timezone.now()
    locked.consent = decisions[rules.DEMOGRAPHICS].consent
    locked.save(update_fields=["consent", "updated_at"])
    _apply(locked, Status.REQUESTED, "", now)
    _event(locked, actor, Status.DRAFT, Status.REQUESTED)
    record_disclosures(
        request,
        locked.patient,
        locked.recipient_organization,
        {c: d for c, d in decisions.items() if c != rules.NOTES},
        purpose=_("Referral"),
        source=locked,
        user=actor,
    )
    record_event(
        request,
        AuditAction.UPDATE,
        obj=locked,
        patient_id=locked.patient_id,
        user=actor,
        detail={"status": Status.REQUESTED},
    )
    url = reverse("referrals:partner_detail", args=[locked.pk])
    for partner_user in User.objects.filter(
        organization_id=locked.recipient_organization_id, role=Role.PARTNER, is_active=True
    ):
        with translation.override(partner_user.language or "en"):
            # No PHI in a notification: it may be emailed.
            task_services.notify(
                partner_user, "referral", _("A new referral is waiting for your organization."), url=url
            )
    queue_partner_email(locked.recipient_organization_id)  # email too, by the worker, with no PHI
    return locked


@transaction.atomic
def change_status(request, referral: Referral, new: str, *, side: str, reason: str = "", user=None) -> Referral:
    """Any other lifecycle step, by the requester (cancel, entered in error) or the partner (the rest).

    Two partners accepting at once: the row lock (PostgreSQL) or the conditional update (SQLite) lets exactly one
    through; the other is refused with a clear message.
    """
    actor = acting_user(request, user)
    locked = _lock(referral)
    if locked.status == new:
        raise IllegalTransition(
            _("This referral is already %(status)s (someone else may have just done it).")
            % {"status": lifecycle.label(new)}
        )
    lifecycle.check(locked.status, new, side)
    reason = reason.strip()
    if new in lifecycle.REASON_REQUIRED and not reason:
        raise IllegalTransition(_("Please give a reason."))
    now = timezone.now()
    old = locked.status
    _apply(locked, new, reason, now)
    extra = []
    if side == lifecycle.TARGET:
        locked.last_partner_update_at = now
        extra.append("last_partner_update_at")
        if new == Status.ACCEPTED:
            locked.handled_by = actor
            extra.append("handled_by")
    if extra:
        locked.save(update_fields=extra)
    _event(locked, actor, old, new, reason)
    record_event(
        request,
        AuditAction.UPDATE,
        obj=locked,
        patient_id=locked.patient_id,
        user=actor,
        organization_id=locked.organization_id,
        detail={"status": new, "from": old, "side": side},
    )
    if side == lifecycle.TARGET:
        task_services.notify(
            locked.requested_by,
            "referral",
            _("A partner updated a referral: %(status)s.") % {"status": lifecycle.label(new)},
            url=reverse("referrals:detail", args=[locked.pk]),
            organization_id=locked.organization_id,
        )
    return locked


@transaction.atomic
def record_outcome(
    request, referral: Referral, *, outcome: str, reason: str = "", note: str = "", user=None
) -> Referral:
    """The worker records whether the patient's need was met; not met needs a reason."""
    actor = acting_user(request, user)
    locked = _lock(referral)
    if locked.status in (Status.DRAFT, Status.ENTERED_IN_ERROR):
        raise ReferralError(_("An outcome can be recorded only for a referral that was sent."))
    if outcome not in Outcome.values:
        raise ReferralError(_("Choose an outcome."))
    if outcome == Outcome.NOT_MET and not reason:
        raise ReferralError(_("Say why the need was not met."))
    if outcome == Outcome.MET:
        reason = ""
    locked.outcome = outcome
    locked.outcome_reason = reason
    locked.outcome_note = note[:500]
    locked.outcome_from_patient = False
    locked.outcome_recorded_by = actor
    locked.outcome_recorded_at = timezone.now()
    locked.save(
        update_fields=[
            "outcome",
            "outcome_reason",
            "outcome_note",
            "outcome_from_patient",
            "outcome_recorded_by",
            "outcome_recorded_at",
            "updated_at",
        ]
    )
    _event(locked, actor, locked.status, locked.status, f"{outcome} {reason}".strip(), kind="outcome")
    record_event(
        request, AuditAction.UPDATE, obj=locked, patient_id=locked.patient_id, user=actor, detail={"outcome": outcome}
    )
    return locked


# --- The patient's check-back ---------------------------------------------------------------------------------


def due_checkbacks(organization_id, now=None):
    """Referrals of one organization accepted at least PUENTE_CHECKBACK_DAYS ago whose patient was not asked yet."""
    now = now or timezone.now()
    return Referral.objects.filter(
        organization_id=organization_id,
        checkback_sent_at__isnull=True,
        accepted_at__lte=now - timedelta(days=checkback_days()),
        status__in=[Status.ACCEPTED, Status.IN_PROGRESS, Status.ON_HOLD, Status.COMPLETED, Status.FAILED],
    ).order_by("accepted_at")


def send_checkback(referral: Referral, now=None) -> str:
    """Ask the patient once: a text if they accept texts, else an email, else a task for the worker to call.

    Returns the channel used ("sms", "email", "task") or "" when another run already did it (idempotent).
    The message carries no PHI: no name, no service, no condition; the page behind the link says the rest.
    """
    now = now or timezone.now()
    with transaction.atomic():
        claimed = Referral.objects.filter(
            organization_id=referral.organization_id, pk=referral.pk, checkback_sent_at__isnull=True
        ).update(checkback_sent_at=now)
        if claimed != 1:
            return ""
        patient = referral.patient
        language = patient.message_language
        if patient.phone and patient.phone_may_text:
            channel = "sms"
        elif patient.email and patient.email_ok:
            channel = "email"
        else:
            channel = "task"
        Referral.objects.filter(organization_id=referral.organization_id, pk=referral.pk).update(
            checkback_channel=channel
        )
        if channel == "task":
            with translation.override(referral.requested_by.language or "en"):
                task_services.create_task(
                    None,
                    organization_id=referral.organization_id,
                    title=_("Call the patient: did they get the help they were referred to?"),
                    due_at=now + timedelta(days=1),
                    patient=patient,
                    assignee=referral.requested_by,
                    source="referral_checkback",
                    source_id=str(referral.pk),
                    user=referral.requested_by,
                )
            record_event(
                None,
                AuditAction.UPDATE,
                obj=referral,
                patient_id=patient.pk,
                organization_id=referral.organization_id,
                actor_label="referral check-back job",
                detail={"checkback": "task"},
            )
            return channel
        token, token_hash = new_link_token()
        link = CheckBackLink.objects.create(
            organization_id=referral.organization_id,
            referral=referral,
            token_hash=token_hash,
            language=language,
            expires_at=now + timedelta(hours=checkback_link_hours()),
        )
        url = settings.PUENTE_BASE_URL.rstrip("/") + reverse("referrals:checkback", args=[token])
        with translation.override(language):
            body = _("Your care team has one short question for you. Please answer here: %(url)s") % {"url": url}
            subject = _("A question from your care team")
        # Sent after the commit so that a rolled-back run sends nothing.
        if channel == "sms":
            transaction.on_commit(lambda: messaging.send_sms(patient.phone, body))
        else:
            transaction.on_commit(lambda: messaging.send_patient_email(patient.email, subject, body))
        record_event(
            None,
            AuditAction.CREATE,
            obj=link,
            patient_id=patient.pk,
            organization_id=referral.organization_id,
            actor_label="referral check-back job",
            detail={"channel": channel},
        )
        return channel


def send_due_checkbacks(now=None) -> dict[str, int]:
    """Ask every due patient, organization by organization (each query keeps its tenant key)."""
    counts: dict[str, int] = {}
    care_orgs = Organization.objects.exclude(kind=Organization.Kind.PARTNER).values_list("pk", flat=True)
    for org_id in care_orgs:
        for referral in due_checkbacks(org_id, now).select_related("patient", "requested_by"):
            channel = send_checkback(referral, now)
            if channel:
                counts[channel] = counts.get(channel, 0) + 1
    return counts


STALL_TASK_SOURCE = "referral_stalled"


def open_referrals(organization_id):
    return Referral.objects.filter(
        organization_id=organization_id,
        status__in=[Status.REQUESTED, Status.ACCEPTED, Status.IN_PROGRESS, Status.ON_HOLD],
    )


def create_stall_tasks(now=None) -> int:
    """A follow-up task for the referring worker on each stalled referral, once per referral and status
    (idempotent: the task's source id names both)."""
    from puente.tasks.models import Task

    now = now or timezone.now()
    made = 0
    care_orgs = Organization.objects.exclude(kind=Organization.Kind.PARTNER).values_list("pk", flat=True)
    for org_id in care_orgs:
        stalled = [r for r in open_referrals(org_id).select_related("requested_by") if r.stall_reason(now)]
        if not stalled:
            continue
        keys = {f"{r.pk}:{r.status}" for r in stalled}
        existing = set(
            Task.objects.filter(organization_id=org_id, source=STALL_TASK_SOURCE, source_id__in=keys).values_list(
                "source_id", flat=True
            )
        )
        for referral in stalled:
            key = f"{referral.pk}:{referral.status}"
            if key in existing:
                continue
            with translation.override(referral.requested_by.language or "en"):
                title = (
                    _("Referral not accepted yet: follow up with the partner.")
                    if referral.stall_reason(now) == "not_accepted"
                    else _("No update from the partner on a referral: follow up.")
                )
            task_services.create_task(
                None,
                organization_id=org_id,
                title=title,
                due_at=now + timedelta(days=1),
                patient=referral.patient,
                assignee=referral.requested_by,
                source=STALL_TASK_SOURCE,
                source_id=key,
                user=referral.requested_by,
            )
            made += 1
    return made


def find_checkback_link(token: str) -> CheckBackLink | None:
    if not token or len(token) > 100:
        return None
    # The link is how the organization is found: the one lookup that cannot name it (see core.tenancy_guard).
    with unscoped("referral check-back link found by its hash"):
        return (
            CheckBackLink.objects.select_related(
                "referral", "referral__patient", "referral__service_at_location__service"
            )
            .filter(token_hash=hash_token(token))
            .first()
        )


ANSWER_TO_OUTCOME = {"yes": Outcome.MET, "partly": Outcome.PARTLY_MET, "no": Outcome.NOT_MET}


@transaction.atomic
def answer_checkback(request, link: CheckBackLink, *, answer: str, reason: str = "") -> Referral | None:
    """Record the patient's answer once; fill the outcome if the worker has not recorded one; tell the worker."""
    locked = CheckBackLink.objects.select_for_update().get(organization_id=link.organization_id, pk=link.pk)
    if not locked.is_usable:
        return None
    now = timezone.now()
    locked.used_at = now
    locked.save(update_fields=["used_at", "updated_at"])
    referral = _lock(link.referral)  # `link` came with its referral (find_checkback_link)
    referral.checkback_answer = answer
    referral.checkback_reason = reason if answer != "yes" else ""
    referral.checkback_answered_at = now
    fields = ["checkback_answer", "checkback_reason", "checkback_answered_at", "updated_at"]
    if not referral.outcome:
        referral.outcome = ANSWER_TO_OUTCOME[answer]
        referral.outcome_reason = referral.checkback_reason if answer == "no" else ""
        referral.outcome_from_patient = True
        referral.outcome_recorded_at = now
        fields += ["outcome", "outcome_reason", "outcome_from_patient", "outcome_recorded_at"]
    referral.save(update_fields=fields)
    _event(referral, None, referral.status, referral.status, f"{answer} {reason}".strip(), kind="checkback")
    record_event(
        request,
        AuditAction.UPDATE,
        obj=referral,
        patient_id=referral.patient_id,
        organization_id=referral.organization_id,
        actor_label="referral check-back link",
        detail={"checkback": answer},
    )
    task_services.notify(
        referral.requested_by,
        "referral",
        _("A patient answered a referral check-back."),
        url=reverse("referrals:detail", args=[referral.pk]),
        organization_id=referral.organization_id,
    )
    return referral
