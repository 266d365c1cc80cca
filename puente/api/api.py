"""The JSON API for integrations, /api/v1/ (django-ninja; OpenAPI at /api/v1/openapi.json).

django-ninja over DRF: pydantic schemas give typed input and the OpenAPI document from one declaration,
with far less code and no serializer layer to keep in step. Validation reuses the UI's forms so that
the two paths can never disagree, and every read and write goes through the same permission
querysets, services and audit log as the UI.
"""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Header, NinjaAPI, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as InputError
from ninja.security import HttpBearer

from puente.accounts.models import ApiToken
from puente.audit.models import AuditAction
from puente.audit.services import record_event
from puente.core.forms import reject_markup
from puente.core.idempotency import IdempotencyConflict, find_replay
from puente.core.tenancy_guard import unscoped
from puente.episodes import services as episode_services
from puente.episodes.forms import EPISODE_FIELDS, EpisodeForm
from puente.episodes.models import Episode
from puente.patients import services as patient_services
from puente.patients.forms import PATIENT_FIELDS, PatientForm
from puente.patients.models import Patient, PatientIdentifier
from puente.patients.permissions import can_write_patient, get_patient_for_user

MAX_PAGE = 100
MAX_OFFSET = 1_000_000_000


class TokenAuth(HttpBearer):
    """Bearer tokens: looked up by SHA-256 hash; a revoked token or inactive user is refused."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        try:
            with unscoped("a bearer token is how the organization is found"):
                api_token = ApiToken.objects.active().select_related("user").get(key_hash=ApiToken.hash_key(token))
        except ApiToken.DoesNotExist:
            return None
        if not api_token.user.is_active or api_token.user.organization_id != api_token.organization_id:
            return None
        now = timezone.now()
        if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(organization_id=api_token.organization_id, pk=api_token.pk).update(last_used_at=now)
        request.user = api_token.user
        request.api_token = api_token  # type: ignore[attr-defined]
        return api_token


api = NinjaAPI(
    title="Puente API",
    version="1",
    description="Patients and episodes of care. Authenticate with `Authorization: Bearer <token>`.",
    auth=TokenAuth(),
    urls_namespace="api",
    # The interactive docs page loads Swagger UI from a CDN; Puente serves nothing from CDNs.
    docs_url=None,
)


class ErrorOut(Schema):
    """An error answer: `detail` in words; on 422 `errors` lists the problems by field."""

    detail: str
    errors: dict[str, list[str]] | None = None


# The errors every operation can answer, documented on each route so that clients (and the schemathesis run in
# tests/test_api_fuzz.py) know them: 401 no or unknown token, 403 a missing scope or a read-only role, 404 not
# found or not visible to this user, 422 invalid input.
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def require_scope(request: HttpRequest, scope: str) -> None:
    if scope not in request.auth.scopes:  # type: ignore[attr-defined]
        raise HttpError(403, f"This token lacks the {scope} scope.")


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"detail": "You do not have permission to do this."}, status=403)


class ValidationFailed(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors


@api.exception_handler(ValidationFailed)
def invalid(request, exc: ValidationFailed):
    return api.create_response(request, {"detail": "Invalid data.", "errors": exc.errors}, status=422)


@api.exception_handler(InputError)
def invalid_input(request, exc: InputError):
    """Schema errors (a missing field, "1950-02-30") answer in the same shape as form errors, keyed by field."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", ())]
        # ("body", "payload", "birth_date") for the body; ("query", "limit") or ("path", "patient_id") otherwise.
        field = ".".join(loc[2:] if loc[:1] == ["body"] else loc[1:]) or "__all__"
        errors.setdefault(field, []).append(str(error.get("msg", "Invalid value.")))
    return api.create_response(request, {"detail": "Invalid data.", "errors": errors}, status=422)


class IdentifierIn(Schema):
    facility: str = Field(min_length=1, max_length=120)
    value: str = Field(min_length=1, max_length=40)


def _check_identifiers(organization_id, identifiers: list[dict]) -> None:
    """MRNs must be plain text and not already on another record of the same facility."""
    errors = []
    for ident in identifiers:
        try:
            reject_markup(ident["facility"])
            reject_markup(ident["value"])
        except DjangoValidationError as exc:
            errors.extend(exc.messages)
        if PatientIdentifier.objects.filter(
            organization_id=organization_id, facility=ident["facility"], value=ident["value"]
        ).exists():
            errors.append(f"MRN {ident['value']} from {ident['facility']} is already on a record.")
    if errors:
        raise ValidationFailed({"identifiers": errors})


