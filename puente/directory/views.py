"""Directory pages: search (the worker's daily tool), a service's page, reporting wrong information, and the
curators' queue and actions. The directory holds no patient data, so these pages write no audit read events;
every curation write is audited in services.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from puente.accounts.models import Role

from . import services
from .forms import CapacityForm, ListingForm, ReportForm, ResolveForm, SearchForm
from .models import ListingReport, Service
from .search import ServiceResult, detail_queryset, search_services

QUEUE_LIMIT = 100


@login_required
def directory_search(request: HttpRequest) -> HttpResponse:
    # Every signed-in role may search: workers, supervisors, intake, care team, partners and administrators.
    form = SearchForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid():
        results = search_services(form.criteria())
    template = "directory/_results.html" if request.htmx else "directory/search.html"
    is_curator = Service.objects.curated_by(request.user).exists() if not request.htmx else False
    return render(
        request, template, {"form": form, "page": results, "searched": form.is_bound, "is_curator": is_curator}
    )


def _service(pk):
    service = detail_queryset().filter(pk=pk).first()
    if service is None or not service.active:
        raise Http404
    return service


def _detail(request, service, capacity_form=None, status=200):
    can_curate = Service.objects.curated_by(request.user).filter(pk=service.pk).exists()
    context = {
        "r": ServiceResult(service=service),
        "s": service,
        "can_curate": can_curate,
        "capacity_form": capacity_form or CapacityForm(initial={"capacity_status": service.capacity_status}),
        "open_reports": ListingReport.objects.open().filter(service=service).count() if can_curate else 0,
    }
    return render(request, "directory/service_detail.html", context, status=status)


@login_required
def service_detail(request: HttpRequest, pk) -> HttpResponse:
    return _detail(request, _service(pk))


@require_POST
@login_required
def verify_service(request: HttpRequest, pk) -> HttpResponse:
    service = _service(pk)
    try:
        services.verify_service(request, service)
    except services.CurationDenied:
        raise PermissionDenied from None
    messages.success(request, _("Listing marked verified today."))
    return redirect("directory:service", pk=service.pk)


@require_POST
@login_required
def set_capacity(request: HttpRequest, pk) -> HttpResponse:
    service = _service(pk)
    if not Service.objects.curated_by(request.user).filter(pk=service.pk).exists():
        raise PermissionDenied
    form = CapacityForm(request.POST)
    if not form.is_valid():
        return _detail(request, service, capacity_form=form, status=400)
    services.set_service_capacity(request, service, form.cleaned_data["capacity_status"])
    messages.success(request, _("Capacity updated."))
    return redirect("directory:service", pk=service.pk)


@login_required
def edit_listing(request: HttpRequest, pk) -> HttpResponse:
    # Curators only (administrators; partner staff for their organization's listings), as for verify/capacity.
    service = _service(pk)
    if not Service.objects.curated_by(request.user).filter(pk=service.pk).exists():
        raise PermissionDenied
    if request.method == "POST":
        form = ListingForm(request.POST)
        if form.is_valid():
            changed = services.edit_listing(request, service, form.cleaned_data)
            if changed:
                messages.success(request, _("Listing updated."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("directory:service", pk=service.pk)
        status = 400
    else:
        initial = services.listing_values(service)
        initial["languages"] = ", ".join(initial["languages"])
        form = ListingForm(initial=initial)
        status = 200
    return render(request, "directory/edit.html", {"s": service, "form": form}, status=status)


@login_required
def report_problem(request: HttpRequest, pk) -> HttpResponse:
    # Any signed-in staff user may report; the report reaches the listing's curators.
    service = _service(pk)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.report_listing_problem(
            request, service, reason=form.cleaned_data["reason"], details=form.cleaned_data["details"]
        )
        messages.success(request, _("Thank you. The listing's curators will check it."))
        return redirect("directory:service", pk=service.pk)
    return render(request, "directory/report.html", {"s": service, "form": form})


def _queue(request, failed=None, status=200):
    """The curation queue; ``failed`` = (report id, bound ResolveForm) re-shows a refused resolution as typed."""
    user = request.user
    if user.role not in (Role.ADMIN, Role.PARTNER):
        raise PermissionDenied
    curated = Service.objects.curated_by(user).searchable()
    reports = list(
        ListingReport.objects.for_curator(user)
        .open()
        .select_related("service", "service__organization", "reported_by", "reporter_organization")
        .order_by("created_at")[:QUEUE_LIMIT]
    )
    stale = list(curated.stale().select_related("organization").order_by("last_verified_at", "name")[:QUEUE_LIMIT])
    return render(
        request,
        "directory/curation.html",
        {"reports": reports, "stale": stale, "limit": QUEUE_LIMIT, "failed": failed},
        status=status,
    )


@login_required
def curation_queue(request: HttpRequest) -> HttpResponse:
    # Administrators and partner staff; a partner whose organization curates nothing sees an empty queue.
    return _queue(request)


@require_POST
@login_required
def resolve_report(request: HttpRequest, pk) -> HttpResponse:
    report = get_object_or_404(ListingReport.objects.select_related("service"), pk=pk)
    form = ResolveForm(request.POST)
    if not Service.objects.curated_by(request.user).filter(pk=report.service_id).exists():
        raise PermissionDenied
    if not form.is_valid():
        return _queue(request, failed=(report.pk, form), status=400)
    services.resolve_listing_report(request, report, resolution=form.cleaned_data["resolution"])
    messages.success(request, _("Report resolved."))
    return redirect("directory:curation")
