"""Build a large synthetic data set for benchmarks: `manage.py generate_scale --scale 1` (= `--patients 100000`).

Organizations alternate hospital / home health & hospice. Each gets teams, units and staff in every
clinical role (about 10 teams and 200 staff per 100,000 patients), then patients with an MRN, one
episode each and a social-work referral for about 30% of them. Rows are written with bulk_create,
one transaction per batch, so 100,000 patients take a few minutes (under 4 on SQLite on a busy
2-CPU machine) rather than the hours that 100,000 service calls, each a full_clean, a save, a history
row, an audit row and a ZIP lookup, would take.

Derived fields are filled as the services fill them (search_name, county, latitude and longitude),
history rows are written in bulk like the services' saves write them one by one, and every row's
organization matches its patient's. Everything is synthetic: names come from the demo's name lists.

Clinical activity comes with the patients, in the issue's proportions (per 100,000 patients: 100,000 PHQ-9
screenings = 1,000,000 answers, 500,000 progress notes): screenings are scored by the real pure rule
(`screening.scoring.score`) so totals and bands are true to their answers; item 9 is always "not at all", so no
screening claims a crisis alert that does not exist. Notes are signed DAP notes by a worker of the episode's team.

The community side (`_scale_community.py`), per 100,000 patients: 50 partner organizations with partner staff,
100,000 directory services (built for search) and about 300,000 closed-loop referrals to the partners' services
with their lifecycle events, consents and disclosures. `--no-activity` leaves out the referrals, not the directory.
"""

import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from puente.accounts.models import Discipline, Organization, Role, Team, TeamMembership, Unit, User
from puente.audit.models import AuditAction
from puente.audit.services import record_event
from puente.demo.management.commands._scale_community import Community
from puente.demo.management.commands.seed_demo import (
    ANGLO_FAMILY,
    ANGLO_GIVEN_F,
    ANGLO_GIVEN_M,
    DEMO_PASSWORD,
    DINE_FAMILY,
    DINE_GIVEN_F,
    DINE_GIVEN_M,
    HISPANIC_FAMILY,
    HISPANIC_GIVEN_F,
    HISPANIC_GIVEN_M,
    MCO,
    PUEBLO_FAMILY,
    PUEBLO_GIVEN_F,
    PUEBLO_GIVEN_M,
    PUEBLO_LANGUAGES,
    STREETS,
    ZIPS,
)
from puente.episodes.models import Episode, ReferralReason, Setting, SocialWorkReferral
from puente.notes.models import ProgressNote
from puente.patients.matching import normalize
from puente.patients.models import Insurance, Patient, PatientIdentifier
from puente.patients.services import lookup_zip
from puente.screening.library import get_instrument
from puente.screening.models import Mode, ScreeningAnswer, ScreeningResponse
from puente.screening.scoring import score

# Per 100,000 patients (the benchmark issue's size); smaller runs keep enough of each to be realistic.
TEAMS_PER_100K = 10
STAFF_PER_100K = 200
INSERT_BATCH = 1000  # rows per INSERT statement; stays under SQLite's and PostgreSQL's parameter limits
# --scale 1 is the benchmark issue's size.
PATIENTS_AT_SCALE_1 = 100_000
# Activity per patient, as averages (the issue: 1,000,000 answers and 500,000 notes per 100,000 patients).
SCREENINGS_PER_PATIENT = 1.0  # PHQ-9: 10 answers each
NOTES_PER_PATIENT = 5.0
PHQ9_ITEM9 = "44260-8"  # thoughts of self-harm: kept at "not at all" (no alert rows are generated)
NOTE_TEXT = {
    "data": "Met with patient at bedside; discussed discharge needs and support at home (synthetic).",
    "assessment": "Patient engaged, oriented; caregiver strain reported (synthetic).",
    "plan": "Follow up in two days; refer to community resources as agreed (synthetic).",
}

