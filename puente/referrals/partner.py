"""The partner portal: the referrals sent to the partner's organization, each showing only what the consent
allows (through `consent.decide.may_share`), and the partner's side of the lifecycle."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from puente.audit.models import AuditAction
from puente.audit.services import record_event
from puente.consent import rules
from puente.consent.decide import may_share
from puente.consent.models import Consent
from puente.core.paging import Page, page_of_rows

from . import lifecycle, services
from .forms import StatusForm
from .lifecycle import IllegalTransition
from .models import Referral
from .partner_view import for_referral
from .permissions import get_partner_referral

PAGE_SIZE = 50


def _require_partner(user) -> None:
    if not user.is_partner:
        raise PermissionDenied


def _inbox_page(user, number) -> tuple[Page, list[Referral]]:
    """A page of the partner's inbox and its referrals with their patient and service (``page_of_rows``)."""
    inbox = Referral.objects.for_partner(user)
    rows = inbox.select_related("patient", "service_at_location__service", "service_at_location__location")
    return page_of_rows(inbox.partner_order(), PAGE_SIZE, number, rows)


@login_required
def partner_list(request: HttpRequest) -> HttpResponse:
    """Referrals sent to this organization, open ones first, a page at a time (no count: `core/paging.py`). The
    patient's name shows only where the consent allows demographics; the consents of the page's patients are read
    in one query."""
    _require_partner(request.user)
    page, referrals = _inbox_page(request.user, request.GET.get("page"))
    consents: dict = {}
    if referrals:
        for c in Consent.objects.filter(
            organization_id__in={r.organization_id for r in referrals}, patient_id__in={r.patient_id for r in referrals}
        ):
            consents.setdefault(c.patient_id, []).append(c.facts())
    now = timezone.now()
    rows = []
    for r in referrals:
        decision = may_share(
            r.patient, request.user.organization, rules.DEMOGRAPHICS, now, consents=consents.get(r.patient_id, [])
        )
        name = f"{r.patient.legal_given_name} {r.patient.legal_family_name}" if decision.allowed else ""
        rows.append(
            {"r": r, "name": name, "open": r.status in lifecycle.OPEN_AT_PARTNER, "label": lifecycle.label(r.status)}
        )
    record_event(
        request,
        AuditAction.READ,
        object_type="referrals.partner_list",
        detail={"view": "partner_referrals", "referrals": [str(r.pk) for r in referrals], "page": page.number},
    )
    return render(request, "referrals/partner_list.html", {"rows": rows, "page": page})


def _render_detail(request, referral: Referral, error: str = "", reason: str = "", status: int = 200) -> HttpResponse:
    concerns = services.referral_concerns(referral)
    view = for_referral(referral, concerns)
    # A partner's read of a referral is a read of the patient's data: audited in the care organization's log.
    record_event(
        request,
        AuditAction.READ,
        obj=referral,
        patient_id=referral.patient_id,
        organization_id=referral.organization_id,
        detail={"view": "partner_referral", "shown": view.shared},
    )
    actions = [(s, lifecycle.label(s)) for s in lifecycle.next_statuses(referral.status, lifecycle.TARGET)]
    ctx = {
        "referral": referral,
        "view": view,
        "actions": actions,
        "status_label": lifecycle.label(referral.status),
        "error": error,
        "reason": reason,
        "reason_required": sorted(lifecycle.REASON_REQUIRED),
    }
    return render(request, "referrals/partner_detail.html", ctx, status=status)


@login_required
def partner_detail(request: HttpRequest, pk) -> HttpResponse:
    _require_partner(request.user)
    return _render_detail(request, get_partner_referral(request.user, pk))


@login_required
@require_POST
def partner_status(request: HttpRequest, pk) -> HttpResponse:
    _require_partner(request.user)
    referral = get_partner_referral(request.user, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, referral, _("Please give a reason."), status=400)
    new = form.cleaned_data["status"]
    try:
        services.change_status(request, referral, new, side=lifecycle.TARGET, reason=form.cleaned_data["reason"])
    except IllegalTransition as exc:
        referral.refresh_from_db(fields=["status", "status_reason", "status_changed_at"])
        return _render_detail(request, referral, exc.message, form.cleaned_data["reason"], status=409)
    messages.success(request, _("Referral updated: %(status)s.") % {"status": lifecycle.label(new)})
    return redirect("referrals:partner_detail", pk=referral.pk)
