"""Worker pages: a patient's referrals, community resources for the patient (the directory search prefilled from
the record, with a "refer" link per result), make one (preview what the partner will see, then send or keep a draft),
a referral with its timeline, send a draft, cancel or mark entered in error, record the outcome; and the worker's
list of open referrals with the stalled ones marked. Partner pages are in `partner.py`, the patient's check-back
page in `public.py`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from puente.audit.models import AuditAction
from puente.audit.services import record_event
from puente.core.forms import refuse_idempotency_key
from puente.core.idempotency import IdempotencyConflict
from puente.core.paging import page_of_rows
from puente.directory.search import UnknownZip, search_services
from puente.patients.views import render_patient_page

from . import lifecycle, resources, services
from .forms import OutcomeForm, PatientResourceForm, PreselectForm, ReferralForm, StatusForm
from .lifecycle import IllegalTransition
from .models import WORKER_ROLES, Referral, ReferralEvent
from .partner_view import build_partner_view, for_referral
from .permissions import (
    get_patient_for_referrals,
    get_referral_for_user,
    get_rw_patient_for_referrals,
    get_rw_referral_for_user,
    may_write_referrals,
)

LIST_LIMIT = 200  # one patient's referrals
LIST_PAGE_SIZE = 50  # the worker's open referrals, a page at a time
_LIST_RELATED = ("service_at_location__service", "service_at_location__location", "recipient_organization")


@login_required
def patient_referrals(request: HttpRequest, patient_pk) -> HttpResponse:
    patient = get_patient_for_referrals(request.user, patient_pk)
    referrals = list(Referral.objects.for_patient(patient).select_related(*_LIST_RELATED)[:LIST_LIMIT])
    now = timezone.now()
    rows = [{"r": r, "stalled": r.stall_reason(now)} for r in referrals]
    return render_patient_page(
        request,
        "referrals/patient_list.html",
        patient,
        {"rows": rows, "may_write": may_write_referrals(request.user, patient)},
        view="referrals",
    )


@login_required
def patient_resources(request: HttpRequest, patient_pk) -> HttpResponse:
    """The directory search for this patient: the first visit is prefilled from the record (home ZIP, open
    concerns' needs, language, 15 miles); every filter can then be changed. Same access as making a referral."""
    patient = get_rw_patient_for_referrals(request.user, patient_pk)
    concerns = resources.open_concerns(patient)
    form = PatientResourceForm(request.GET or resources.prefill(patient, concerns), patient=patient)
    page, rows = None, []
    if form.is_valid():
        criteria = form.criteria()
        try:
            page = search_services(criteria)
        except UnknownZip:
            form.add_error("zip", _("Enter a 5-digit ZIP code."))
        else:
            rows = resources.refer_actions(page, patient, concerns, criteria.need)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "patient_needs": resources.concern_needs(concerns),
        "prefilled": not request.GET,
        "home_zip_missing": not form.home_zip,
    }
    template = "referrals/_resource_results.html" if request.htmx else "referrals/resources.html"
    return render_patient_page(request, template, patient, context, view="resources")


@login_required
@require_http_methods(["GET", "POST"])
def referral_new(request: HttpRequest, patient_pk) -> HttpResponse:
    patient = get_rw_patient_for_referrals(request.user, patient_pk)
    preselect = None
    if request.method == "GET" and request.GET:
        # From a search result: ?service=<service at location>&concern=<id>… , re-checked here, never trusted.
        preselect = PreselectForm(request.GET, patient=patient)
    initial = preselect.initial_for_referral() if preselect is not None else {}
    form = ReferralForm(request.POST or None, patient=patient, initial=initial)
    preview = None
    action = request.POST.get("action", "preview")
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        recipient = services.partner_org_for(d["service_at_location"])
        if recipient is None:
            form.add_error(
                "service_at_location",
                _(
                    "No partner organization receives referrals for this service in Puente, so it can't be sent "
                    "electronically. Call the service instead and write down what you arranged in a progress note."
                ),
            )
        elif action == "preview":
            preview = build_partner_view(
                patient=patient,
                concerns=list(d["concerns"]),
                service_at_location=d["service_at_location"],
                recipient_org=recipient,
                priority_label=str(dict(form.fields["priority"].choices)[d["priority"]]),
                message=d["message_to_partner"],
            )
        else:
            try:
                referral = services.make_referral(
                    request,
                    patient,
                    send=action == "send",
                    service_at_location=d["service_at_location"],
                    concerns=list(d["concerns"]),
                    priority=d["priority"],
                    message=d["message_to_partner"],
                    patient_told=d["patient_told"],
                    idempotency_key=d["idempotency_key"],
                )
            except (services.ReferralError, IllegalTransition) as exc:
                form.add_error(None, exc.message)
            except IdempotencyConflict as exc:
                refuse_idempotency_key(form, exc.message)
            else:
                messages.success(request, _("Referral sent.") if action == "send" else _("Draft saved."))
                return redirect("referrals:detail", pk=referral.pk)
    context = {
        "form": form,
        "preview": preview,
        "preselected": "service_at_location" in initial,
        "preselect_refused": preselect is not None and preselect.service_refused,
        "refused_listing": preselect.refused_listing if preselect is not None else None,
    }
    return render_patient_page(request, "referrals/new.html", patient, context, view="referral_new")


