"""The worker's dashboard, the social-work referral queue, episodes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Q, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from puente.accounts.models import Role
from puente.audit.models import AuditAction
from puente.audit.services import record_event
from puente.core.forms import refuse_idempotency_key
from puente.core.http import safe_next
from puente.core.idempotency import IdempotencyConflict
from puente.core.panels import panels_for
from puente.core.sql import compiled_ids
from puente.patients.models import BreakGlassAccess, Patient
from puente.patients.permissions import get_patient_for_user, get_rw_patient_for_user
from puente.patients.views import render_patient_page

from . import services
from .forms import (
    EPISODE_FIELDS,
    AssignForm,
    EpisodeForm,
    FirstContactForm,
    NewEpisodeForm,
    QueueFilterForm,
    SocialWorkReferralForm,
)
from .models import Episode, SocialWorkReferral

QUEUE_PAGE_SIZE = 25
# What a queue row shows (episodes/_referral_table.html): a patient row carries every demographic and contact field
# and a user row its password hash; the dashboard reads up to 60 of these rows per request.
QUEUE_FIELDS = (
    "organization_id",
    "patient_id",
    "team_id",
    "reasons",
    "priority",
    "received_at",
    "status",
    "assigned_to_id",
    "first_contact_at",
    "patient__organization_id",
    "patient__preferred_name",
    "patient__legal_given_name",
    "patient__legal_family_name",
    "patient__preferred_language",
    "patient__interpreter_needed",
    "team__organization_id",
    "team__name",
    "assigned_to__full_name",
    "assigned_to__email",
)


def _staff_only(request: HttpRequest) -> None:
    if not request.user.is_clinical_staff:
        raise PermissionDenied


def get_sw_referral_for_user(user, pk) -> SocialWorkReferral:
    try:
        return SocialWorkReferral.objects.visible_to(user).select_related("patient").get(pk=pk)
    except (SocialWorkReferral.DoesNotExist, ValueError):
        raise Http404 from None


def _queue_qs(user, patients=None):
    return (
        SocialWorkReferral.objects.visible_to(user, patients=patients)
        .open()
        .select_related("patient", "team", "assigned_to")
        .only(*QUEUE_FIELDS)
        .queue_order()
    )


MINE_SHOWN, WAITING_SHOWN = 50, 10


def _mine_and_waiting(user, queue) -> tuple[list, list]:
    """The dashboard's two referral lists, the user's own (at most 50) and the unassigned (at most 10), each in
    queue order, read in one query: the user's first, then the unassigned. Only a user with more than 50 of their
    own can leave unassigned ones unread; a second query then reads those (two queries cost ~3 ms more than one:
    building, compiling and planning the visibility test twice)."""
    both = MINE_SHOWN + WAITING_SHOWN
    rows = list(
        queue.filter(Q(assigned_to=user) | Q(assigned_to__isnull=True))
        .alias(theirs=Case(When(assigned_to=user, then=0), default=1))
        .order_by("theirs", "priority_rank", "received_at", "pk")[:both]
    )
    mine = [r for r in rows if r.assigned_to_id == user.pk][:MINE_SHOWN]
    waiting = [r for r in rows if r.assigned_to_id is None]
    if len(rows) == both and len(waiting) < WAITING_SHOWN:
        waiting = list(queue.filter(assigned_to__isnull=True)[:WAITING_SHOWN])
    return mine, waiting[:WAITING_SHOWN]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    user = request.user
    now = timezone.now()
    # Built and compiled once for the whole page: the two queue lists and the panels each filter on it.
    patients = compiled_ids(Patient.objects.visible_to(user))
    queue = _queue_qs(user, patients)
    mine, waiting = _mine_and_waiting(user, queue)
    extra_panels = panels_for(user, patients=patients)
    my_episodes = []
    show_active_patients = not any("active_patients" in panel.replaces for panel in extra_panels)
    if show_active_patients and user.organization_id:
        my_episodes = list(
            Episode.objects.filter(organization_id=user.organization_id, assigned_worker=user, status="active")
            .select_related("patient", "team", "unit")
            .order_by("patient__legal_family_name")[:100]
        )
    glass = []
    if user.role == Role.SUPERVISOR:
        glass = list(
            BreakGlassAccess.objects.filter(
                organization_id=user.organization_id, reviewed_at__isnull=True
            ).select_related("user", "patient")[:20]
        )
    shown = {str(r.patient_id) for r in mine + waiting} | {str(e.patient_id) for e in my_episodes}
    for panel in extra_panels:
        shown |= panel.patient_ids
    record_event(request, AuditAction.READ, object_type="episodes.dashboard", detail={"patients": sorted(shown)})
    return render(
        request,
        "episodes/dashboard.html",
        {
            "mine": mine,
            "waiting": waiting,
            "my_episodes": my_episodes,
            "show_active_patients": show_active_patients,
            "glass": glass,
            "now": now,
            "panels": extra_panels,
        },
    )


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    form = QueueFilterForm(request.GET or None, organization_id=request.user.organization_id)
    qs = _queue_qs(request.user)
    if form.is_valid():
        if form.cleaned_data["team"]:
            qs = qs.filter(team=form.cleaned_data["team"])
        if form.cleaned_data["mine"]:
            qs = qs.filter(assigned_to=request.user)
    # The primary key breaks ties so that no referral is skipped or repeated between pages.
    page = Paginator(qs.order_by("priority_rank", "received_at", "pk"), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    referrals = list(page.object_list)
    record_event(
        request,
        AuditAction.READ,
        object_type="episodes.sw_referral_queue",
        detail={"patients": sorted({str(r.patient_id) for r in referrals}), "page": page.number},
    )
    assign_form = AssignForm(organization_id=request.user.organization_id) if request.user.can_manage_queue else None
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "episodes/queue.html",
        {
            "referrals": referrals,
            "page": page,
            "query": query.urlencode(),
            "form": form,
            "assign_form": assign_form,
            "now": timezone.now(),
        },
    )


@require_POST
@login_required
def referral_take(request: HttpRequest, pk) -> HttpResponse:
    referral = get_sw_referral_for_user(request.user, pk)
    if request.user.role not in (Role.SOCIAL_WORKER, Role.SUPERVISOR):
        raise PermissionDenied
    try:
        services.take_sw_referral(request, referral)
        messages.success(request, _("You took the referral for %(name)s.") % {"name": referral.patient})
    except services.QueueConflict as exc:
        messages.error(request, str(exc))
    return redirect(safe_next(request, reverse("episodes:queue")))


@require_POST
@login_required
def referral_assign(request: HttpRequest, pk) -> HttpResponse:
    referral = get_sw_referral_for_user(request.user, pk)
    if not request.user.can_manage_queue:
        raise PermissionDenied
    form = AssignForm(request.POST, organization_id=request.user.organization_id)
    if form.is_valid():
        services.assign_sw_referral(request, referral, form.cleaned_data["worker"])
        messages.success(request, _("Referral assigned to %(name)s.") % {"name": form.cleaned_data["worker"]})
    else:
        messages.error(request, _("Choose a social worker to assign."))
    return redirect(safe_next(request, reverse("episodes:queue")))


@require_POST
@login_required
def referral_contact(request: HttpRequest, pk) -> HttpResponse:
    referral = get_sw_referral_for_user(request.user, pk)
    if request.user.role not in (Role.SOCIAL_WORKER, Role.SUPERVISOR):
        raise PermissionDenied
    form = FirstContactForm(request.POST, referral=referral)
    if form.is_valid():
        services.record_first_contact(request, referral, form.cleaned_data["at"], form.cleaned_data["method"])
        messages.success(request, _("First contact recorded."))
    else:
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        messages.error(
            request,
            _("First contact not recorded for %(name)s: %(errors)s")
            % {"name": referral.patient, "errors": " ".join(errors)},
        )
    return redirect(safe_next(request, reverse("episodes:queue")))


@require_POST
@login_required
def referral_close(request: HttpRequest, pk) -> HttpResponse:
    referral = get_sw_referral_for_user(request.user, pk)
    if request.user.role not in (Role.SOCIAL_WORKER, Role.SUPERVISOR, Role.INTAKE):
        raise PermissionDenied
    services.close_sw_referral(request, referral, cancelled=request.POST.get("cancel") == "1")
    messages.success(request, _("Referral closed."))
    return redirect(safe_next(request, referral.patient.get_absolute_url()))


@login_required
def referral_create(request: HttpRequest, patient_pk) -> HttpResponse:
    """Any clinical role may refer a patient to social work (care team included: that is a consult)."""
    patient = get_patient_for_user(request.user, patient_pk)
    _staff_only(request)
    form = SocialWorkReferralForm(request.POST or None, patient=patient)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        key = data.pop("idempotency_key")
        try:
            services.create_sw_referral(request, patient, data, idempotency_key=key)
        except IdempotencyConflict as exc:
            refuse_idempotency_key(form, exc.message)
        else:
            messages.success(request, _("Referral to social work sent."))
            return redirect(patient)
    return render_patient_page(
        request,
        "patients/subform.html",
        patient,
        {"form": form, "title": _("Refer to social work")},
        view="sw_referral_create",
    )


@login_required
def episode_create(request: HttpRequest, patient_pk) -> HttpResponse:
    patient = get_rw_patient_for_user(request.user, patient_pk)
    form = NewEpisodeForm(request.POST or None, organization_id=patient.organization_id)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in EPISODE_FIELDS}
        try:
            services.create_episode(request, patient, data, idempotency_key=form.cleaned_data["idempotency_key"])
        except IdempotencyConflict as exc:
            refuse_idempotency_key(form, exc.message)
        else:
            messages.success(request, _("Episode added."))
            return redirect(patient)
    return render_patient_page(
        request,
        "patients/subform.html",
        patient,
        {"form": form, "title": _("New episode of care")},
        view="episode_create",
    )


@login_required
def episode_edit(request: HttpRequest, patient_pk, pk) -> HttpResponse:
    patient = get_rw_patient_for_user(request.user, patient_pk)
    try:
        episode = Episode.objects.get(organization_id=patient.organization_id, patient=patient, pk=pk)
    except (Episode.DoesNotExist, ValueError):
        raise Http404 from None
    form = EpisodeForm(
        request.POST or None,
        instance=Episode.objects.get(organization_id=episode.organization_id, pk=episode.pk),
        organization_id=patient.organization_id,
    )
    if request.method == "POST" and form.is_valid():
        services.update_episode(request, episode, {k: form.cleaned_data[k] for k in EPISODE_FIELDS})
        messages.success(request, _("Changes saved."))
        return redirect(patient)
    return render_patient_page(
        request,
        "patients/subform.html",
        patient,
        {"form": form, "title": _("Edit episode of care")},
        view="episode_edit",
    )
