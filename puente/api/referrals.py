"""Referrals over the JSON API, for care organizations and for partners.

Two kinds of token reach the same endpoints and see different things:

- a **care organization's** token (a social worker's or supervisor's) reads the referrals of the patients its user
  may open (`Referral.objects.visible_to`), creates them (validated by the UI's `ReferralForm`), sends, cancels or
  marks them entered in error (the requester's side of the lifecycle) and records the outcome for the patient;
- a **partner's** token reads only referrals sent to its organization (`Referral.objects.for_partner`), each
  built by `partner_view.for_referral`, so every class of information goes through `consent.decide.may_share`
  exactly as on the partner page: a class the consent does not allow is *absent* from the JSON (not null) and
  named under `withheld`. It moves referrals on the partner's side (accept, reject, start, hold, complete, fail).

Writes go through the same services and lifecycle (`referrals.lifecycle`) as the pages; a refused transition is a
409 with the translated message. Status changes, outcomes and creation take an idempotency key (header
`Idempotency-Key` or body `idempotency_key`): a retry changes nothing and answers 200 with the referral as it is.
Every response that shows referrals writes one audit read event naming the patients (a partner's read goes to
the referring care organization's log, as on the partner page).
"""

from datetime import date, datetime
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja import Field, Header, Router, Schema, Status

from puente.api.api import ERRORS, ErrorOut, ValidationFailed, _form_errors, _page_bounds, require_scope
from puente.audit.models import AuditAction
from puente.audit.services import record_event
from puente.consent import rules
from puente.consent.decide import may_share
from puente.consent.models import Consent
from puente.referrals import lifecycle
from puente.referrals.api_services import (
    MAX_CLIENT_KEY,
    KeyReused,
    change_status_once,
    make_referral_once,
    record_outcome_once,
    scoped_key,
)
from puente.referrals.forms import ReferralForm
from puente.referrals.lifecycle import IllegalTransition
from puente.referrals.models import WORKER_ROLES, NotMetReason, Outcome, Referral, ReferralConcern
from puente.referrals.partner_view import for_referral
from puente.referrals.permissions import (
    get_partner_referral,
    get_referral_for_user,
    get_rw_patient_for_referrals,
    may_write_referrals,
)
from puente.referrals.services import ReferralError, referral_concerns
from puente.screening.models import HealthConcern

router = Router(tags=["referrals"])

_RELATED = ("patient", "service_at_location__service", "service_at_location__location", "recipient_organization")


# --- schemas ---------------------------------------------------------------------------------------------------


class ServiceOut(Schema):
    service_at_location_id: str = Field(description="HSDS service_at_location id")
    name: str
    location_name: str


class OrganizationOut(Schema):
    id: UUID
    name: str


class SharedPatientOut(Schema):
    """In a partner's list only `name` (as on the partner's list page); the rest on the single referral."""

    name: str
    birth_date: date | None = None
    language: str | None = None
    interpreter_needed: bool | None = None


class SharedContactOut(Schema):
    phone: str
    email: str
    address: str | None = Field(None, description="Absent when the address is confidential (never shared)")
    address_withheld: bool


class SharedScreeningOut(Schema):
    instrument: str
    date: datetime
    positive: list[str] = Field(description="Social-need domains found (labels)")


class WithheldOut(Schema):
    data_class: str
    reason: str


