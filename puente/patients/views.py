"""Patient record pages. Each view: parse, authorize, call one service, render; one audit row per read."""

import re
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.forms import HiddenInput
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from puente.audit.models import AuditAction, AuditEvent
from puente.audit.services import record_event
from puente.core.forms import refuse_idempotency_key
from puente.core.idempotency import IdempotencyConflict, find_replay
from puente.core.paging import page_of

from . import services
from .forms import (
    PATIENT_FIELDS,
    BreakGlassForm,
    IdentifierForm,
    NewPatientForm,
    PatientForm,
    PatientSearchForm,
    RelatedPersonForm,
)
from .history import HISTORY_LIMIT, build_history
from .matching import normalize
from .models import BreakGlassAccess, Patient, PatientIdentifier, RelatedPerson
from .permissions import can_break_glass, can_write_patient, get_patient_for_user, get_rw_patient_for_user

PAGE_SIZE = 25
_DATE_US = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def _episode_model():
    # The episodes app depends on this one; reach its model through the reverse relation.
    return Patient._meta.get_field("episodes").related_model


def active_episodes_prefetch() -> Prefetch:
    episode = _episode_model()
    return Prefetch(
        "episodes",
        queryset=episode.objects.filter(status=episode.Status.ACTIVE).select_related("assigned_worker", "team"),
        to_attr="active_episodes",
    )


def header_context(patient: Patient, user) -> dict:
    """What the patient header shows on every patient page."""
    episode = (
        _episode_model()
        .objects.filter(organization_id=patient.organization_id, patient=patient, status="active")
        .select_related("assigned_worker", "team")
        .first()
    )
    glass = (
        BreakGlassAccess.objects.filter(organization_id=patient.organization_id, user=user, patient=patient)
        .order_by("-expires_at")
        .first()
    )
    # Screening sits above this app: read its rows through the reverse relations, not an import.
    # One banner per kind of alert: two screens that both found suicide risk are one thing to act on.
    open_alerts = list(
        {a.kind: a for a in patient.crisis_alerts.filter(status="open").order_by("-created_at")}.values()
    )
    concern_categories = sorted(
        set(patient.health_concerns.filter(status__in=["suggested", "active"]).values_list("category", flat=True))
    )
    return {
        "patient": patient,
        "episode": episode,
        "open_alerts": open_alerts,
        "concern_categories": concern_categories,
        "break_glass": glass if glass and glass.is_active else None,
        "reduced": user.has_reduced_view,
        "can_write": can_write_patient(user),
    }


def render_patient_page(
    request: HttpRequest, template: str, patient: Patient, ctx: dict | None = None, view: str = ""
) -> HttpResponse:
    """Render a page that shows this patient, writing its one audit read event."""
    full = header_context(patient, request.user)
    full.update(ctx or {})
    record_event(request, AuditAction.READ, obj=patient, patient_id=patient.pk, detail={"view": view} if view else None)
    return render(request, template, full)


def _parse_date(q: str):
    m = _DATE_US.match(q)
    try:
        if m:
            return datetime(int(m[3]), int(m[1]), int(m[2])).date()
        return datetime.strptime(q, "%Y-%m-%d").date()
    except ValueError:
        return None


OUTSIDE_LIMIT = 10


def _search_filter(q: str) -> Q:
    """A date of birth, an MRN, or words of the name (accents and case ignored)."""
    day = _parse_date(q)
    if day is not None:
        return Q(birth_date=day)
    by_mrn = Q(id__in=Patient.objects.filter(identifiers__value__iexact=q).values("id"))
    name_q = Q()
    for word in normalize(q).split():
        name_q &= Q(search_name__contains=word)
    return by_mrn | name_q if name_q else by_mrn