NAME_POOLS = {
    "hispanic": (HISPANIC_GIVEN_F, HISPANIC_GIVEN_M, HISPANIC_FAMILY),
    "anglo": (ANGLO_GIVEN_F, ANGLO_GIVEN_M, ANGLO_FAMILY),
    "dine": (DINE_GIVEN_F, DINE_GIVEN_M, DINE_FAMILY),
    "pueblo": (PUEBLO_GIVEN_F, PUEBLO_GIVEN_M, PUEBLO_FAMILY),
}
GROUPS, GROUP_WEIGHTS = ["hispanic", "anglo", "dine", "pueblo"], [50, 28, 12, 10]
PREFERRED = {"Guadalupe": "Lupe", "José": "Pepe", "Francisco": "Paco", "Jesús": "Chuy", "Ignacio": "Nacho"}
PREFERRED |= {"Robert": "Bob", "William": "Bill", "Richard": "Dick", "Margaret": "Peggy", "Thomas": "Tom"}
INSURANCES = [
    Insurance.MEDICARE,
    Insurance.MEDICARE,
    Insurance.MEDICARE_ADVANTAGE,
    Insurance.MEDICAID,
    Insurance.DUAL,
    Insurance.PRIVATE,
    Insurance.VA_IHS,
    Insurance.UNINSURED,
]
MA_PLANS = ["Presbyterian MediCare PPO", "Humana Gold Plus", "BCBSNM Medicare Advantage"]
REASONS = [r.value for r in ReferralReason if r != ReferralReason.OTHER]
ATTENDINGS = ["Dr. Rao", "Dr. Whitehorse", "Dr. Salazar", "Dr. Kim", "Dr. Begay", "Dr. Okafor"]
# Length of an episode by setting, in hours (min, max).
LENGTH_HOURS = {
    Setting.EMERGENCY: (2, 30),
    Setting.OUTPATIENT: (1, 4),
    Setting.INPATIENT: (24, 24 * 14),
    Setting.HOME_HEALTH: (24 * 30, 24 * 60),
    Setting.HOSPICE: (24 * 10, 24 * 180),
}
# Discharge dispositions by setting, (value, relative weight): in-hospital deaths are rare, hospice ones not.
DISPOSITIONS = {
    Setting.EMERGENCY: [("home", 85), ("shelter", 5), ("ama", 8), ("other", 2)],
    Setting.OUTPATIENT: [("home", 100)],
    Setting.INPATIENT: [
        ("home", 50),
        ("home_health", 16),
        ("snf", 15),
        ("irf", 5),
        ("hospice", 4),
        ("ltch", 2),
        ("ama", 2),
        ("shelter", 2),
        ("expired", 2),
        ("other", 2),
    ],
    Setting.HOME_HEALTH: [("home", 80), ("snf", 8), ("hospice", 7), ("expired", 2), ("other", 3)],
    Setting.HOSPICE: [("expired", 80), ("home", 15), ("other", 5)],
}
HISTORY_CHANGE_REASON = "generate_scale (synthetic)"


@dataclass
class OrgPlan:
    """One organization being generated and the staff and structure its patients are spread over."""

    org: Organization
    facility: str
    clerk: User
    settings_weights: list[tuple[str, int]]
    units_by_setting: dict[str, list[Unit]] = field(default_factory=dict)
    teams_by_setting: dict[str, list[Team]] = field(default_factory=dict)
    workers_by_team: dict = field(default_factory=dict)