class ReferralOut(Schema):
    """One schema for both kinds of reader. Fields marked "care organization" are absent for partners; the
    partner's `patient`, `contact`, `concerns` and `screenings` are present only when the consent allows them."""

    id: UUID
    status: str = Field(description="Gravity referral Task status")
    status_label: str
    status_reason: str
    status_changed_at: datetime
    days_in_status: int
    priority: str
    message_to_partner: str
    requested_at: datetime | None
    accepted_at: datetime | None
    service: ServiceOut
    recipient_organization: OrganizationOut
    next_statuses: list[str] = Field(description="Statuses this token's side may move the referral to")
    # Care organization only.
    patient_id: UUID | None = None
    concern_categories: list[str] | None = Field(None, description="Care organization: Gravity SDOH category codes")
    patient_told: str | None = None
    consent_id: UUID | None = None
    requested_by: str | None = None
    outcome: str | None = Field(None, description="Care organization: the patient's outcome (met/partly_met/not_met)")
    outcome_reason: str | None = None
    outcome_note: str | None = None
    outcome_from_patient: bool | None = None
    checkback_answer: str | None = None
    created_at: datetime | None = None
    # Partner only, each when the consent allows it.
    patient: SharedPatientOut | None = Field(None, description="Partner: present when demographics may be shared")
    contact: SharedContactOut | None = Field(None, description="Partner: present when contact details may be shared")
    concerns: list[str] | None = Field(None, description="Partner: the needs (labels), when concerns may be shared")
    screenings: list[SharedScreeningOut] | None = None
    shared: list[str] | None = Field(None, description="Partner: the data classes shown")
    withheld: list[WithheldOut] | None = Field(None, description="Partner: what was left out and why")


class ReferralPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ReferralOut]


class ReferralIn(Schema):
    patient_id: UUID
    service_at_location_id: str = Field(description="HSDS service_at_location id of a service with a partner")
    concern_ids: list[UUID] = Field([], description="The patient's open health concerns this referral addresses")
    priority: str = "routine"
    message_to_partner: str = ""
    patient_told: str = Field("", description="What the patient was told (printed on the patient's sheet)")
    send: bool = Field(False, description="Send at once (needs a consent allowing at least demographics)")
    idempotency_key: str = Field("", max_length=MAX_CLIENT_KEY)


class StatusIn(Schema):
    status: str = Field(description="The new status, e.g. accepted, rejected, in-progress, on-hold, completed")
    reason: str = Field("", max_length=500, description="Required to reject, cancel, fail, hold or void")
    idempotency_key: str = Field("", max_length=MAX_CLIENT_KEY)


class OutcomeIn(Schema):
    outcome: str = Field(description="met, partly_met or not_met")
    reason: str = Field("", description="Why not met: " + ", ".join(NotMetReason.values))
    note: str = Field("", max_length=500)
    idempotency_key: str = Field("", max_length=MAX_CLIENT_KEY)


# --- helpers ---------------------------------------------------------------------------------------------------


def _side(user) -> str:
    if user.is_partner:
        return lifecycle.TARGET
    if user.role in WORKER_ROLES:
        return lifecycle.REQUESTER
    raise PermissionDenied


def _base(r: Referral, side: str) -> dict:
    sal = r.service_at_location
    return {
        "id": r.pk,
        "status": r.status,
        "status_label": lifecycle.label(r.status),
        "status_reason": r.status_reason,
        "status_changed_at": r.status_changed_at,
        "days_in_status": r.days_in_status,
        "priority": r.priority,
        "message_to_partner": r.message_to_partner,
        "requested_at": r.requested_at,
        "accepted_at": r.accepted_at,
        "service": {
            "service_at_location_id": str(sal.pk),
            "name": sal.service.name if sal.service else "",
            "location_name": sal.location.name if sal.location else "",
        },
        "recipient_organization": {"id": r.recipient_organization_id, "name": r.recipient_organization.name},
        "next_statuses": lifecycle.next_statuses(r.status, side),
    }


def _concerns_by_referral(referrals: list[Referral]) -> dict:
    """The concerns of a page of referrals in two queries (not one per referral)."""
    if not referrals:
        return {}
    org_ids = {r.organization_id for r in referrals}
    links = list(
        ReferralConcern.objects.filter(
            organization_id__in=org_ids, referral_id__in=[r.pk for r in referrals]
        ).values_list("referral_id", "concern_id")
    )
    concerns = {
        c.pk: c for c in HealthConcern.objects.filter(organization_id__in=org_ids, id__in={cid for _r, cid in links})
    }
    out: dict = {}
    for referral_id, concern_id in links:
        out.setdefault(referral_id, []).append(concerns[concern_id])
    for items in out.values():
        items.sort(key=lambda c: c.category)
    return out


