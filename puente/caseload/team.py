"""The supervisor page's data: census, weighted workload per worker, unassigned referrals with suggestions.

A fixed number of queries whatever the size of the teams (tests/test_team_page.py asserts it). Every query
restates `organization_id`, then narrows to the teams the user supervises.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.db.models import Count
from django.utils import timezone, translation

from puente.accounts.models import Role, Team, TeamMembership
from puente.episodes.models import Episode, SocialWorkReferral
from puente.patients.models import LANGUAGE_CHOICES
from puente.patients.services import lookup_zip

from . import acuity, suggest, workload
from .models import CaseloadTarget, WorkerProfile
from .selectors import acuity_inputs
from .selectors import weights as caseload_weights

WORKER_ROLES = (Role.SOCIAL_WORKER,)
REFERRAL_LIMIT = 50


def supervised_teams(user) -> list[Team]:
    if getattr(user, "role", None) != Role.SUPERVISOR or not user.organization_id:
        return []
    return list(Team.objects.filter(organization_id=user.organization_id, supervisor=user).order_by("name"))


def language_names() -> dict[str, str]:
    """Lower-case language names (English) and codes → code, for parsing `User.languages_spoken`."""
    names = {"español": "es", "espanol": "es", "diné": "nv", "dine": "nv", "asl": "ase"}
    with translation.override("en"):
        for code, label in LANGUAGE_CHOICES:
            if code == "und":
                continue
            text = str(label).lower()
            names[code] = code
            names[text] = code
            names[text.split(" (")[0]] = code
    return names


@dataclass
class WorkerLoad:
    worker: object
    team: Team
    target: workload.Target
    # One score per active patient assigned to the worker (the page counts tiers and sums weights; no names).
    scores: list[acuity.Acuity] = field(default_factory=list)
    counties: frozenset = frozenset()
    languages: frozenset = frozenset()

    @property
    def patients(self) -> int:
        return len(self.scores)

    @property
    def weighted_load(self) -> float:
        return round(sum(a.weight for a in self.scores), 1)

    @property
    def standing(self) -> str:
        return workload.standing(self.weighted_load, self.target)

    @property
    def standing_label(self) -> str:
        return workload.standing_label(self.standing)

    @property
    def tiers(self) -> dict[str, int]:
        counts = {"high": 0, "moderate": 0, "low": 0}
        for a in self.scores:
            counts[a.tier] = counts.get(a.tier, 0) + 1
        return counts


class _Assigned(NamedTuple):
    patient_id: object
    setting: str
    assigned_worker_id: int


@dataclass
class TeamCensus:
    team: Team
    target: workload.Target
    by_setting: list[tuple[str, int]]
    active: int
    open_referrals: int
    unassigned: int


@dataclass
class Suggestion:
    referral: SocialWorkReferral
    ranked: list[suggest.Ranked]
    hours_waiting: float
    county: str

    @property
    def best(self):
        return self.ranked[0] if self.ranked else None


@dataclass
class Overview:
    teams: list[TeamCensus]
    workers: list[WorkerLoad]
    suggestions: list[Suggestion]
    patient_ids: set[str]
    scored: int = 0  # patients whose acuity the workload figures sum


def _targets(org_id, teams: list[Team], team_settings: dict) -> dict:
    rows = {t.team_id: t for t in CaseloadTarget.objects.filter(organization_id=org_id, team__in=teams)}
    defaults = getattr(settings, "PUENTE_CASELOAD_TARGETS", None)
    targets = {}
    for team in teams:
        row = rows.get(team.pk)
        if row is not None:
            targets[team.pk] = workload.Target(row.low, row.high)
        else:
            group = workload.main_group(team_settings.get(team.pk, []))
            targets[team.pk] = workload.default_target(group, defaults)
    return targets


def overview(user, now: datetime | None = None) -> Overview:
    now = now or timezone.now()
    org = user.organization_id
    teams = supervised_teams(user)
    if not teams:
        return Overview([], [], [], set())
    team_ids = [t.pk for t in teams]

    census_rows = (
        Episode.objects.filter(organization_id=org, team_id__in=team_ids, status=Episode.Status.ACTIVE)
        .values("team_id", "setting")
        .annotate(n=Count("id"))
        .order_by()
    )
    per_team: dict = {}
    team_settings: dict = {}
    for row in census_rows:
        per_team.setdefault(row["team_id"], []).append((row["setting"], row["n"]))
        team_settings.setdefault(row["team_id"], []).extend([row["setting"]] * row["n"])
    referral_counts = {
        row["team_id"]: (row["n"], row["assigned"])
        for row in SocialWorkReferral.objects.filter(organization_id=org, team_id__in=team_ids)
        .open()
        .values("team_id")
        .annotate(n=Count("id"), assigned=Count("assigned_to"))
        .order_by()
    }
    targets = _targets(org, teams, team_settings)

    labels = dict(Episode._meta.get_field("setting").choices)
    census = []
    for team in teams:
        rows = sorted(per_team.get(team.pk, []))
        open_total, assigned = referral_counts.get(team.pk, (0, 0))
        census.append(
            TeamCensus(
                team=team,
                target=targets[team.pk],
                by_setting=[(str(labels.get(s, s)), n) for s, n in rows],
                active=sum(n for _s, n in rows),
                open_referrals=open_total,
                unassigned=open_total - assigned,
            )
        )

    memberships = (
        TeamMembership.objects.filter(organization_id=org, team_id__in=team_ids, user__role__in=WORKER_ROLES)
        .select_related("user")
        .order_by("user__full_name")
    )
    team_by_id = {t.pk: t for t in teams}
    workers: dict = {}
    for m in memberships:
        if m.user_id not in workers and m.user.is_active:
            workers[m.user_id] = WorkerLoad(m.user, team_by_id[m.team_id], targets[m.team_id])
    profiles = {p.user_id: p for p in WorkerProfile.objects.filter(organization_id=org, user_id__in=list(workers))}
    names = language_names()
    for uid, load in workers.items():
        # An account that lists no language is taken as English-speaking (the product's working language).
        load.languages = suggest.parse_languages(load.worker.languages_spoken, names) or frozenset({"en"})
        load.counties = suggest.parse_counties(profiles[uid].counties) if uid in profiles else frozenset()

    # Plain rows, not episodes with their patients: a team's thousands of active episodes are only scored.
    episodes = [
        _Assigned(*row)
        for row in Episode.objects.filter(
            organization_id=org, status=Episode.Status.ACTIVE, assigned_worker_id__in=list(workers)
        )
        .order_by()
        .values_list("patient_id", "setting", "assigned_worker_id")
    ]
    inputs = acuity_inputs(org, episodes, now)
    acuity_weights = caseload_weights()
    for e in episodes:
        workers[e.assigned_worker_id].scores.append(acuity.score(inputs[e.patient_id], acuity_weights))

    referrals = list(
        SocialWorkReferral.objects.filter(organization_id=org, team_id__in=team_ids, assigned_to__isnull=True)
        .open()
        .select_related("patient", "team")
        .queue_order()[:REFERRAL_LIMIT]
    )
    language_labels = dict(LANGUAGE_CHOICES)
    weights = suggest.DEFAULT_WEIGHTS | getattr(settings, "PUENTE_ASSIGNMENT_WEIGHTS", {})
    # Each worker's weighted load sums their rows; computed once here, not once per referral and candidate.
    loads = {uid: w.weighted_load for uid, w in workers.items()}
    members = {team_id: _members_of(memberships, team_id) for team_id in team_ids}
    suggestions = []
    for r in referrals:
        patient = r.patient
        county = patient.county
        if not county and patient.postal_code:
            info = lookup_zip(patient.postal_code)
            county = info.county if info else ""
        need = suggest.Need(
            language=patient.preferred_language,
            language_label=str(language_labels.get(patient.preferred_language, patient.preferred_language)),
            interpreter_needed=patient.interpreter_needed,
            county=county,
        )
        team_members = members.get(r.team_id, set())
        candidates = [
            suggest.Candidate(
                worker_id=w.worker.pk,
                name=w.worker.full_name,
                weighted_load=loads[uid],
                capacity=w.target.high,
                languages=w.languages,
                counties=w.counties,
            )
            for uid, w in workers.items()
            if uid in team_members
        ]
        suggestions.append(Suggestion(r, suggest.rank(need, candidates, weights), r.hours_waiting(now), county))

    # The patients whose names the page shows. The caseloads are only counted and summed (no name, no detail of
    # anyone), so the audit row records how many patients the figures cover, not thousands of ids per view.
    shown = {str(r.patient_id) for r in referrals}
    return Overview(census, list(workers.values()), suggestions, shown, scored=len(inputs))


def _members_of(memberships, team_id) -> set:
    # `memberships` is already evaluated (iterated above), so this costs no query.
    return {m.user_id for m in memberships if m.team_id == team_id}
