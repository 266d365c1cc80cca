"""Writes (and the duplicate search) for patient records. Every write is atomic and audited."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import zipcodes
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from puente.accounts.models import User
from puente.audit.models import AuditAction
from puente.audit.services import acting_user, record_event, save_changes
from puente.core.idempotency import create_once

from .matching import NameParts, compare_names, normalize
from .models import BreakGlassAccess, Patient, PatientIdentifier, PossibleDuplicate, RelatedPerson


@dataclass(frozen=True)
class ZipInfo:
    city: str
    state: str
    county: str
    latitude: float
    longitude: float


def lookup_zip(code: str) -> ZipInfo | None:
    """Offline ZIP lookup (the `zipcodes` package); None for a ZIP the US Postal Service does not have."""
    code = (code or "").strip()[:5]
    # Five ASCII digits only: `zipcodes` (Rust) panics on other scripts' digits ("١٢٣٤٥"), a BaseException that
    # ended the request in a 500 (found by the API fuzz test); the same guard as directory/geo.py.
    if len(code) != 5 or not (code.isascii() and code.isdigit()):
        return None
    try:
        found = zipcodes.matching(code)
    except (ValueError, TypeError):
        return None
    if not found:
        return None
    z = found[0]
    return ZipInfo(
        city=z["city"],
        state=z["state"],
        county=z["county"].removesuffix(" County"),
        latitude=float(z["lat"]),
        longitude=float(z["long"]),
    )


def _search_name(p: Patient) -> str:
    return normalize(" ".join([p.legal_given_name, p.legal_middle_name, p.legal_family_name, p.preferred_name]))


def _derive(patient: Patient) -> None:
    patient.search_name = _search_name(patient)
    info = lookup_zip(patient.postal_code) if patient.postal_code else None
    if info is None:
        patient.latitude = patient.longitude = None
        return
    patient.county = info.county
    patient.latitude = Decimal(str(round(info.latitude, 6)))
    patient.longitude = Decimal(str(round(info.longitude, 6)))
    if not patient.city:
        patient.city = info.city
    if not patient.state:
        patient.state = info.state


_actor = acting_user


@transaction.atomic
def create_patient(
    request: HttpRequest | None,
    data: dict[str, Any],
    identifiers: list[tuple[str, str]] | None = None,
    *,
    user: User | None = None,
    idempotency_key: str = "",
) -> Patient:
    """Register a patient (the view has run the duplicate check). The same idempotency key again answers with the
    first record (core/idempotency.py)."""
    actor = _actor(request, user)
    patient, _replayed = create_once(
        actor.organization_id,
        actor,
        idempotency_key,
        Patient,
        lambda: _create_patient(request, data, identifiers, actor),
    )
    return patient


def _create_patient(request, data: dict[str, Any], identifiers, actor) -> Patient:
    patient = Patient(organization_id=actor.organization_id, created_by=actor, updated_by=actor, **data)
    _derive(patient)
    patient.full_clean(exclude=["organization", "created_by", "updated_by"])
    patient._history_user = actor  # type: ignore[attr-defined]
    patient.save()
    for facility, value in identifiers or []:
        PatientIdentifier.objects.create(
            organization_id=patient.organization_id, patient=patient, facility=facility, value=value
        )
    record_event(request, AuditAction.CREATE, obj=patient, patient_id=patient.pk, user=actor)
    return patient


@transaction.atomic
def update_patient(
    request: HttpRequest | None, patient: Patient, changes: dict[str, Any], *, user: User | None = None
) -> Patient:
    actor = _actor(request, user)
    changed = [k for k, v in changes.items() if getattr(patient, k) != v]
    for key, value in changes.items():
        setattr(patient, key, value)
    if not changed:
        return patient
    patient.updated_by = actor
    patient._history_user = actor  # type: ignore[attr-defined]
    _derive(patient)
    patient.full_clean(exclude=["organization", "created_by", "updated_by"])
    patient.save(
        update_fields=[
            *changed,
            "updated_by",
            "updated_at",
            "search_name",
            "county",
            "latitude",
            "longitude",
            "city",
            "state",
        ]
    )
    record_event(
        request, AuditAction.UPDATE, obj=patient, patient_id=patient.pk, user=actor, detail={"fields": sorted(changed)}
    )
    return patient


@transaction.atomic
def add_identifier(request: HttpRequest, patient: Patient, facility: str, value: str) -> PatientIdentifier:
    ident = PatientIdentifier.objects.create(
        organization_id=patient.organization_id, patient=patient, facility=facility, value=value
    )
    record_event(request, AuditAction.CREATE, obj=ident, patient_id=patient.pk)
    return ident


@transaction.atomic
def add_related_person(request: HttpRequest, patient: Patient, data: dict[str, Any]) -> RelatedPerson:
    person = RelatedPerson(organization_id=patient.organization_id, patient=patient, created_by=request.user, **data)
    person.full_clean(exclude=["organization", "patient", "created_by"])
    person.save()
    record_event(request, AuditAction.CREATE, obj=person, patient_id=patient.pk)
    return person


@transaction.atomic
def update_identifier(
    request: HttpRequest | None, ident: PatientIdentifier, facility: str, value: str, *, user: User | None = None
) -> PatientIdentifier:
    """Correct an MRN (a typo, the wrong facility); the earlier version stays in the record history."""
    actor = _actor(request, user)
    save_changes(
        request,
        ident,
        {"facility": facility, "value": value},
        actor=actor,
        patient_id=ident.patient_id,
        clean_exclude=["organization", "patient"],
    )
    return ident


@transaction.atomic
def remove_identifier(
    request: HttpRequest | None, ident: PatientIdentifier, *, user: User | None = None
) -> PatientIdentifier:
    """Remove an MRN entered by mistake. The row goes; its versions (and this removal) stay in the history."""
    actor = _actor(request, user)
    pk, patient_id = ident.pk, ident.patient_id
    ident._history_user = actor  # type: ignore[attr-defined]
    ident.delete()
    ident.pk = pk  # so that the audit row names what was removed
    record_event(request, AuditAction.DELETE, obj=ident, patient_id=patient_id, user=actor)
    return ident


@transaction.atomic
def update_related_person(
    request: HttpRequest | None, person: RelatedPerson, data: dict[str, Any], *, user: User | None = None
) -> RelatedPerson:
    actor = _actor(request, user)
    save_changes(
        request,
        person,
        data,
        actor=actor,
        patient_id=person.patient_id,
        clean_exclude=["organization", "patient", "created_by"],
    )
    return person


@transaction.atomic
def remove_related_person(
    request: HttpRequest | None, person: RelatedPerson, *, user: User | None = None
) -> RelatedPerson:
    """Remove a related person entered by mistake or no longer involved; the history keeps every version."""
    actor = _actor(request, user)
    pk, patient_id = person.pk, person.patient_id
    person._history_user = actor  # type: ignore[attr-defined]
    person.delete()
    person.pk = pk
    record_event(request, AuditAction.DELETE, obj=person, patient_id=patient_id, user=actor)
    return person


@dataclass
class DuplicateCandidate:
    patient: Patient
    score: int
    reasons: list[str]


def find_duplicate_candidates(
    organization_id: Any,
    given: str,
    family: str,
    birth_date: date | None,
    mrns: list[str] | None = None,
    exclude_id: Any = None,
) -> list[DuplicateCandidate]:
    """Records in the same organization that may be this person: same DOB with a similar name, or same MRN.

    Scans the whole organization, not only what the user may open: a duplicate the user cannot see is
    still a duplicate. The caller shows candidates with minimal identity and audits the search.
    """
    cond = Q()
    if birth_date is not None:
        cond |= Q(birth_date=birth_date)
    mrns = [m.strip() for m in (mrns or []) if m and m.strip()]
    for mrn in mrns:
        # Clerks type MRNs in either case; the number is the same.
        cond |= Q(identifiers__value__iexact=mrn)
    if not cond:
        return []
    qs = (
        Patient.objects.filter(organization_id=organization_id)
        .filter(cond)
        .distinct()
        .prefetch_related("identifiers")[:200]
    )
    new = NameParts(given, family)
    found = []
    for p in qs:
        if exclude_id is not None and p.pk == exclude_id:
            continue
        wanted = {m.upper() for m in mrns}
        same_mrn = any(i.value.upper() in wanted for i in p.identifiers.all())
        result = compare_names(new, NameParts(p.preferred_name or p.legal_given_name, p.legal_family_name))
        if p.preferred_name:
            legal = compare_names(new, NameParts(p.legal_given_name, p.legal_family_name))
            result = legal if legal.score > result.score else result
        if same_mrn:
            # Name reasons only when the names are alike; otherwise "names swapped" would be noise.
            found.append(DuplicateCandidate(p, 100, ["same_mrn", *(result.reasons if result.is_match else [])]))
        elif birth_date is not None and p.birth_date == birth_date and result.is_match:
            found.append(DuplicateCandidate(p, result.score, ["same_birth_date", *result.reasons]))
    found.sort(key=lambda c: -c.score)
    return found


def find_registration_duplicates(
    organization_id: Any, data: dict[str, Any], mrns: list[str] | None = None
) -> list[DuplicateCandidate]:
    """The registration check (UI and API alike): by the name in use, then by the legal first name when a
    preferred name differs, and by MRN."""
    given, family, born = data["legal_given_name"], data["legal_family_name"], data["birth_date"]
    preferred = data.get("preferred_name") or ""
    candidates = find_duplicate_candidates(organization_id, preferred or given, family, born, mrns)
    if preferred and given:
        seen = {c.patient.pk for c in candidates}
        more = find_duplicate_candidates(organization_id, given, family, born)
        candidates += [c for c in more if c.patient.pk not in seen]
    return candidates


@transaction.atomic
def record_possible_duplicate(
    request: HttpRequest, patient: Patient, other: Patient, note: str = ""
) -> PossibleDuplicate:
    link, _ = PossibleDuplicate.objects.get_or_create(
        organization_id=patient.organization_id,
        patient=patient,
        other=other,
        defaults={"noted_by": request.user, "note": note},
    )
    record_event(request, AuditAction.CREATE, obj=link, patient_id=patient.pk, detail={"other": str(other.pk)})
    return link


@transaction.atomic
def break_glass(request: HttpRequest, patient: Patient, reason: str) -> BreakGlassAccess:
    """Grant the requesting user time-limited access to a record outside their care team."""
    user = request.user
    grant = BreakGlassAccess.objects.create(
        organization_id=patient.organization_id,
        user=user,
        patient=patient,
        reason=reason,
        expires_at=timezone.now() + timedelta(minutes=settings.PUENTE_BREAK_GLASS_MINUTES),
    )
    record_event(request, AuditAction.BREAK_GLASS, obj=grant, patient_id=patient.pk, detail={"reason": reason})
    return grant


@transaction.atomic
def review_break_glass(request: HttpRequest, grant: BreakGlassAccess) -> BreakGlassAccess:
    grant.reviewed_by = request.user
    grant.reviewed_at = timezone.now()
    grant.save(update_fields=["reviewed_by", "reviewed_at", "updated_at"])
    record_event(request, AuditAction.UPDATE, obj=grant, patient_id=grant.patient_id, detail={"reviewed": True})
    return grant