def split(total: int, parts: int) -> list[int]:
    """`total` spread over `parts` as evenly as possible, the first parts taking the remainder."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def structure_sizes(patients: int, organizations: int) -> list[tuple[int, int]]:
    """(teams, staff) for each organization: TEAMS_PER_100K and STAFF_PER_100K in all, at least 2 teams
    and 12 staff each so that every role and an "other team" exist even in a small run."""
    teams = split(max(2 * organizations, round(patients * TEAMS_PER_100K / 100_000)), organizations)
    staff = split(max(12 * organizations, round(patients * STAFF_PER_100K / 100_000)), organizations)
    return list(zip(teams, staff, strict=True))


class Command(BaseCommand):
    help = "Generate a large synthetic data set (organizations, staff, patients, episodes, referrals) fast."

    def add_arguments(self, parser):
        size = parser.add_mutually_exclusive_group(required=True)
        size.add_argument("--patients", type=int, help="patients across all organizations")
        size.add_argument(
            "--scale",
            type=float,
            help=f"size as a fraction of the benchmark issue's data set (1 = {PATIENTS_AT_SCALE_1:,} patients)",
        )
        parser.add_argument(
            "--no-activity",
            action="store_true",
            help="patients, episodes and social-work referrals only: no screenings, notes or community referrals",
        )
        parser.add_argument("--organizations", type=int, default=2, help="care organizations (default 2)")
        parser.add_argument("--seed", type=int, default=1, help="random seed; the same seed gives the same data")
        parser.add_argument("--batch-size", type=int, default=5000, help="patients per transaction (default 5000)")
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="run even with PUENTE_MODE=production (synthetic patients among real ones: think twice)",
        )

    def handle(self, *args, **opts):
        started = time.perf_counter()
        n_orgs, seed, batch = opts["organizations"], opts["seed"], opts["batch_size"]
        n = opts["patients"] if opts["patients"] is not None else round(opts["scale"] * PATIENTS_AT_SCALE_1)
        self.activity = not opts["no_activity"]
        self.phq9 = get_instrument("phq9")
        if n < 0 or n_orgs < 1 or batch < 1:
            raise CommandError("--patients must be >= 0, --organizations and --batch-size >= 1.")
        if settings.PUENTE_MODE == "production" and not opts["allow_production"]:
            raise CommandError(
                "Refusing to add synthetic patients with PUENTE_MODE=production (see --allow-production)."
            )
        if Organization.objects.filter(slug__startswith=f"scale-s{seed}-").exists():
            raise CommandError(f"Data for --seed {seed} already exists; use another seed or a fresh database.")

        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
        self.now = timezone.now()
        # One lookup per ZIP, not per patient: each lookup scans the whole ZIP table (about 30 ms).
        found = {z: lookup_zip(z) for z in ZIPS}
        self.zips = {z: info for z, info in found.items() if info is not None}
        self.zip_codes = sorted(self.zips)
        self.password = make_password(DEMO_PASSWORD)  # hashed once: the slow hasher would cost minutes
        self.mrn_seq = 0

        sizes = structure_sizes(n, n_orgs)
        plans = [self._organization(seed, i, teams, staff) for i, (teams, staff) in enumerate(sizes)]
        counts = {"patients": 0, "episodes": 0, "sw_referrals": 0, "screenings": 0, "answers": 0, "notes": 0}

        # Partners and the directory first: the patients' referrals go to its services.
        self.community = Community(self, seed, n)
        began = time.perf_counter()
        with tqdm(total=self.community.n_services, unit=" services", disable=opts["verbosity"] == 0) as progress:
            self.community.build([plan.org.pk for plan in plans], progress)
        self.directory_seconds = time.perf_counter() - began
        with tqdm(total=n, unit=" patients", disable=opts["verbosity"] == 0) as progress:
            for plan, org_patients in zip(plans, split(n, n_orgs), strict=True):
                done = 0
                while done < org_patients:
                    size = min(batch, org_patients - done)
                    for key, value in self._batch(plan, size).items():
                        counts[key] += value
                    done += size
                    progress.update(size)

        counts |= self.community.counts
        # The state autovacuum reaches minutes after a bulk load, before anything is measured: fresh planner
        # statistics (PostgreSQL still believes the tables nearly empty and plans every page for ten rows) and, on
        # PostgreSQL, a visibility map, without which index-only and bitmap scans visit every table row (the
        # directory search's full-text query: 17 -> 14 ms at 100,000 services).
        with connection.cursor() as cursor:
            # VACUUM cannot run inside a transaction (a test's, or a caller's): statistics alone then.
            vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
            cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
        elapsed = time.perf_counter() - started
        for plan in plans:
            # Bulk synthetic data gets no audit row per record: no person created or read these records, so
            # such rows would record nothing true and double the rows written. One summary event per
            # organization says what was loaded, when and from which seed.
            record_event(
                None,
                AuditAction.CREATE,
                object_type="demo.generate_scale",
                organization_id=plan.org.pk,
                actor_label="generate_scale",
                detail={"synthetic": True, "seed": seed, "organization": plan.org.slug, "run": counts},
            )
        self._report(plans, counts, elapsed, opts["verbosity"])

    # Structure: organization, units, teams, staff.

    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    @transaction.atomic
    def _organization(self, seed: int, index: int, n_teams: int, n_staff: int) -> OrgPlan:
        hospital = index % 2 == 0
        number = index // 2 + 1
        if hospital:
            kind, name, facility = (
                Organization.Kind.HOSPITAL,
                f"Scale Regional Hospital {number}",
                f"Scale Regional {number}",
            )
            weights = [(Setting.INPATIENT, 55), (Setting.EMERGENCY, 30), (Setting.OUTPATIENT, 15)]
        else:
            kind, name, facility = (
                Organization.Kind.HOME_HEALTH_HOSPICE,
                f"Scale Home Health & Hospice {number}",
                f"Scale HHH {number}",
            )
            weights = [(Setting.HOME_HEALTH, 65), (Setting.HOSPICE, 35)]
        org = Organization.objects.create(
            id=self._uuid(), slug=f"scale-s{seed}-{index + 1}", name=f"{name} (synthetic)", kind=kind
        )

        units: dict[str, list[Unit]] = {s: [] for s, _ in weights}
        for unit_name, setting in self._unit_names(hospital, max(len(weights), n_teams)):
            units[setting].append(Unit(id=self._uuid(), organization=org, facility=facility, name=unit_name))
        Unit.objects.bulk_create([u for us in units.values() for u in us])

        n_sup = n_teams
        n_intake = max(1, round(n_staff * 0.05))
        n_care = max(2, round(n_staff * 0.3))
        n_sw = max(2 * n_teams, n_staff - n_sup - n_intake - n_care - 1)
        roles = [(Role.SUPERVISOR, n_sup), (Role.INTAKE, n_intake), (Role.CARE_TEAM, n_care), (Role.ADMIN, 1)]
        roles.append((Role.SOCIAL_WORKER, n_sw))
        users = []
        for role, count in roles:
            for k in range(count):
                users.append(self._staff(org, seed, index, role, k))
        User.objects.bulk_create(users, batch_size=INSERT_BATCH)
        by_email = {u.email: u for u in User.objects.filter(organization=org)}
        users = [by_email[u.email] for u in users]
        by_role = {role: [u for u in users if u.role == role] for role, _ in roles}

        # Hospital teams cover every hospital setting; an agency splits home health and hospice teams.
        team_settings = [[s for s, _ in weights]] * n_teams
        if not hospital:
            team_settings = [[Setting.HOME_HEALTH] if t % 2 == 0 else [Setting.HOSPICE] for t in range(n_teams)]
        label = "Hospital Social Work" if hospital else "Home Health & Hospice"
        teams = []
        for t, sup in enumerate(by_role[Role.SUPERVISOR]):
            team_label = (
                label if hospital else ("Home Health" if team_settings[t] == [Setting.HOME_HEALTH] else "Hospice")
            )
            teams.append(Team(id=self._uuid(), organization=org, name=f"{team_label} {t + 1}", supervisor=sup))
        Team.objects.bulk_create(teams)

        members: dict = {t.pk: [] for t in teams}
        memberships = []
        for team in teams:
            memberships.append(TeamMembership(id=self._uuid(), organization=org, team=team, user=team.supervisor))
        for k, worker in enumerate(by_role[Role.SOCIAL_WORKER]):
            own = [teams[k % n_teams]]
            if self.rng.random() < 0.1 and n_teams > 1:  # a few float between two teams
                own.append(teams[(k + 1) % n_teams])
            for team in own:
                members[team.pk].append(worker)
                memberships.append(TeamMembership(id=self._uuid(), organization=org, team=team, user=worker))
        TeamMembership.objects.bulk_create(memberships, batch_size=INSERT_BATCH)

        all_units = [u for us in units.values() for u in us]
        unit_links = []
        for care in by_role[Role.CARE_TEAM]:
            for unit in self.rng.sample(all_units, min(len(all_units), self.rng.choice([1, 1, 2]))):
                unit_links.append(User.units.through(user_id=care.pk, unit_id=unit.pk))
        User.units.through.objects.bulk_create(unit_links, batch_size=INSERT_BATCH)

        plan = OrgPlan(org=org, facility=facility, clerk=by_role[Role.INTAKE][0], settings_weights=weights)
        plan.units_by_setting = units
        plan.teams_by_setting = {
            s: [t for t, ts in zip(teams, team_settings, strict=True) if s in ts] for s, _ in weights
        }
        plan.workers_by_team = members
        return plan

    def _unit_names(self, hospital: bool, count: int) -> list[tuple[str, str]]:
        if hospital:
            names = [("ED", Setting.EMERGENCY), ("Outpatient Clinic", Setting.OUTPATIENT)]
            wings = ["West", "East", "North", "South"]
            floor = 2
            while len(names) < count + 2:
                names += [(f"{floor} {w}", Setting.INPATIENT) for w in wings]
                floor += 1
            return names[: max(3, count + 2)]
        areas = ["North", "South", "East", "West", "Central", "Valley", "Mesa", "East Mountains"]
        names = []
        for k in range(max(2, count)):
            area = areas[k // 2 % len(areas)] + (f" {k // (2 * len(areas)) + 1}" if k >= 2 * len(areas) else "")
            names.append(
                (f"Home Health {area}", Setting.HOME_HEALTH) if k % 2 == 0 else (f"Hospice {area}", Setting.HOSPICE)
            )
        return names

    def _person_name(self, rng: random.Random | None = None) -> str:
        rng = rng or self.rng
        female = rng.random() < 0.7
        pools = NAME_POOLS[rng.choices(GROUPS, weights=GROUP_WEIGHTS)[0]]
        return f"{rng.choice(pools[0] if female else pools[1])} {rng.choice(pools[2])}"

    def _staff(self, org: Organization, seed: int, index: int, role: str, k: int) -> User:
        rng = self.rng
        name = self._person_name()
        short = {"social_worker": "sw", "supervisor": "sup", "care_team": "care", "intake": "intake", "admin": "admin"}
        discipline, credentials = "", ""
        if role == Role.CARE_TEAM:
            discipline = rng.choice(
                [Discipline.NURSE] * 5 + [Discipline.PHYSICIAN, Discipline.THERAPIST, Discipline.CHAPLAIN]
            )
            credentials = {"nurse": "RN", "physician": "MD", "therapist": "PT", "chaplain": ""}[discipline]
        elif role in (Role.SOCIAL_WORKER, Role.SUPERVISOR):
            credentials = "LCSW" if role == Role.SUPERVISOR or rng.random() < 0.4 else "LMSW"
        return User(
            email=f"{short[role]}{k + 1:03d}@o{index + 1}.s{seed}.scale.example",
            password=self.password,
            full_name=name,
            organization=org,
            role=role,
            discipline=discipline,
            credentials=credentials,
            languages_spoken="English, Spanish" if rng.random() < 0.4 else "English",
        )

    # Patients, MRNs, episodes and referrals, one transaction per batch.

    @transaction.atomic
    def _batch(self, plan: OrgPlan, size: int) -> dict[str, int]:
        patients, identifiers, episodes, referrals = [], [], [], []
        for _ in range(size):
            patient = self._patient(plan)
            episode = self._episode(plan, patient)
            self.mrn_seq += 1
            identifiers.append(
                PatientIdentifier(
                    id=self._uuid(),
                    organization_id=plan.org.pk,
                    patient_id=patient.pk,
                    facility=plan.facility,
                    value=f"M{self.mrn_seq:08d}",
                )
            )
            patients.append(patient)
            episodes.append(episode)
            if self.rng.random() < 0.3:
                referrals.append(self._referral(plan, episode))
        for model, rows in (
            (Patient, patients),
            (PatientIdentifier, identifiers),
            (Episode, episodes),
            (SocialWorkReferral, referrals),
        ):
            model.objects.bulk_create(rows, batch_size=INSERT_BATCH)
            model.history.bulk_history_create(  # type: ignore[attr-defined]
                rows,
                batch_size=INSERT_BATCH,
                default_user=plan.clerk,
                default_date=self.now,
                default_change_reason=HISTORY_CHANGE_REASON,
            )
        counts = {"patients": len(patients), "episodes": len(episodes), "sw_referrals": len(referrals)}
        if self.activity:
            pairs = list(zip(patients, episodes, strict=True))
            counts |= self._activity(plan, pairs)
            self.community.referrals(plan, pairs)  # counted by the community plan itself
        return counts

    # Clinical activity: screenings with their answers, progress notes.

    def _count(self, mean: float) -> int:
        """A per-patient count with the given mean (the integer part always, the rest by chance)."""
        return int(mean) + (1 if self.rng.random() < mean - int(mean) else 0)

    def _activity(self, plan: OrgPlan, pairs: list) -> dict[str, int]:
        responses, answers, notes = [], [], []
        for patient, episode in pairs:
            workers = plan.workers_by_team[episode.team_id]
            author_id = episode.assigned_worker_id or (self.rng.choice(workers).pk if workers else None)
            if author_id is None:
                continue
            for _ in range(self._count(SCREENINGS_PER_PATIENT)):
                response, rows = self._screening(patient, episode, author_id)
                responses.append(response)
                answers.extend(rows)
            for _ in range(self._count(NOTES_PER_PATIENT)):
                notes.append(self._note(patient, episode, author_id))
        ScreeningResponse.objects.bulk_create(responses, batch_size=INSERT_BATCH)
        ScreeningAnswer.objects.bulk_create(answers, batch_size=INSERT_BATCH)
        ProgressNote.objects.bulk_create(notes, batch_size=INSERT_BATCH)
        ProgressNote.history.bulk_history_create(  # type: ignore[attr-defined]
            notes,
            batch_size=INSERT_BATCH,
            default_user=plan.clerk,
            default_date=self.now,
            default_change_reason=HISTORY_CHANGE_REASON,
        )
        return {"screenings": len(responses), "answers": len(answers), "notes": len(notes)}

    def _when(self, episode: Episode) -> datetime:
        end = episode.end or self.now
        return episode.start + (end - episode.start) * self.rng.random()

    def _screening(self, patient: Patient, episode: Episode, performer_id) -> tuple:
        rng, inst = self.rng, self.phq9
        lists = inst["answer_lists"]
        chosen = {}
        for item in inst["items"]:
            options = lists[item["answer_list"]]
            # Mostly low scores, a tail of moderate-to-severe ones, as in a hospital population.
            weights = [55, 25, 12, 8][: len(options)]
            chosen[item["code"]] = options[0] if item["code"] == PHQ9_ITEM9 else rng.choices(options, weights)[0]
        result = score(inst, {code: option["code"] for code, option in chosen.items()})
        response = ScreeningResponse(
            id=self._uuid(),
            organization_id=patient.organization_id,
            patient_id=patient.pk,
            instrument_id=inst["id"],
            instrument_version=inst["version"],
            language=patient.message_language,
            mode=Mode.IN_PERSON,
            performer_id=performer_id,
            effective_at=self._when(episode),
            total=result.total,
            band=result.band or "",
            positive=result.positive,
            positive_domains=result.positive_domains,
            missing_items=result.missing,
            alerts=result.alerts,
            details=result.details,
            pending_verification=result.pending_verification,
        )
        rows = [
            ScreeningAnswer(
                organization_id=patient.organization_id,
                response_id=response.pk,
                item_code=code,
                answer_code=option["code"],
                value_integer=option.get("value"),
            )
            for code, option in chosen.items()
        ]
        return response, rows

    def _note(self, patient: Patient, episode: Episode, author_id) -> ProgressNote:
        contact = self._when(episode)
        signed = min(contact + timedelta(hours=self.rng.uniform(0.2, 20)), self.now)
        return ProgressNote(
            id=self._uuid(),
            organization_id=patient.organization_id,
            patient_id=patient.pk,
            episode_id=episode.pk,
            author_id=author_id,
            format="dap",
            sections=NOTE_TEXT,
            contact_at=contact,
            status=ProgressNote.Status.SIGNED,
            updated_by_id=author_id,
            signed_by_id=author_id,
            signed_at=signed,
        )

    def _patient(self, plan: OrgPlan) -> Patient:
        rng = self.rng
        group = rng.choices(GROUPS, weights=GROUP_WEIGHTS)[0]
        female = rng.random() < 0.55
        given_pool, other_pool, family_pool = NAME_POOLS[group]
        if not female:
            given_pool, other_pool = other_pool, given_pool
        given, family = rng.choice(given_pool), rng.choice(family_pool)
        middle = rng.choice(given_pool) if rng.random() < 0.3 else ""
        preferred = PREFERRED.get(given, "") if rng.random() < 0.3 else ""
        language, interpreter, oral = "en", False, False
        if group == "hispanic" and rng.random() < 0.62:
            language, interpreter = "es", rng.random() < 0.7
        elif group == "dine" and rng.random() < 0.4:
            language, interpreter, oral = "nv", True, rng.random() < 0.3
        elif group == "pueblo" and rng.random() < 0.4:
            language, interpreter, oral = rng.choice(PUEBLO_LANGUAGES), True, True
        insurance = rng.choice(INSURANCES)
        plan_name = rng.choice(MCO) if insurance in (Insurance.MEDICAID, Insurance.DUAL) else ""
        if insurance == Insurance.MEDICARE_ADVANTAGE:
            plan_name = rng.choice(MA_PLANS)
        zip_code = rng.choice(self.zip_codes)
        info = self.zips[zip_code]
        return Patient(
            id=self._uuid(),
            organization_id=plan.org.pk,
            legal_given_name=given,
            legal_middle_name=middle,
            legal_family_name=family,
            preferred_name=preferred,
            birth_date=date(1925, 1, 1) + timedelta(days=rng.randint(0, 365 * 80)),
            sex_at_birth="female" if female else "male",
            pronouns="she/her" if female else "he/him",
            preferred_language=language,
            interpreter_needed=interpreter,
            oral_interpretation_only=oral,
            phone=f"505-555-{rng.randint(0, 9999):04d}",
            phone_may_text=rng.random() < 0.6,
            address_line1=f"{rng.randint(100, 9999)} {rng.choice(STREETS)}",
            # As patients.services._derive: city and state from the ZIP when not given.
            city=info.city,
            state=info.state,
            postal_code=zip_code,
            county=info.county,
            latitude=Decimal(str(round(info.latitude, 6))),
            longitude=Decimal(str(round(info.longitude, 6))),
            address_confidential=rng.random() < 0.04,
            insurance=insurance,
            insurance_plan=plan_name,
            insurance_member_id=f"{rng.getrandbits(40):012X}" if insurance != Insurance.UNINSURED else "",
            advance_directive_on_file=rng.random() < 0.35,
            # As patients.services._search_name.
            search_name=normalize(" ".join([given, middle, family, preferred])),
            created_by_id=plan.clerk.pk,
            updated_by_id=plan.clerk.pk,
        )

    def _episode(self, plan: OrgPlan, patient: Patient) -> Episode:
        rng = self.rng
        settings_, weights = zip(*plan.settings_weights, strict=True)
        setting = rng.choices(settings_, weights=weights)[0]
        unit = rng.choice(plan.units_by_setting[setting])
        team = rng.choice(plan.teams_by_setting[setting])
        workers = plan.workers_by_team[team.pk]
        worker = rng.choice(workers) if workers and rng.random() < 0.7 else None
        start = self.now - timedelta(minutes=rng.randint(0, 180 * 24 * 60))
        low, high = LENGTH_HOURS[setting]
        end: datetime | None = start + timedelta(hours=rng.uniform(low, high))
        dispositions, odds = zip(*DISPOSITIONS[setting], strict=True)
        status, disposition = Episode.Status.FINISHED, rng.choices(dispositions, weights=odds)[0]
        if end > self.now:
            status, end, disposition = Episode.Status.ACTIVE, None, ""
        elif disposition == "expired":
            patient.deceased_date = timezone.localdate(end)
        return Episode(
            id=self._uuid(),
            organization_id=patient.organization_id,
            patient_id=patient.pk,
            setting=setting,
            facility=plan.facility,
            unit_id=unit.pk,
            team_id=team.pk,
            assigned_worker_id=worker.pk if worker else None,
            start=start,
            end=end,
            status=status,
            attending=rng.choice(ATTENDINGS),
            payer=patient.get_insurance_display(),
            discharge_disposition=disposition,
            created_by_id=plan.clerk.pk,
        )

    def _referral(self, plan: OrgPlan, episode: Episode) -> SocialWorkReferral:
        rng = self.rng
        received = min(episode.start + timedelta(hours=rng.uniform(0.2, 48)), self.now - timedelta(minutes=5))
        status = SocialWorkReferral.Status.CLOSED
        if episode.status == Episode.Status.ACTIVE:
            status = rng.choices(
                [
                    SocialWorkReferral.Status.NEW,
                    SocialWorkReferral.Status.ASSIGNED,
                    SocialWorkReferral.Status.CONTACTED,
                ],
                weights=[45, 25, 30],
            )[0]
        elif rng.random() < 0.1:
            status = SocialWorkReferral.Status.CANCELLED
        assignee = None
        if status != SocialWorkReferral.Status.NEW:
            team_workers = plan.workers_by_team[episode.team_id]
            assignee = episode.assigned_worker_id or (rng.choice(team_workers).pk if team_workers else None)
        assigned_at = first_contact = None
        if assignee:
            assigned_at = min(received + timedelta(minutes=rng.randint(5, 240)), self.now)
            if status in (SocialWorkReferral.Status.CONTACTED, SocialWorkReferral.Status.CLOSED):
                first_contact = min(assigned_at + timedelta(hours=rng.uniform(0.5, 40)), self.now)
        return SocialWorkReferral(
            id=self._uuid(),
            organization_id=episode.organization_id,
            patient_id=episode.patient_id,
            episode_id=episode.pk,
            team_id=episode.team_id,  # as services.create_sw_referral: the episode's team
            source=rng.choice(["care_team", "care_team", "ed", "family", "self", "adt_rule"]),
            reasons=rng.sample(REASONS, rng.randint(1, 3)),
            priority=rng.choices(["routine", "urgent", "emergent"], weights=[70, 22, 8])[0],
            referred_by=rng.choice(["Charge RN", "Dr. Rao", "Daughter", "Patient", "ADT rule"]),
            received_at=received,
            status=status,
            assigned_to_id=assignee,
            assigned_at=assigned_at,
            first_contact_at=first_contact,
            created_by_id=plan.clerk.pk,
        )

    def _report(self, plans: list[OrgPlan], counts: dict[str, int], elapsed: float, verbosity: int) -> None:
        if verbosity == 0:
            return
        rate = counts["patients"] / elapsed if elapsed else 0
        self.stdout.write(
            f"Generated {len(plans)} organizations, {counts['patients']} patients, {counts['episodes']} episodes "
            f"and {counts['sw_referrals']} social-work referrals in {elapsed:.1f}s ({rate:,.0f} patients/s)."
        )
        if self.activity:
            self.stdout.write(
                f"With {counts['screenings']} screenings ({counts['answers']} answers) and {counts['notes']} notes."
            )
        self.stdout.write(
            f"Community: {counts['partners']} partner organizations ({counts['partner_staff']} partner staff), "
            f"{counts['services']} directory services in {counts['directory_organizations']} directory organizations "
            f"(built and indexed for search in {self.directory_seconds:.1f}s), {counts['referrals']} community "
            f"referrals with {counts['referral_events']} events, {counts['consents']} consents, "
            f"{counts['disclosures']} disclosures and {counts['checkback_links']} check-back links."
        )
        self.stdout.write(f"Staff sign in with the password {DEMO_PASSWORD}, for example:")
        for plan in plans:
            self.stdout.write(f"  {plan.org.name}: {plan.clerk.email} (intake)")
        for partner in self.community.partners[:1]:
            self.stdout.write(f"  {partner.name}: partner01@p1.s{self.community.seed}.scale.example (partner)")
