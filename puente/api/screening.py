"""Screening over the JSON API: the instrument library, submitting a response, reading results.

Instruments are data (puente/screening/instruments/*.json) and hold no patient data, so reading them needs only
the `screening:read` scope and leaves no audit row. Submissions go through `submit_screening`, the same service
as the UI: validation, scoring, answers stored one per FHIR Observation, suggested concerns and crisis alerts,
all in one transaction and audited there. Results are read through the permission-filtered querysets, with one
audit read event per request.
"""

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from ninja import Field, Header, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import WithJsonSchema

from puente.accounts.models import Role
from puente.api.api import ERRORS, ValidationFailed, _page_bounds, require_scope
from puente.audit.models import AuditAction
from puente.audit.services import record_event
from puente.core.forms import reject_markup
from puente.patients.models import Patient
from puente.patients.permissions import WRITER_ROLES, get_patient_for_user
from puente.screening.library import all_instruments, get_instrument
from puente.screening.models import CrisisAlert, HealthConcern, Mode, ScreeningAnswer, ScreeningResponse
from puente.screening.permissions import sees_item_answers
from puente.screening.services import InvalidAnswers, submit_screening

router = Router(tags=["screening"])

# Nurses and other care-team members screen too (PHQ-2 at admission is routine nursing work), so the care team
# may submit screenings although it may not edit the patient's record. Everyone else: as for patient writes.
SCREENING_WRITER_ROLES = (*WRITER_ROLES, Role.CARE_TEAM)
MAX_ANSWERS = 200
MAX_KEY = 64  # the stored key adds "api:<user id>:" and must fit the column (80)
FUTURE_LEEWAY = timedelta(minutes=5)  # clock skew between an integration and the server


# --- instruments ---------------------------------------------------------------------------------------------


class LangText(Schema):
    en: str
    es: str


class TranslationOut(Schema):
    status: Literal["official", "reviewed", "needs_review"]
    source: str = ""


class InstrumentSummaryOut(Schema):
    id: str
    version: str
    title: LangText
    short_title: LangText | None
    loinc_panel: str | None
    rule: str
    rule_pending_verification: bool
    translation: dict[str, TranslationOut] = Field(
        description="Per language other than English (the original): how far the translation can be trusted."
    )
    administration: list[str] = Field(description='"staff" (staff-administered), "self" (patient self-screening).')


class AnswerOptionOut(Schema):
    code: str = Field(description="LOINC answer (LA) code")
    value: int | None = Field(description="Points, where the answer is scored")
    text: LangText


class EnableWhenOut(Schema):
    item: str
    answer: str


class ItemOut(Schema):
    code: str = Field(description='LOINC item code, or "local:<name>" where LOINC has none')
    text: LangText
    type: Literal["choice", "multi", "integer", "boolean-choice", "text"]
    required: bool
    scored: bool
    domain: str | None = Field(description="Gravity SDOH category this item screens, if any")
    pending_verification: bool
    enable_when: list[EnableWhenOut] = Field(description="The item applies only when all of these hold")
    answer_list: str | None
    answers: list[AnswerOptionOut] = Field(description="The item's answer list plus answers accepted on it only")
    exclusive: list[str] = Field(description="multi only: answers that cannot be combined with others")
    min: int | None
    max: int | None


class InstrumentOut(InstrumentSummaryOut):
    source: str
    instructions: LangText | None
    result_codes: dict[str, str] = Field(description="LOINC codes of derived results (e.g. the total)")
    items: list[ItemOut]


def _summary(inst: dict) -> dict:
    return {
        "id": inst["id"],
        "version": inst["version"],
        "title": inst["title"],
        "short_title": inst.get("short_title"),
        "loinc_panel": inst.get("loinc_panel"),
        "rule": inst["rule"],
        "rule_pending_verification": bool(inst.get("rule_pending_verification", False)),
        "translation": inst["translation"],
        "administration": inst.get("administration", ["staff"]),
    }


