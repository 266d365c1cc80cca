"""The supervisor's team page, one-click assignment, caseload targets and worker territories.

Supervisors only, and only for the teams they supervise: every other role gets 403, a team or referral outside
the supervisor's teams 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from puente.accounts.models import Role, Team, TeamMembership, User
from puente.audit.models import AuditAction
from puente.audit.services import record_event
from puente.episodes import services as episode_services
from puente.episodes.models import SocialWorkReferral

from . import services
from .forms import AssignForm, CaseloadTargetForm, TerritoryForm
from .models import CaseloadTarget, WorkerProfile
from .team import WORKER_ROLES, overview, supervised_teams


def _supervisor_only(request: HttpRequest) -> None:
    if request.user.role != Role.SUPERVISOR or not request.user.organization_id:
        raise PermissionDenied


def _team_for(user, pk) -> Team:
    try:
        return Team.objects.get(organization_id=user.organization_id, supervisor=user, pk=pk)
    except (Team.DoesNotExist, ValueError):
        raise Http404 from None


def _member_of(team: Team, user_id) -> User:
    """A social worker on the team (looked up through the membership, organization first)."""
    membership = (
        TeamMembership.objects.filter(
            organization_id=team.organization_id, team=team, user_id=user_id, user__role__in=WORKER_ROLES
        )
        .select_related("user")
        .first()
    )
    if membership is None or not membership.user.is_active:
        raise Http404
    return membership.user


@login_required
def team_page(request: HttpRequest) -> HttpResponse:
    _supervisor_only(request)
    data = overview(request.user, timezone.now())
    record_event(
        request,
        AuditAction.READ,
        object_type="caseload.team",
        detail={"patients": sorted(data.patient_ids), "caseload_patients_counted": data.scored},
    )
    return render(request, "caseload/team.html", {"data": data})


@require_POST
@login_required
def assign(request: HttpRequest, pk) -> HttpResponse:
    """One-click assignment from the suggestion (or any worker of the referral's team)."""
    _supervisor_only(request)
    team_ids = [t.pk for t in supervised_teams(request.user)]
    try:
        referral = SocialWorkReferral.objects.select_related("patient").get(
            organization_id=request.user.organization_id, team_id__in=team_ids, pk=pk
        )
    except (SocialWorkReferral.DoesNotExist, ValueError):
        raise Http404 from None
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a social worker to assign."))
        return redirect("caseload:team")
    worker = _member_of(referral.team, form.cleaned_data["worker"])
    if referral.assigned_to_id is not None:
        messages.error(request, _("This referral was already assigned to %(name)s.") % {"name": referral.assigned_to})
        return redirect("caseload:team")
    episode_services.assign_sw_referral(request, referral, worker)
    messages.success(request, _("Referral assigned to %(name)s.") % {"name": worker})
    return redirect("caseload:team")


@login_required
def target_edit(request: HttpRequest, pk) -> HttpResponse:
    _supervisor_only(request)
    team = _team_for(request.user, pk)
    current = CaseloadTarget.objects.filter(organization_id=team.organization_id, team=team).first()
    initial = {"low": current.low, "high": current.high} if current else {}
    form = CaseloadTargetForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.set_caseload_target(request, team, form.cleaned_data["low"], form.cleaned_data["high"])
        messages.success(request, _("Caseload target saved for %(team)s.") % {"team": team})
        return redirect("caseload:team")
    title = _("Caseload target: %(team)s") % {"team": team}
    return render(request, "caseload/form.html", {"form": form, "title": title})


@login_required
def territory_edit(request: HttpRequest, team_pk, user_pk) -> HttpResponse:
    _supervisor_only(request)
    team = _team_for(request.user, team_pk)
    worker = _member_of(team, user_pk)
    current = WorkerProfile.objects.filter(organization_id=team.organization_id, user=worker).first()
    form = TerritoryForm(request.POST or None, initial={"counties": current.counties if current else ""})
    if request.method == "POST" and form.is_valid():
        services.set_territory(request, worker, form.cleaned_data["counties"])
        messages.success(request, _("Territory saved for %(name)s.") % {"name": worker})
        return redirect(reverse("caseload:team"))
    title = _("Territory: %(name)s") % {"name": worker}
    return render(request, "caseload/form.html", {"form": form, "title": title})
