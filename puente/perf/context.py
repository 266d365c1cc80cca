"""Who and what the benchmark's pages are opened with, picked from a `generate_scale` data set."""

from dataclasses import dataclass

from django.db import transaction

from puente.accounts.models import Organization, Role, Team, TeamMembership, User
from puente.episodes.models import Episode
from puente.patients.models import Patient

CASELOAD = 40  # the worker dashboard: a caseload of 40


@dataclass
class BenchContext:
    seed: int
    patients: int  # patients in the data set's organizations
    worker: User
    patient: Patient
    caseload: int
    supervisor: User | None
    admin: User | None
    partner: User | None


def dataset_patients(seed: int) -> int:
    orgs = Organization.objects.filter(slug__startswith=f"scale-s{seed}-").values_list("pk", flat=True)
    return Patient.objects.filter(organization_id__in=list(orgs)).count()


@transaction.atomic
def build_context(seed: int, caseload: int = CASELOAD) -> BenchContext:
    """A social worker of the data set's first organization (the first, by email, of the team of the first
    active episode), given a caseload of `caseload` active episodes of their own teams (fewer when the data set
    has fewer). The top-up is a bulk update of bench data, not audited and without history rows: no person
    assigned these synthetic patients."""
    org = Organization.objects.get(slug=f"scale-s{seed}-1")
    active = Episode.objects.filter(organization_id=org.pk, status=Episode.Status.ACTIVE)
    first = active.exclude(team_id=None).order_by("pk").first()
    if first is None:
        raise ValueError(f"Data set {seed} has no active episode: generate a larger one.")
    worker = (
        User.objects.filter(
            organization=org,
            role=Role.SOCIAL_WORKER,
            memberships__organization_id=org.pk,
            memberships__team_id=first.team_id,
        )
        .order_by("email")
        .first()
    )
    mine = active.filter(assigned_worker=worker)
    missing = caseload - mine.count()
    if missing > 0:
        teams = TeamMembership.objects.filter(organization_id=org.pk, user=worker).values_list("team_id", flat=True)
        extra = list(
            active.filter(team_id__in=list(teams))
            .exclude(assigned_worker=worker)
            .order_by("pk")
            .values_list("pk", flat=True)[:missing]
        )
        Episode.objects.filter(organization_id=org.pk, pk__in=extra).update(assigned_worker=worker)
    episode = mine.order_by("pk").first()
    team = Team.objects.filter(organization_id=org.pk, pk=first.team_id).select_related("supervisor").first()
    return BenchContext(
        seed=seed,
        patients=dataset_patients(seed),
        worker=worker,
        patient=Patient.objects.get(organization_id=org.pk, pk=episode.patient_id),
        caseload=mine.count(),
        supervisor=team.supervisor if team else None,
        admin=User.objects.filter(organization=org, role=Role.ADMIN).order_by("email").first(),
        partner=_partner(seed),
    )


def _partner(seed: int) -> User | None:
    """The first partner staff member of the data set's own partners (generate_scale makes them, with referrals
    from this data set's patients), so the small and the large data set each measure their own inbox; else any
    partner in the database."""
    partners = User.objects.filter(role=Role.PARTNER, organization__kind=Organization.Kind.PARTNER).order_by("email")
    return partners.filter(organization__slug__startswith=f"scale-s{seed}-partner-").first() or partners.first()