def _partner_summaries(request, referrals: list[Referral]) -> list[dict]:
    """A partner's list, as its list page: the patient's name only where the consent allows demographics,
    every patient's consents read in one query and decided by `may_share`. The rest: GET the single referral."""
    consents: dict = {}
    if referrals:
        for c in Consent.objects.filter(
            organization_id__in={r.organization_id for r in referrals}, patient_id__in={r.patient_id for r in referrals}
        ):
            consents.setdefault(c.patient_id, []).append(c.facts())
    now = timezone.now()
    out = []
    for r in referrals:
        data = _base(r, lifecycle.TARGET)
        decision = may_share(
            r.patient, request.user.organization, rules.DEMOGRAPHICS, now, consents=consents.get(r.patient_id, [])
        )
        if decision.allowed:
            data["patient"] = {"name": f"{r.patient.legal_given_name} {r.patient.legal_family_name}"}
            data["shared"] = [rules.DEMOGRAPHICS]
        else:
            data["shared"] = []
        out.append(data)
    return out


def _worker_out(r: Referral, concerns: list) -> dict:
    return {
        **_base(r, lifecycle.REQUESTER),
        "patient_id": r.patient_id,
        "concern_categories": [c.category for c in concerns],
        "patient_told": r.patient_told,
        "consent_id": r.consent_id,
        "requested_by": r.requested_by.full_name,
        "outcome": r.outcome,
        "outcome_reason": r.outcome_reason,
        "outcome_note": r.outcome_note,
        "outcome_from_patient": r.outcome_from_patient,
        "checkback_answer": r.checkback_answer,
        "created_at": r.created_at,
    }


def _partner_out(r: Referral) -> tuple[dict, list[str]]:
    """The partner's JSON, built by the partner page's own function; returns it with the classes shown."""
    view = for_referral(r, referral_concerns(r))
    data = _base(r, lifecycle.TARGET)
    if rules.DEMOGRAPHICS in view.shared:
        data["patient"] = {
            "name": view.name,
            "birth_date": view.birth_date,
            "language": view.language,
            "interpreter_needed": view.interpreter_needed,
        }
    if rules.CONTACT in view.shared:
        contact = {"phone": view.phone, "email": view.email, "address_withheld": view.address_withheld}
        if not view.address_withheld:
            contact["address"] = view.address
        data["contact"] = contact
    if rules.CONCERNS in view.shared:
        data["concerns"] = view.concerns
    if rules.SCREENING in view.shared:
        data["screenings"] = [
            {"instrument": s["instrument"], "date": s["date"], "positive": s["positive"]} for s in view.screenings
        ]
    data["shared"] = list(view.shared)
    data["withheld"] = [{"data_class": label, "reason": reason} for label, reason in view.withheld]
    return data, view.shared


def _get(request, referral_id) -> Referral:
    if request.user.is_partner:
        return get_partner_referral(request.user, referral_id)
    if request.user.role not in WORKER_ROLES:
        raise PermissionDenied
    return get_referral_for_user(request.user, referral_id)


def _respond_one(request, r: Referral, *, audit_read: bool = True, status: int = 200):
    """The referral as this token's side sees it, with one audit read event (writes are audited by the service;
    a replay or the answer to a write still discloses the referral, so it is a read too)."""
    if request.user.is_partner:
        data, shown = _partner_out(r)
        if audit_read:
            record_event(
                request,
                AuditAction.READ,
                obj=r,
                patient_id=r.patient_id,
                organization_id=r.organization_id,
                detail={"api": True, "view": "partner_referral", "shown": shown},
            )
    else:
        data = _worker_out(r, referral_concerns(r))
        if audit_read:
            record_event(request, AuditAction.READ, obj=r, patient_id=r.patient_id, detail={"api": True})
    return Status(status, data)