def _options(inst: dict, item: dict) -> list[dict]:
    return list(inst["answer_lists"].get(item.get("answer_list", ""), [])) + item.get("extra_answers", [])


def _definition(inst: dict) -> dict:
    return {
        **_summary(inst),
        "source": inst["source"],
        "instructions": inst.get("instructions"),
        "result_codes": inst.get("result_codes", {}),
        "items": [
            {
                "code": item["code"],
                "text": item["text"],
                "type": item["type"],
                "required": item.get("required", True),
                "scored": item.get("scored", False),
                "domain": item.get("domain"),
                "pending_verification": item.get("pending_verification", False),
                "enable_when": item.get("enable_when", []),
                "answer_list": item.get("answer_list"),
                "answers": [
                    {"code": o["code"], "value": o.get("value"), "text": o["text"]} for o in _options(inst, item)
                ],
                "exclusive": item.get("exclusive", []),
                "min": item.get("min"),
                "max": item.get("max"),
            }
            for item in inst["items"]
        ],
    }


def _instrument_or_404(instrument_id: str) -> dict:
    try:
        return get_instrument(instrument_id)
    except LookupError:
        raise HttpError(404, f"There is no instrument {instrument_id!r}; GET /api/v1/instruments lists them.")


@router.get("/instruments", response={200: list[InstrumentSummaryOut], **ERRORS})
def list_instruments(request):
    """Every instrument in the library. Holds no patient data, so it is not audited."""
    require_scope(request, "screening:read")
    return [_summary(inst) for inst in all_instruments().values()]


@router.get("/instruments/{instrument_id}", response={200: InstrumentOut, **ERRORS})
def get_instrument_definition(request, instrument_id: str):
    """The full definition: items (by LOINC code) in order, with answer lists, LA codes, points, skip logic
    (`enable_when`) and English and Spanish text. Holds no patient data, so it is not audited."""
    require_scope(request, "screening:read")
    return _definition(_instrument_or_404(instrument_id))


# --- screenings ----------------------------------------------------------------------------------------------

Answers = Annotated[
    dict[str, Any],
    WithJsonSchema(
        {
            "type": "object",
            "description": "Answers keyed by item code: an LA code (choice), a list of LA codes (multi), "
            "a whole number (integer) or text. Unanswered items are left out.",
            "additionalProperties": {
                "anyOf": [
                    {"type": "string"},
                    {"type": "integer"},
                    {"type": "array", "items": {"type": "string"}},
                    {"type": "null"},
                ]
            },
            "example": {"44250-9": "LA6569-3", "44255-8": "LA6568-5"},
        }
    ),
]


class ScreeningIn(Schema):
    instrument_id: str = Field(max_length=40)
    answers: Answers
    mode: Literal[tuple(Mode.values)] = Mode.IN_PERSON.value  # type: ignore[valid-type]
    language: Literal["en", "es"] = "en"
    effective_at: datetime | None = Field(None, description="When it was done; now if left out")
    proxy_name: str = Field("", max_length=200, description='The caregiver who answered, with mode "proxy"')
    idempotency_key: str = Field(
        "",
        max_length=MAX_KEY,
        description="Or the Idempotency-Key header: a retry with the same key is not stored twice",
    )


class AlertOut(Schema):
    id: UUID
    kind: str
    status: str


class ConcernOut(Schema):
    id: UUID
    category: str = Field(description="Gravity SDOH category code")
    icd10_code: str = Field(description="Suggested ICD-10-CM Z code; the worker accepts, edits or dismisses it")
    icd10_title: str
    status: str


class AnswerOut(Schema):
    item_code: str = Field(description="LOINC item code (the Observation's code)")
    answer_code: str | None = Field(description="LA code for a choice answer (valueCodeableConcept)")
    value: int | str | None = Field(description="The choice's points, the whole number, or the text")