class PatientIn(Schema):
    legal_given_name: str
    legal_middle_name: str = ""
    legal_family_name: str
    preferred_name: str = ""
    birth_date: date
    sex_at_birth: str
    gender_identity: str = ""
    pronouns: str = ""
    preferred_language: str = "en"
    interpreter_needed: bool = False
    oral_interpretation_only: bool = False
    phone: str = ""
    phone_may_text: bool = False
    email: str = ""
    email_ok: bool = False
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    state: str = "NM"
    postal_code: str = ""
    address_confidential: bool = False
    insurance: str = "unknown"
    insurance_plan: str = ""
    insurance_member_id: str = ""
    advance_directive_on_file: bool = False
    deceased_date: date | None = None
    identifiers: list[IdentifierIn] = []
    confirm_new: bool = False


class PatientPatch(Schema):
    legal_given_name: str | None = None
    legal_middle_name: str | None = None
    legal_family_name: str | None = None
    preferred_name: str | None = None
    birth_date: date | None = None
    sex_at_birth: str | None = None
    gender_identity: str | None = None
    pronouns: str | None = None
    preferred_language: str | None = None
    interpreter_needed: bool | None = None
    oral_interpretation_only: bool | None = None
    phone: str | None = None
    phone_may_text: bool | None = None
    email: str | None = None
    email_ok: bool | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    address_confidential: bool | None = None
    insurance: str | None = None
    insurance_plan: str | None = None
    insurance_member_id: str | None = None
    advance_directive_on_file: bool | None = None
    deceased_date: date | None = None


class IdentifierOut(Schema):
    facility: str
    value: str


class PatientOut(Schema):
    id: UUID
    legal_given_name: str
    legal_middle_name: str
    legal_family_name: str
    preferred_name: str
    birth_date: date
    sex_at_birth: str
    gender_identity: str
    pronouns: str
    preferred_language: str
    interpreter_needed: bool
    oral_interpretation_only: bool
    phone: str
    email: str
    address_line1: str | None
    address_line2: str | None
    city: str | None
    state: str | None
    postal_code: str | None
    county: str | None
    address_confidential: bool
    insurance: str | None
    insurance_plan: str | None
    advance_directive_on_file: bool
    deceased_date: date | None
    identifiers: list[IdentifierOut]
    created_at: datetime
    updated_at: datetime


class PatientPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[PatientOut]


class DuplicateOut(Schema):
    detail: str
    candidates: list[dict[str, Any]]


class EpisodeIn(Schema):
    patient_id: UUID
    setting: str
    facility: str = ""
    unit_id: UUID | None = None
    team_id: UUID | None = None
    assigned_worker_id: int | None = None
    start: datetime
    end: datetime | None = None
    status: str = "active"
    attending: str = ""
    payer: str = ""
    discharge_disposition: str = ""


class EpisodePatch(Schema):
    setting: str | None = None
    facility: str | None = None
    unit_id: UUID | None = None
    team_id: UUID | None = None
    assigned_worker_id: int | None = None
    start: datetime | None = None
    end: datetime | None = None
    status: str | None = None
    attending: str | None = None
    payer: str | None = None
    discharge_disposition: str | None = None


class EpisodeOut(Schema):
    id: UUID
    patient_id: UUID
    setting: str
    facility: str
    unit_id: UUID | None
    team_id: UUID | None
    assigned_worker_id: int | None
    start: datetime
    end: datetime | None
    status: str
    attending: str
    payer: str
    discharge_disposition: str


class EpisodePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[EpisodeOut]


# What the care team does not see, as in the UI's reduced record (templates/patients/detail.html).
REDUCED_FIELDS = (
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "county",
    "insurance",
    "insurance_plan",
)


def _patient_out(p: Patient, reduced: bool) -> dict:
    data = {f: getattr(p, f) for f in PatientOut.model_fields if f not in ("id", "identifiers")}
    data["id"] = p.pk
    data["identifiers"] = [] if reduced else [{"facility": i.facility, "value": i.value} for i in p.identifiers.all()]
    if reduced:
        for f in REDUCED_FIELDS:
            data[f] = None
    return data


def _form_errors(form) -> dict[str, list[str]]:
    return {k: [str(m) for m in v] for k, v in form.errors.items()}


def _page_bounds(limit: int, offset: int) -> tuple[int, int]:
    # The offset is clamped too: a huge one (2**63, found by schemathesis) overflowed the database's integer
    # and answered 500; past any real table the page is empty anyway.
    return max(1, min(limit, MAX_PAGE)), min(max(0, offset), MAX_OFFSET)


@api.get("/patients", response={200: PatientPage, **ERRORS}, tags=["patients"])
def list_patients(request, q: str = "", limit: int = 50, offset: int = 0):
    require_scope(request, "patients:read")
    limit, offset = _page_bounds(limit, offset)
    qs = Patient.objects.visible_to(request.user).order_by("legal_family_name", "legal_given_name", "id")
    if q:
        from puente.patients.matching import normalize

        for word in normalize(q).split():
            qs = qs.filter(search_name__contains=word)
    count = qs.count()
    patients = list(qs.prefetch_related("identifiers")[offset : offset + limit])
    record_event(
        request,
        AuditAction.READ,
        object_type="patients.patient_list",
        detail={"api": True, "patients": [str(p.pk) for p in patients]},
    )
    return {
        "count": count,
        "limit": limit,
        "offset": offset,
        "items": [_patient_out(p, request.user.has_reduced_view) for p in patients],
    }