def _client_key(body_key: str, header: str | None) -> str:
    body_key, header_key = body_key.strip(), (header or "").strip()
    if body_key and header_key and body_key != header_key:
        raise ValidationFailed({"idempotency_key": ["The body and the Idempotency-Key header give different keys."]})
    key = body_key or header_key
    if len(key) > MAX_CLIENT_KEY:
        raise ValidationFailed({"idempotency_key": [f"At most {MAX_CLIENT_KEY} characters."]})
    return key


def _conflict(message: str):
    return Status(409, {"detail": message})


# --- endpoints -------------------------------------------------------------------------------------------------


@router.get("/referrals", response={200: ReferralPage, **ERRORS}, exclude_unset=True)
def list_referrals(request, status: str = "", patient_id: UUID | None = None, limit: int = 50, offset: int = 0):
    """Referrals this token may read, newest first: a care organization's (`patient_id` narrows to one patient)
    or, for a partner, those sent to its organization (never drafts). A partner's list holds, like its list
    page, the patient's name only where the consent allows demographics; GET one referral for everything the
    consent allows. A fixed number of queries whatever the page size."""
    require_scope(request, "referrals:read")
    limit, offset = _page_bounds(limit, offset)
    partner = request.user.is_partner
    if partner:
        qs = Referral.objects.for_partner(request.user)
    elif request.user.role in WORKER_ROLES:
        qs = Referral.objects.visible_to(request.user)
        if patient_id:
            qs = qs.filter(patient_id=patient_id)
    else:
        raise PermissionDenied
    if status:
        qs = qs.filter(status=status)
    qs = qs.order_by("-created_at", "id")
    count = qs.count()
    items = list(qs.select_related(*_RELATED, "requested_by")[offset : offset + limit])
    if partner:
        out = _partner_summaries(request, items)
        # One read per care organization whose patients are shown, in that organization's log.
        by_org: dict = {}
        for r in items:
            by_org.setdefault(r.organization_id, []).append(r)
        for org_id, rows in by_org.items():
            record_event(
                request,
                AuditAction.READ,
                object_type="referrals.referral_list",
                organization_id=org_id,
                detail={
                    "api": True,
                    "view": "partner_referrals",
                    "patients": sorted({str(r.patient_id) for r in rows}),
                    "referrals": [str(r.pk) for r in rows],
                },
            )
    else:
        concerns = _concerns_by_referral(items)
        out = [_worker_out(r, concerns.get(r.pk, [])) for r in items]
        record_event(
            request,
            AuditAction.READ,
            object_type="referrals.referral_list",
            patient_id=patient_id,
            detail={
                "api": True,
                "patients": sorted({str(r.patient_id) for r in items}),
                "referrals": [str(r.pk) for r in items],
            },
        )
    return {"count": count, "limit": limit, "offset": offset, "items": out}


@router.get("/referrals/{referral_id}", response={200: ReferralOut, **ERRORS}, exclude_unset=True)
def get_referral(request, referral_id: UUID):
    """One referral. Another organization's referral (or one not sent to this partner) answers 404."""
    require_scope(request, "referrals:read")
    return _respond_one(request, _get(request, referral_id))