class ScreeningOut(Schema):
    id: UUID
    patient_id: UUID
    instrument_id: str
    instrument_version: str
    rule: str | None
    source: str | None = Field(description="The rule's source, from the instrument file")
    language: str
    mode: str
    self_reported: bool
    proxy_name: str
    performer_id: int | None
    effective_at: datetime
    total: int | None = Field(description="None when items are missing: never pro-rated")
    band: str | None
    positive: bool | None
    positive_domains: list[str]
    missing_items: list[str]
    complete: bool
    pending_verification: bool = Field(description="The result uses a rule that is not yet verified")
    alerts: list[AlertOut] = Field(description="Crisis alerts raised by this screening")
    concerns: list[ConcernOut] = Field(description="Health concerns suggested by this screening")
    answers: list[AnswerOut]
    created_at: datetime


class ScreeningPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ScreeningOut]


def _with_related(qs):
    return qs.prefetch_related(
        Prefetch("answers", queryset=ScreeningAnswer.objects.order_by("item_code", "answer_code")),
        Prefetch("crisis_alerts", queryset=CrisisAlert.objects.order_by("created_at")),
        Prefetch("concerns", queryset=HealthConcern.objects.order_by("created_at")),
    )


def _position(seq: list, value, default: int) -> int:
    return seq.index(value) if value in seq else default


def _screening_out(r: ScreeningResponse, reduced: bool = False) -> dict:
    """The same body for a first submission, its replay and a later read: everything in a stable order.

    `reduced` (the care team's view) leaves out the item-by-item answers: the result and needs are what the
    care team needs; answers about abuse or suicidal thoughts are not."""
    try:
        inst = get_instrument(r.instrument_id)
    except LookupError:  # an instrument withdrawn from the library: its stored results stay readable
        inst = None
    items = [i["code"] for i in inst["items"]] if inst else []
    option_order = {i["code"]: [o["code"] for o in _options(inst, i)] for i in inst["items"]} if inst else {}
    answers = sorted(
        r.answers.all(),
        key=lambda a: (
            _position(items, a.item_code, len(items)),
            a.item_code,
            _position(option_order.get(a.item_code, []), a.answer_code, 0),
        ),
    )
    domains = list(r.positive_domains or [])
    kinds = list(r.alerts or [])
    return {
        "id": r.pk,
        "patient_id": r.patient_id,
        "instrument_id": r.instrument_id,
        "instrument_version": r.instrument_version,
        "rule": inst["rule"] if inst else None,
        "source": inst["source"] if inst else None,
        "language": r.language,
        "mode": r.mode,
        "self_reported": r.self_reported,
        "proxy_name": r.proxy_name,
        "performer_id": r.performer_id,
        "effective_at": r.effective_at,
        "total": r.total,
        "band": r.band or None,
        "positive": r.positive,
        "positive_domains": domains,
        "missing_items": list(r.missing_items or []),
        "complete": r.complete,
        "pending_verification": r.pending_verification,
        "alerts": [
            {"id": a.pk, "kind": a.kind, "status": a.status}
            for a in sorted(r.crisis_alerts.all(), key=lambda a: (_position(kinds, a.kind, len(kinds)), a.kind))
        ],
        "concerns": [
            {
                "id": c.pk,
                "category": c.category,
                "icd10_code": c.icd10_code,
                "icd10_title": c.icd10_title,
                "status": c.status,
            }
            for c in sorted(r.concerns.all(), key=lambda c: (_position(domains, c.category, len(domains)), c.category))
        ],
        "answers": [
            {
                "item_code": a.item_code,
                "answer_code": a.answer_code or None,
                # A choice's points or a whole number are in value_integer; free text in value_text.
                "value": a.value_text if a.value_text else a.value_integer,
            }
            for a in ([] if reduced else answers)
        ],
        "created_at": r.created_at,
    }


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_codes(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))


# What JSON each item type takes. The service would truncate a float or a boolean with int(), and fails with a
# TypeError (a 500) on a number for a multi item or a nested list; so the API refuses those itself.
ANSWER_TYPES = {
    "choice": (_is_codes, "Answer with an LA code from this question's list."),
    "boolean-choice": (_is_codes, "Answer with an LA code from this question's list."),
    "multi": (_is_codes, "Answer with a list of LA codes from this question's list."),
    "integer": (lambda v: _is_int(v) or isinstance(v, str), "Enter a whole number."),
    "text": (lambda v: isinstance(v, str) or _is_int(v), "Answer with text."),
}