@api.get("/patients/{patient_id}", response={200: PatientOut, **ERRORS}, tags=["patients"])
def get_patient(request, patient_id: UUID):
    require_scope(request, "patients:read")
    patient = get_patient_for_user(request.user, patient_id)
    record_event(request, AuditAction.READ, obj=patient, patient_id=patient.pk, detail={"api": True})
    return _patient_out(patient, request.user.has_reduced_view)


def _replay(request, key: str | None, model, *, scope=""):
    """The record an earlier request with this `Idempotency-Key` created (None: a new or no key); a key of another
    user or another kind of record is refused as invalid input, without showing that record."""
    try:
        return find_replay(request.user.organization_id, request.user, key or "", model, scope=scope)
    except IdempotencyConflict as exc:
        raise ValidationFailed({"idempotency_key": [exc.message]}) from None


IDEMPOTENCY_HEADER = Header(
    None,
    alias="Idempotency-Key",
    description="A retry with the same key creates nothing and answers 200 with the first record (7 days).",
)


@api.post("/patients", response={200: PatientOut, 201: PatientOut, 409: DuplicateOut, **ERRORS}, tags=["patients"])
def create_patient(request, payload: PatientIn, idempotency_key: str | None = IDEMPOTENCY_HEADER):
    """Creates a patient. Possible duplicates answer 409 with candidates unless `confirm_new` is true."""
    require_scope(request, "patients:write")
    if not can_write_patient(request.user):
        raise PermissionDenied
    # Before the duplicate check: a retried request must not be told its own first patient is a duplicate.
    if (earlier := _replay(request, idempotency_key, Patient)) is not None:
        return Status(200, _patient_out(earlier, False))
    data = payload.dict()
    confirm = data.pop("confirm_new")
    _check_identifiers(request.user.organization_id, data.pop("identifiers"))
    form = PatientForm({k: ("" if v is None else v) for k, v in data.items()})
    if not form.is_valid():
        raise ValidationFailed(_form_errors(form))
    clean = {k: form.cleaned_data[k] for k in PATIENT_FIELDS}
    if not confirm:
        mrns = [i.value for i in payload.identifiers]
        candidates = patient_services.find_registration_duplicates(request.user.organization_id, clean, mrns)
        if candidates:
            record_event(
                request,
                AuditAction.SEARCH,
                object_type="patients.duplicate_check",
                detail={"api": True, "candidates": [str(c.patient.pk) for c in candidates]},
            )
            visible = set(
                Patient.objects.visible_to(request.user)
                .filter(pk__in=[c.patient.pk for c in candidates])
                .values_list("pk", flat=True)
            )
            return Status(
                409,
                {
                    "detail": "Possible duplicates found; resend with confirm_new=true to create anyway.",
                    "candidates": [
                        {
                            "id": str(c.patient.pk),
                            "name": c.patient.legal_name,
                            "birth_date": c.patient.birth_date.isoformat(),
                            "score": c.score,
                            "reasons": c.reasons,
                            "visible": c.patient.pk in visible,
                        }
                        for c in candidates
                    ],
                },
            )
    try:
        patient = patient_services.create_patient(
            request,
            clean,
            [(i.facility, i.value) for i in payload.identifiers],
            idempotency_key=idempotency_key or "",
        )
    except IdempotencyConflict as exc:
        raise ValidationFailed({"idempotency_key": [exc.message]}) from None
    return Status(201, _patient_out(patient, False))


def _unchanged(obj, changes: dict) -> bool:
    return all(getattr(obj, k) == v for k, v in changes.items())


@api.patch("/patients/{patient_id}", response={200: PatientOut, **ERRORS}, tags=["patients"])
def update_patient(request, patient_id: UUID, payload: PatientPatch):
    require_scope(request, "patients:write")
    patient = get_patient_for_user(request.user, patient_id)
    if not can_write_patient(request.user):
        raise PermissionDenied
    current = {f: getattr(patient, f) for f in PATIENT_FIELDS}
    current.update(payload.dict(exclude_unset=True))
    form = PatientForm(
        {k: ("" if v is None else v) for k, v in current.items()},
        instance=Patient.objects.get(organization_id=patient.organization_id, pk=patient.pk),
    )
    if not form.is_valid():
        raise ValidationFailed(_form_errors(form))
    changes = {k: form.cleaned_data[k] for k in PATIENT_FIELDS}
    if _unchanged(patient, changes):
        # The service writes nothing (so no update event), but the response still discloses the record.
        record_event(request, AuditAction.READ, obj=patient, patient_id=patient.pk, detail={"api": True})
        return _patient_out(patient, False)
    patient = patient_services.update_patient(request, patient, changes)
    return _patient_out(patient, False)