@login_required
def patient_list(request: HttpRequest) -> HttpResponse:
    if not request.user.is_clinical_staff:
        raise PermissionDenied
    form = PatientSearchForm(request.GET or None)
    qs = Patient.objects.visible_to(request.user)
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    if q:
        qs = qs.filter(_search_filter(q))
    qs = qs.order_by("legal_family_name", "legal_given_name", "id").prefetch_related(active_episodes_prefetch())
    page = page_of(qs, PAGE_SIZE, request.GET.get("page"))
    patients = page.object_list
    record_event(
        request,
        AuditAction.SEARCH if q else AuditAction.READ,
        object_type="patients.patient_list",
        detail={"q": q[:100], "patients": [str(p.pk) for p in patients]},
    )
    others = []
    if q and can_break_glass(request.user):
        # Records of the organization outside the user's care team: name and birth date only, so that an
        # emergency access can be asked for. Never the whole list: a search term is needed.
        others = list(
            Patient.objects.filter(organization_id=request.user.organization_id)
            .filter(_search_filter(q))
            .exclude(id__in=Patient.objects.visible_to(request.user).values("id"))
            .order_by("legal_family_name", "legal_given_name")
            .only("id", "legal_given_name", "legal_family_name", "birth_date")[:OUTSIDE_LIMIT]
        )
    template = "patients/_results.html" if request.htmx else "patients/list.html"
    return render(request, template, {"form": form, "page": page, "patients": patients, "q": q, "others": others})


@login_required
def patient_create(request: HttpRequest) -> HttpResponse:
    if not can_write_patient(request.user):
        raise PermissionDenied
    form = NewPatientForm(request.POST or None)
    candidates = []
    earlier = None
    if request.method == "POST" and form.is_valid():
        try:
            # Sent again (double click, retry): the record the first submit made, before the duplicate check
            # would offer that very record as a possible duplicate.
            earlier = find_replay(
                request.user.organization_id, request.user, form.cleaned_data["idempotency_key"], Patient
            )
        except IdempotencyConflict as exc:
            refuse_idempotency_key(form, exc.message)
    if earlier is not None:
        messages.success(request, _("Patient record created."))
        return redirect(earlier)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        mrn = data.get("mrn", "").strip()
        candidates = services.find_registration_duplicates(request.user.organization_id, data, [mrn] if mrn else [])
        if candidates:
            record_event(
                request,
                AuditAction.SEARCH,
                object_type="patients.duplicate_check",
                detail={"candidates": [str(c.patient.pk) for c in candidates]},
            )
        if candidates and not data.get("confirm_new") and request.POST.get("duplicates_shown"):
            form.add_error(
                "confirm_new",
                _("Open one of the records above, or tick this box to say none of them is this person."),
            )
        if not candidates or data.get("confirm_new"):
            patient_data = {k: data[k] for k in PATIENT_FIELDS}
            identifiers = [(data["mrn_facility"].strip(), mrn)] if mrn else []
            patient = services.create_patient(
                request, patient_data, identifiers, idempotency_key=data["idempotency_key"]
            )
            for other_id in request.POST.getlist("possible_duplicate"):
                other = Patient.objects.filter(organization_id=patient.organization_id, pk=other_id).first()
                if other is not None:
                    services.record_possible_duplicate(request, patient, other, _("Noted at registration"))
            messages.success(request, _("Patient record created."))
            return redirect(patient)
        visible = set(
            Patient.objects.visible_to(request.user)
            .filter(pk__in=[c.patient.pk for c in candidates])
            .values_list("pk", flat=True)
        )
        for c in candidates:
            c.visible = c.patient.pk in visible  # type: ignore[attr-defined]
    if not candidates:
        # The "create anyway" box only means something once candidates have been shown.
        form.fields["confirm_new"].widget = HiddenInput()
    return render(request, "patients/create.html", {"form": form, "candidates": candidates})


@login_required
def patient_detail(request: HttpRequest, pk) -> HttpResponse:
    patient = get_patient_for_user(request.user, pk)
    ctx: dict = {}
    if not request.user.has_reduced_view:
        ctx["identifiers"] = list(patient.identifiers.all())
        ctx["related_persons"] = list(patient.related_persons.all())
        ctx["possible_duplicates"] = list(patient.possible_duplicates.select_related("other"))
    ctx["episodes"] = list(patient.episodes.select_related("team", "unit", "assigned_worker"))
    ctx["sw_referrals"] = list(patient.sw_referrals.select_related("assigned_to", "team"))
    return render_patient_page(request, "patients/detail.html", patient, ctx)