def _detail_context(request, referral: Referral, **extra) -> dict:
    concerns = services.referral_concerns(referral)
    events = list(
        ReferralEvent.objects.filter(organization_id=referral.organization_id, referral=referral).select_related(
            "actor"
        )
    )
    may_write = may_write_referrals(request.user, referral.patient)
    actions = [
        s
        for s in lifecycle.next_statuses(referral.status, lifecycle.REQUESTER)
        if s != lifecycle.REQUESTED  # sending has its own button, after the preview
    ]
    return {
        "referral": referral,
        "concerns": concerns,
        "events": events,
        "preview": for_referral(referral, concerns),
        "may_write": may_write,
        "actions": [(s, lifecycle.label(s)) for s in actions] if may_write else [],
        "outcome_form": extra.pop("outcome_form", None) or OutcomeForm(),
        "stalled": referral.stall_reason(),
        "status_label": lifecycle.label(referral.status),
        **extra,
    }


@login_required
def referral_detail(request: HttpRequest, pk) -> HttpResponse:
    referral = get_referral_for_user(request.user, pk)
    return render_patient_page(
        request, "referrals/detail.html", referral.patient, _detail_context(request, referral), view="referral"
    )


def _back_with_error(request, referral, message: str, status: int = 400, **extra) -> HttpResponse:
    ctx = _detail_context(request, referral, error=message, **extra)
    response = render_patient_page(request, "referrals/detail.html", referral.patient, ctx, view="referral")
    response.status_code = status
    return response


@login_required
@require_POST
def referral_send(request: HttpRequest, pk) -> HttpResponse:
    referral = get_rw_referral_for_user(request.user, pk)
    try:
        services.send_referral(request, referral)
    except (services.ReferralError, IllegalTransition) as exc:
        return _back_with_error(request, referral, exc.message)
    messages.success(request, _("Referral sent."))
    return redirect("referrals:detail", pk=referral.pk)


@login_required
@require_POST
def referral_status(request: HttpRequest, pk) -> HttpResponse:
    referral = get_rw_referral_for_user(request.user, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _back_with_error(request, referral, _("Please give a reason."))
    try:
        services.change_status(
            request, referral, form.cleaned_data["status"], side=lifecycle.REQUESTER, reason=form.cleaned_data["reason"]
        )
    except IllegalTransition as exc:
        return _back_with_error(request, referral, exc.message, reason=form.cleaned_data["reason"])
    messages.success(request, _("Referral updated."))
    return redirect("referrals:detail", pk=referral.pk)


@login_required
@require_POST
def referral_outcome(request: HttpRequest, pk) -> HttpResponse:
    referral = get_rw_referral_for_user(request.user, pk)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        try:
            services.record_outcome(
                request,
                referral,
                outcome=form.cleaned_data["outcome"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except services.ReferralError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Outcome recorded."))
            return redirect("referrals:detail", pk=referral.pk)
    return _back_with_error(request, referral, _("The outcome was not saved."), outcome_form=form)


@login_required
def my_referrals(request: HttpRequest) -> HttpResponse:
    """Open referrals of the patients this worker may open, stalled ones first, then the longest in their status;
    a page at a time (no count: `core/paging.py`). The page is chosen on the referral rows alone, then its rows
    are read with their joins. A fixed number of queries."""
    if request.user.role not in WORKER_ROLES:
        raise PermissionDenied
    now = timezone.now()
    open_referrals = Referral.objects.visible_to(request.user).exclude(status__in=lifecycle.TERMINAL)
    rows_qs = Referral.objects.filter(organization_id=request.user.organization_id).select_related(
        "patient", *_LIST_RELATED
    )
    page, referrals = page_of_rows(open_referrals.stalled_first(now), LIST_PAGE_SIZE, request.GET.get("page"), rows_qs)
    rows = [
        {"r": r, "stalled": r.stall_reason(now), "label": lifecycle.label(r.status), "days": r.days_in_status}
        for r in referrals
    ]
    record_event(
        request,
        AuditAction.READ,
        object_type="referrals.list",
        detail={
            "view": "my_referrals",
            "page": page.number,
            "patients": sorted({str(r.patient_id) for r in referrals}),
        },
    )
    return render(request, "referrals/my_list.html", {"rows": rows, "page": page})