def _check_answer_types(inst: dict, answers: dict[str, Any]) -> None:
    """Each answer's JSON type against its item's type, with errors keyed by item code like the service's.
    Unknown items and unanswered ones (null, "", []) are left to the service."""
    if len(answers) > MAX_ANSWERS:
        raise ValidationFailed({"answers": [f"At most {MAX_ANSWERS} answers."]})
    items = {i["code"]: i for i in inst["items"]}
    errors: dict[str, list[str]] = {}
    for code, value in answers.items():
        item = items.get(code)
        if item is None or value is None or value == "" or value == []:
            continue
        accepts, message = ANSWER_TYPES[item["type"]]
        if not accepts(value):
            errors[code] = [message]
    if errors:
        raise ValidationFailed(errors)


def _check_context(payload: ScreeningIn, inst: dict, patient: Patient) -> datetime | None:
    """Mode, proxy and date checks the service leaves to its callers. Returns an aware effective time."""
    errors: dict[str, list[str]] = {}
    if payload.mode in (Mode.SELF, Mode.PROXY) and "self" not in inst.get("administration", ["staff"]):
        errors["mode"] = [f"{inst['id']} is staff-administered only; it cannot be self-reported or done by a proxy."]
    proxy_name = payload.proxy_name.strip()
    if payload.mode == Mode.PROXY and not proxy_name:
        errors["proxy_name"] = ["Name the caregiver who answered."]
    elif proxy_name and payload.mode != Mode.PROXY:
        errors["proxy_name"] = ['A proxy name goes with mode "proxy" only.']
    else:
        try:
            reject_markup(proxy_name)
        except DjangoValidationError as exc:
            errors["proxy_name"] = list(exc.messages)
    when = payload.effective_at
    if when is not None:
        if timezone.is_naive(when):
            when = timezone.make_aware(when)
        if when > timezone.now() + FUTURE_LEEWAY:
            errors.setdefault("effective_at", []).append("A screening cannot be in the future.")
        if timezone.localtime(when).date() < patient.birth_date:
            errors.setdefault("effective_at", []).append("A screening cannot be before the patient's birth.")
    day = timezone.localtime(when).date() if when is not None else timezone.localdate()
    if patient.deceased_date and day > patient.deceased_date:
        errors.setdefault("effective_at", []).append("A screening cannot be after the patient's death.")
    if errors:
        raise ValidationFailed(errors)
    return when


def _idempotency_key(payload: ScreeningIn, header: str | None) -> str:
    body_key, header_key = payload.idempotency_key.strip(), (header or "").strip()
    if body_key and header_key and body_key != header_key:
        raise ValidationFailed({"idempotency_key": ["The body and the Idempotency-Key header give different keys."]})
    key = body_key or header_key
    if len(key) > MAX_KEY:
        raise ValidationFailed({"idempotency_key": [f"At most {MAX_KEY} characters."]})
    return key


def _key_reused(existing: ScreeningResponse, patient: Patient, instrument_id: str) -> None:
    if existing.patient_id != patient.pk or existing.instrument_id != instrument_id:
        raise ValidationFailed(
            {"idempotency_key": ["This key was already used for another submission; use a new key for each one."]}
        )


