"""Consent pages: the patient's consents and disclosures, record a consent, revoke one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from puente.audit.models import AuditAction
from puente.audit.services import record_event
from puente.core.forms import refuse_idempotency_key
from puente.core.idempotency import IdempotencyConflict
from puente.patients.views import render_patient_page

from . import services
from .forms import ConsentForm, RevokeForm
from .models import Consent, ConsentDocument, Disclosure, DocumentKind
from .permissions import (
    get_document_for_user,
    get_patient_for_consent,
    get_rw_consent_for_user,
    get_rw_patient_for_consent,
    may_write_consents,
)

DISCLOSURES_SHOWN = 100


@login_required
def consent_list(request: HttpRequest, patient_pk) -> HttpResponse:
    patient = get_patient_for_consent(request.user, patient_pk)
    consents = list(Consent.objects.for_patient(patient).select_related("recipient_organization", "revoked_by"))
    by_consent: dict = {}
    for document in ConsentDocument.objects.for_consents(patient.organization_id, consents):
        by_consent.setdefault(document.consent_id, []).append(document)
    for consent in consents:
        consent.document_list = by_consent.get(consent.pk, [])
    disclosures = list(
        Disclosure.objects.filter(organization_id=patient.organization_id, patient=patient)
        .select_related("recipient_organization", "disclosed_by")
        .order_by("-disclosed_at")[:DISCLOSURES_SHOWN]
    )
    return render_patient_page(
        request,
        "consent/list.html",
        patient,
        {"consents": consents, "disclosures": disclosures, "may_write": may_write_consents(request.user, patient)},
        view="consents",
    )


@login_required
@require_http_methods(["GET", "POST"])
def consent_new(request: HttpRequest, patient_pk) -> HttpResponse:
    patient = get_rw_patient_for_consent(request.user, patient_pk)
    form = ConsentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_consent(
                request,
                patient,
                documents=form.documents,
                idempotency_key=form.cleaned_data["idempotency_key"],
                **form.consent_fields(),
            )
        except IdempotencyConflict as exc:
            refuse_idempotency_key(form, exc.message)
        else:
            messages.success(request, _("Consent recorded."))
            return redirect("consent:list", patient_pk=patient.pk)
    return render_patient_page(request, "consent/new.html", patient, {"form": form}, view="consent_new")


@login_required
@require_http_methods(["GET", "POST"])
def consent_revoke(request: HttpRequest, pk) -> HttpResponse:
    consent = get_rw_consent_for_user(request.user, pk)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.revoke_consent(request, consent, by_name=form.cleaned_data["by_name"], note=form.cleaned_data["note"])
        messages.success(request, _("Consent revoked. Nothing more will be shared under it."))
        return redirect("consent:list", patient_pk=consent.patient_id)
    return render_patient_page(
        request, "consent/revoke.html", consent.patient, {"form": form, "consent": consent}, view="consent_revoke"
    )


@login_required
def consent_document(request: HttpRequest, pk) -> HttpResponse:
    """A consent's signature (shown inline, as an <img>) or signed form (always a download), to those who may
    read the patient's consents. One audit read event per view."""
    document = get_document_for_user(request.user, pk)
    record_event(
        request, AuditAction.READ, obj=document, patient_id=document.consent.patient_id, detail={"kind": document.kind}
    )
    response = HttpResponse(bytes(document.data), content_type=document.content_type)
    disposition = "inline" if document.kind == DocumentKind.SIGNATURE else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{document.filename}"'
    # The type was decided from the bytes when stored; the browser must not guess another one.
    response["X-Content-Type-Options"] = "nosniff"
    add_never_cache_headers(response)
    return response