def _episode_form_data(values: dict) -> dict:
    """Schema values as form data. Datetimes pass through as objects: formatting them for the UI's
    minute-resolution widget would drop the seconds, and a PATCH would then rewrite an unnamed `start`."""
    mapped = {}
    for k, v in values.items():
        key = k.removesuffix("_id") if k in ("unit_id", "team_id", "assigned_worker_id") else k
        mapped[key] = "" if v is None else v
    return mapped


def _get_episode_for_user(user, episode_id) -> Episode:
    try:
        return Episode.objects.visible_to(user).get(pk=episode_id)
    except Episode.DoesNotExist:
        raise Http404 from None


@api.get("/episodes", response={200: EpisodePage, **ERRORS}, tags=["episodes"])
def list_episodes(request, patient_id: UUID | None = None, limit: int = 50, offset: int = 0):
    require_scope(request, "episodes:read")
    limit, offset = _page_bounds(limit, offset)
    qs = Episode.objects.visible_to(request.user).order_by("-start", "id")
    if patient_id:
        qs = qs.filter(patient_id=patient_id)
    count = qs.count()
    items = list(qs[offset : offset + limit])
    record_event(
        request,
        AuditAction.READ,
        object_type="episodes.episode_list",
        patient_id=patient_id,
        detail={"api": True, "patients": sorted({str(e.patient_id) for e in items})},
    )
    return {"count": count, "limit": limit, "offset": offset, "items": items}


@api.get("/episodes/{episode_id}", response={200: EpisodeOut, **ERRORS}, tags=["episodes"])
def get_episode(request, episode_id: UUID):
    require_scope(request, "episodes:read")
    episode = _get_episode_for_user(request.user, episode_id)
    record_event(request, AuditAction.READ, obj=episode, patient_id=episode.patient_id, detail={"api": True})
    return episode


@api.post("/episodes", response={200: EpisodeOut, 201: EpisodeOut, **ERRORS}, tags=["episodes"])
def create_episode(request, payload: EpisodeIn, idempotency_key: str | None = IDEMPOTENCY_HEADER):
    require_scope(request, "episodes:write")
    patient = get_patient_for_user(request.user, payload.patient_id)
    if not can_write_patient(request.user):
        raise PermissionDenied
    if (earlier := _replay(request, idempotency_key, Episode, scope=patient.pk)) is not None:
        return Status(200, earlier)
    data = payload.dict()
    data.pop("patient_id")
    form = EpisodeForm(_episode_form_data(data), organization_id=patient.organization_id)
    if not form.is_valid():
        raise ValidationFailed(_form_errors(form))
    try:
        episode = episode_services.create_episode(
            request,
            patient,
            {k: form.cleaned_data[k] for k in EPISODE_FIELDS},
            idempotency_key=idempotency_key or "",
        )
    except IdempotencyConflict as exc:
        raise ValidationFailed({"idempotency_key": [exc.message]}) from None
    return Status(201, episode)


@api.patch("/episodes/{episode_id}", response={200: EpisodeOut, **ERRORS}, tags=["episodes"])
def update_episode(request, episode_id: UUID, payload: EpisodePatch):
    require_scope(request, "episodes:write")
    episode = _get_episode_for_user(request.user, episode_id)
    if not can_write_patient(request.user):
        raise PermissionDenied
    current = {f if f not in ("unit", "team", "assigned_worker") else f + "_id": None for f in EPISODE_FIELDS}
    for key in current:
        current[key] = getattr(episode, key)
    current.update(payload.dict(exclude_unset=True))
    form = EpisodeForm(
        _episode_form_data(current),
        instance=Episode.objects.get(organization_id=episode.organization_id, pk=episode.pk),
        organization_id=episode.organization_id,
    )
    if not form.is_valid():
        raise ValidationFailed(_form_errors(form))
    changes = {k: form.cleaned_data[k] for k in EPISODE_FIELDS}
    if _unchanged(episode, changes):
        # As for patients: no write, but the response is a read of the episode.
        record_event(request, AuditAction.READ, obj=episode, patient_id=episode.patient_id, detail={"api": True})
        return episode
    return episode_services.update_episode(request, episode, changes)


# Registered last: the screening module imports require_scope and ValidationFailed from this one.
from puente.api.screening import router as screening_router  # noqa: E402

api.add_router("", screening_router, tags=["screening"])

from puente.api.referrals import router as referrals_router  # noqa: E402

api.add_router("", referrals_router, tags=["referrals"])