@router.post(
    "/referrals",
    response={200: ReferralOut, 201: ReferralOut, 409: ErrorOut, **ERRORS},
    exclude_unset=True,
)
def create_referral(
    request, payload: ReferralIn, idempotency_header: str | None = Header(None, alias="Idempotency-Key")
):
    """A care organization creates a referral (a draft, or sent at once with `send`), validated by the referral
    form. Partners cannot create referrals (403). A retry with the same key answers 200 with the first one."""
    require_scope(request, "referrals:write")
    if request.user.is_partner:
        raise PermissionDenied
    patient = get_rw_patient_for_referrals(request.user, payload.patient_id)
    key = scoped_key(request.user, _client_key(payload.idempotency_key, idempotency_header))
    form = ReferralForm(
        {
            "service_at_location": payload.service_at_location_id,
            "concerns": [str(c) for c in payload.concern_ids],
            "priority": payload.priority,
            "message_to_partner": payload.message_to_partner,
            "patient_told": payload.patient_told,
        },
        patient=patient,
    )
    if not form.is_valid():
        raise ValidationFailed(_form_errors(form))
    d = form.cleaned_data
    try:
        referral, replayed = make_referral_once(
            request,
            patient,
            send=payload.send,
            key=key,
            service_at_location=d["service_at_location"],
            concerns=list(d["concerns"]),
            priority=d["priority"],
            message=d["message_to_partner"],
            patient_told=d["patient_told"],
        )
    except KeyReused as exc:
        raise ValidationFailed({"idempotency_key": [exc.message]}) from None
    except (ReferralError, IllegalTransition) as exc:
        return _conflict(exc.message)
    return _respond_one(request, referral, audit_read=replayed, status=200 if replayed else 201)


@router.post(
    "/referrals/{referral_id}/status",
    response={200: ReferralOut, 409: ErrorOut, **ERRORS},
    exclude_unset=True,
)
def change_status(
    request,
    referral_id: UUID,
    payload: StatusIn,
    idempotency_header: str | None = Header(None, alias="Idempotency-Key"),
):
    """Move a referral along the Gravity lifecycle. Partners: accepted, rejected, in-progress, on-hold,
    completed, failed, cancelled (with `reason` where required; on completion, `reason` carries the partner's
    note). Care organizations: requested (sends it: consent check, disclosures, notice to the partner),
    cancelled, entered-in-error. A step the lifecycle refuses answers 409 with the translated reason; a retry
    with the same idempotency key answers 200 and changes nothing."""
    require_scope(request, "referrals:write")
    side = _side(request.user)
    referral = _get(request, referral_id)
    if side == lifecycle.REQUESTER and not may_write_referrals(request.user, referral.patient):
        raise PermissionDenied
    key = scoped_key(request.user, _client_key(payload.idempotency_key, idempotency_header))
    try:
        referral, replayed = change_status_once(
            request, referral, payload.status.strip(), side=side, reason=payload.reason, key=key
        )
    except KeyReused as exc:
        raise ValidationFailed({"idempotency_key": [exc.message]}) from None
    except (IllegalTransition, ReferralError) as exc:
        return _conflict(exc.message)
    return _respond_one(request, referral, audit_read=replayed)


@router.post(
    "/referrals/{referral_id}/outcome",
    response={200: ReferralOut, 409: ErrorOut, **ERRORS},
    exclude_unset=True,
)
def record_outcome(
    request,
    referral_id: UUID,
    payload: OutcomeIn,
    idempotency_header: str | None = Header(None, alias="Idempotency-Key"),
):
    """The care organization records whether the patient's need was met (`not_met` needs a reason). This is
    not the partner's "completed": partners close their work with the `completed` status."""
    require_scope(request, "referrals:write")
    if request.user.is_partner:
        raise PermissionDenied
    referral = _get(request, referral_id)
    if not may_write_referrals(request.user, referral.patient):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if payload.outcome not in Outcome.values:
        errors["outcome"] = ["Choose one of: " + ", ".join(Outcome.values)]
    if payload.reason and payload.reason not in NotMetReason.values:
        errors["reason"] = ["Choose one of: " + ", ".join(NotMetReason.values)]
    if errors:
        raise ValidationFailed(errors)
    key = scoped_key(request.user, _client_key(payload.idempotency_key, idempotency_header))
    try:
        referral, replayed = record_outcome_once(
            request, referral, outcome=payload.outcome, reason=payload.reason, note=payload.note, key=key
        )
    except KeyReused as exc:
        raise ValidationFailed({"idempotency_key": [exc.message]}) from None
    except ReferralError as exc:
        return Status(422, {"detail": exc.message})
    return _respond_one(request, referral, audit_read=replayed)