@login_required
def patient_edit(request: HttpRequest, pk) -> HttpResponse:
    patient = get_rw_patient_for_user(request.user, pk)
    form = PatientForm(
        request.POST or None, instance=Patient.objects.get(organization_id=patient.organization_id, pk=patient.pk)
    )
    if request.method == "POST" and form.is_valid():
        changes = {k: form.cleaned_data[k] for k in PATIENT_FIELDS}
        services.update_patient(request, patient, changes)
        messages.success(request, _("Changes saved."))
        return redirect(patient)
    return render_patient_page(request, "patients/edit.html", patient, {"form": form}, view="edit")


@login_required
def identifier_add(request: HttpRequest, pk) -> HttpResponse:
    patient = get_rw_patient_for_user(request.user, pk)
    form = IdentifierForm(request.POST or None, organization_id=patient.organization_id)
    if request.method == "POST" and form.is_valid():
        services.add_identifier(request, patient, form.cleaned_data["facility"], form.cleaned_data["value"])
        messages.success(request, _("MRN added."))
        return redirect(patient)
    return render_patient_page(
        request, "patients/subform.html", patient, {"form": form, "title": _("Add an MRN")}, view="identifier_add"
    )


@login_required
def related_person_add(request: HttpRequest, pk) -> HttpResponse:
    patient = get_rw_patient_for_user(request.user, pk)
    form = RelatedPersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.add_related_person(request, patient, form.cleaned_data)
        messages.success(request, _("Related person added."))
        return redirect(patient)
    return render_patient_page(
        request,
        "patients/subform.html",
        patient,
        {"form": form, "title": _("Add a related person")},
        view="related_add",
    )


def _identifier_of(patient: Patient, identifier_pk) -> PatientIdentifier:
    """One of this patient's MRNs; 404 for another patient's (even one the user may open)."""
    try:
        return PatientIdentifier.objects.get(organization_id=patient.organization_id, patient=patient, pk=identifier_pk)
    except (PatientIdentifier.DoesNotExist, ValueError):
        raise Http404 from None


def _related_person_of(patient: Patient, person_pk) -> RelatedPerson:
    try:
        return RelatedPerson.objects.get(organization_id=patient.organization_id, patient=patient, pk=person_pk)
    except (RelatedPerson.DoesNotExist, ValueError):
        raise Http404 from None


@login_required
def identifier_edit(request: HttpRequest, pk, identifier_pk) -> HttpResponse:
    patient = get_rw_patient_for_user(request.user, pk)
    ident = _identifier_of(patient, identifier_pk)
    # The form gets its own copy: a model form writes what was typed onto its instance while validating.
    form = IdentifierForm(
        request.POST or None,
        instance=PatientIdentifier.objects.get(organization_id=patient.organization_id, pk=ident.pk),
        organization_id=patient.organization_id,
    )
    if request.method == "POST" and form.is_valid():
        services.update_identifier(request, ident, form.cleaned_data["facility"], form.cleaned_data["value"])
        messages.success(request, _("MRN saved."))
        return redirect(patient)
    return render_patient_page(
        request, "patients/subform.html", patient, {"form": form, "title": _("Edit an MRN")}, view="identifier_edit"
    )


@login_required
def identifier_remove(request: HttpRequest, pk, identifier_pk) -> HttpResponse:
    """GET asks for confirmation; POST removes. The record history keeps the MRN and who removed it."""
    patient = get_rw_patient_for_user(request.user, pk)
    ident = _identifier_of(patient, identifier_pk)
    if request.method == "POST":
        services.remove_identifier(request, ident)
        messages.success(request, _("MRN removed."))
        return redirect(patient)
    return render_patient_page(
        request,
        "patients/confirm_remove.html",
        patient,
        {"title": _("Remove an MRN"), "item": ident, "question": _("Remove this MRN from the record?")},
        view="identifier_remove",
    )