@router.post(
    "/patients/{patient_id}/screenings",
    response={200: ScreeningOut, 201: ScreeningOut, **ERRORS},
)
def submit(
    request,
    patient_id: UUID,
    payload: ScreeningIn,
    idempotency_header: str | None = Header(None, alias="Idempotency-Key"),
):
    """Submit one instrument for a patient: answers keyed by LOINC item code, with LA answer codes.

    Who may submit: the social worker, supervisor and intake roles, as for other writes, **and the care team**
    (nurses screen, e.g. the PHQ-2 at admission) — always only for patients they have a care relationship with
    (break-the-glass access opens a record read-only). Others get 404 (no access) or 403 (read-only access).

    Answers `201` with the scored result, the crisis alerts raised and the health concerns suggested. A retry
    with the same idempotency key (body `idempotency_key` or the `Idempotency-Key` header; keys are per user)
    stores nothing and answers `200` with the first submission's body; the same key for another patient or
    instrument is refused. Answers that do not fit the instrument answer `422` with errors keyed by item code
    (or `__all__`), and nothing is saved. An unknown instrument answers `404`.
    """
    require_scope(request, "screening:write")
    patient = get_patient_for_user(request.user, patient_id)
    if request.user.role not in SCREENING_WRITER_ROLES:
        raise PermissionDenied
    if not Patient.objects.visible_to(request.user, break_glass=False).filter(pk=patient.pk).exists():
        raise PermissionDenied
    inst = _instrument_or_404(payload.instrument_id)
    client_key = _idempotency_key(payload, idempotency_header)
    key = f"api:{request.user.pk}:{client_key}" if client_key else ""
    if key:
        existing = ScreeningResponse.objects.filter(organization_id=patient.organization_id, idempotency_key=key)
        existing = existing.only("id", "patient_id", "instrument_id").first()
        if existing is not None:
            _key_reused(existing, patient, inst["id"])
    _check_answer_types(inst, payload.answers)
    when = _check_context(payload, inst, patient)
    try:
        sub = submit_screening(
            request,
            patient,
            inst["id"],
            payload.answers,
            mode=payload.mode,
            language=payload.language,
            effective_at=when,
            proxy_name=payload.proxy_name.strip(),
            idempotency_key=key,
        )
    except InvalidAnswers as exc:
        raise ValidationFailed({code: [str(m) for m in messages] for code, messages in exc.errors.items()})
    if not sub.created:
        _key_reused(sub.response, patient, inst["id"])  # a concurrent first use that won the race
    response = _with_related(
        ScreeningResponse.objects.filter(organization_id=patient.organization_id, pk=sub.response.pk)
    ).get()
    if not sub.created:
        # Nothing written, but the replay discloses the stored result, so it is a read.
        record_event(
            request, AuditAction.READ, obj=response, patient_id=patient.pk, detail={"api": True, "replay": True}
        )
        return Status(200, _screening_out(response, not sees_item_answers(request.user)))
    return Status(201, _screening_out(response, not sees_item_answers(request.user)))


@router.get("/patients/{patient_id}/screenings", response={200: ScreeningPage, **ERRORS})
def list_screenings(request, patient_id: UUID, instrument_id: str = "", limit: int = 50, offset: int = 0):
    """The patient's screenings, newest first; `instrument_id` narrows to one instrument."""
    require_scope(request, "screening:read")
    patient = get_patient_for_user(request.user, patient_id)
    limit, offset = _page_bounds(limit, offset)
    qs = ScreeningResponse.objects.visible_to(request.user).filter(patient=patient).order_by("-effective_at", "id")
    if instrument_id:
        qs = qs.filter(instrument_id=instrument_id)
    count = qs.count()
    items = list(_with_related(qs)[offset : offset + limit])
    record_event(
        request,
        AuditAction.READ,
        object_type="screening.screeningresponse_list",
        patient_id=patient.pk,
        detail={"api": True, "screenings": [str(r.pk) for r in items]},
    )
    return {
        "count": count,
        "limit": limit,
        "offset": offset,
        "items": [_screening_out(r, not sees_item_answers(request.user)) for r in items],
    }


@router.get("/screenings/{screening_id}", response={200: ScreeningOut, **ERRORS})
def get_screening(request, screening_id: UUID):
    require_scope(request, "screening:read")
    try:
        response = _with_related(ScreeningResponse.objects.visible_to(request.user)).get(pk=screening_id)
    except ScreeningResponse.DoesNotExist:
        raise Http404 from None
    record_event(request, AuditAction.READ, obj=response, patient_id=response.patient_id, detail={"api": True})
    return _screening_out(response, not sees_item_answers(request.user))