@login_required
def related_person_edit(request: HttpRequest, pk, person_pk) -> HttpResponse:
    patient = get_rw_patient_for_user(request.user, pk)
    person = _related_person_of(patient, person_pk)
    form = RelatedPersonForm(
        request.POST or None, instance=RelatedPerson.objects.get(organization_id=patient.organization_id, pk=person.pk)
    )
    if request.method == "POST" and form.is_valid():
        services.update_related_person(request, person, form.cleaned_data)
        messages.success(request, _("Related person saved."))
        return redirect(patient)
    return render_patient_page(
        request,
        "patients/subform.html",
        patient,
        {"form": form, "title": _("Edit a related person")},
        view="related_edit",
    )


@login_required
def related_person_remove(request: HttpRequest, pk, person_pk) -> HttpResponse:
    """GET asks for confirmation; POST removes. The record history keeps every version."""
    patient = get_rw_patient_for_user(request.user, pk)
    person = _related_person_of(patient, person_pk)
    if request.method == "POST":
        services.remove_related_person(request, person)
        messages.success(request, _("Related person removed."))
        return redirect(patient)
    return render_patient_page(
        request,
        "patients/confirm_remove.html",
        patient,
        {
            "title": _("Remove a related person"),
            "item": person,
            "question": _("Remove this related person from the record?"),
        },
        view="related_remove",
    )


@login_required
def break_glass(request: HttpRequest, pk) -> HttpResponse:
    """Emergency access to a record of the user's organization outside their care team."""
    if not can_break_glass(request.user):
        raise Http404
    try:
        patient = Patient.objects.get(organization_id=request.user.organization_id, pk=pk)
    except (Patient.DoesNotExist, ValueError):
        raise Http404 from None
    if Patient.objects.visible_to(request.user).filter(pk=patient.pk).exists():
        return redirect(patient)
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.break_glass(request, patient, form.cleaned_data["reason"])
        messages.warning(request, _("Emergency access granted. It is recorded and your supervisor will see it."))
        return redirect(patient)
    # Only name and date of birth, so the user can be sure it is the right person before asking.
    return render(request, "patients/break_glass.html", {"form": form, "target": patient})


@login_required
def access_log(request: HttpRequest, pk) -> HttpResponse:
    """Who looked at this record: for supervisors and administrators. Someone without access to the record
    itself (an administrator auditing) sees the log under the record's ID only, never the patient's identity."""
    if not request.user.can_view_audit:
        raise PermissionDenied
    try:
        patient = Patient.objects.get(organization_id=request.user.organization_id, pk=pk)
    except (Patient.DoesNotExist, ValueError):
        raise Http404 from None
    events = list(
        AuditEvent.objects.visible_to(request.user).filter(patient_id=patient.pk).select_related("actor")[:500]
    )
    if Patient.objects.visible_to(request.user).filter(pk=patient.pk).exists():
        return render_patient_page(request, "patients/access_log.html", patient, {"events": events}, view="access_log")
    record_event(
        request,
        AuditAction.READ,
        object_type="patients.access_log",
        patient_id=patient.pk,
        detail={"identity_hidden": True},
    )
    return render(request, "patients/access_log.html", {"events": events, "hidden_patient_id": patient.pk})


@require_POST
@login_required
def break_glass_review(request: HttpRequest, pk) -> HttpResponse:
    """A supervisor acknowledges an emergency access after reading its reason."""
    if request.user.role != "supervisor":
        raise PermissionDenied
    try:
        grant = BreakGlassAccess.objects.get(organization_id=request.user.organization_id, pk=pk)
    except (BreakGlassAccess.DoesNotExist, ValueError):
        raise Http404 from None
    services.review_break_glass(request, grant)
    messages.success(request, _("Emergency access marked as reviewed."))
    return redirect("episodes:dashboard")


@login_required
def patient_history(request: HttpRequest, pk) -> HttpResponse:
    """Every recorded version of the demographics, MRNs, related persons, episodes and referrals, newest first,
    with what changed and who changed it."""
    patient = get_patient_for_user(request.user, pk)
    if request.user.has_reduced_view:
        raise PermissionDenied
    rows, truncated = build_history(patient)
    return render_patient_page(
        request,
        "patients/history.html",
        patient,
        {"rows": rows, "truncated": truncated, "limit": HISTORY_LIMIT},
        view="history",
    )
