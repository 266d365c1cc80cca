"""Load the synthetic Albuquerque-area demo: two care organizations, two partners, staff in every role,
250+ patients, episodes in every setting and a waiting social-work referral queue. Idempotent."""

import random
from datetime import date, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from puente.accounts.models import Organization, Role, Team, TeamMembership, Unit, User
from puente.directory.demo import load_demo_directory
from puente.episodes import services as episode_services
from puente.episodes.models import ReferralReason, Setting
from puente.notes.demo import load_demo_note_templates
from puente.patients import services as patient_services
from puente.patients.models import Insurance, Patient
from puente.referrals.demo import load_demo_referrals

DEMO_PASSWORD = "puente-demo-2026"

HOSPITAL = ("sandia-regional", "Sandia Regional Medical Center", Organization.Kind.HOSPITAL)
AGENCY = ("rio-grande-hhh", "Rio Grande Home Health & Hospice", Organization.Kind.HOME_HEALTH_HOSPICE)
PARTNERS = [
    ("roadrunner-pantry", "Roadrunner Community Pantry (demo)"),
    ("casa-esperanza", "Casa Esperanza Housing Help (demo)"),
]

# (email, name, role, discipline, org slug, teams, units, credentials, languages)
STAFF = [
    (
        "sofia@hospital.demo",
        "Sofía Baca",
        Role.SOCIAL_WORKER,
        "",
        "sandia-regional",
        ["Hospital Social Work"],
        [],
        "LCSW",
        "English, Spanish",
    ),
    (
        "james@hospital.demo",
        "James Whitfield",
        Role.SOCIAL_WORKER,
        "",
        "sandia-regional",
        ["Hospital Social Work"],
        [],
        "LMSW",
        "English",
    ),
    (
        "renee@hospital.demo",
        "Renee Begay",
        Role.SUPERVISOR,
        "",
        "sandia-regional",
        ["Hospital Social Work"],
        [],
        "LCSW",
        "English, Navajo",
    ),
    (
        "tom@hospital.demo",
        "Tom Kowalski",
        Role.CARE_TEAM,
        "nurse",
        "sandia-regional",
        [],
        ["4 West", "ED"],
        "RN",
        "English",
    ),
    (
        "anjali@hospital.demo",
        "Dr. Anjali Rao",
        Role.CARE_TEAM,
        "physician",
        "sandia-regional",
        [],
        ["4 West"],
        "MD",
        "English",
    ),
    ("lupe@hospital.demo", "Lupe Archuleta", Role.INTAKE, "", "sandia-regional", [], [], "", "English, Spanish"),
    ("admin@hospital.demo", "Hospital Administrator", Role.ADMIN, "", "sandia-regional", [], [], "", "English"),
    (
        "diego@agency.demo",
        "Diego Montoya",
        Role.SOCIAL_WORKER,
        "",
        "rio-grande-hhh",
        ["Home Health"],
        [],
        "LMSW",
        "English, Spanish",
    ),
    (
        "ruth@agency.demo",
        "Ruth Tsosie",
        Role.SOCIAL_WORKER,
        "",
        "rio-grande-hhh",
        ["Hospice", "Home Health"],
        [],
        "LCSW",
        "English, Navajo",
    ),
    (
        "karen@agency.demo",
        "Karen Lucero",
        Role.SUPERVISOR,
        "",
        "rio-grande-hhh",
        ["Home Health", "Hospice"],
        [],
        "LCSW",
        "English, Spanish",
    ),
    (
        "paul@agency.demo",
        "Chaplain Paul Romero",
        Role.CARE_TEAM,
        "chaplain",
        "rio-grande-hhh",
        [],
        ["Hospice Team"],
        "",
        "English, Spanish",
    ),
    (
        "grace@agency.demo",
        "Grace Yazzie",
        Role.CARE_TEAM,
        "therapist",
        "rio-grande-hhh",
        [],
        ["Home Health North"],
        "PT",
        "English",
    ),
    ("marta@agency.demo", "Marta Chávez", Role.INTAKE, "", "rio-grande-hhh", [], [], "", "English, Spanish"),
    ("ana@pantry.demo", "Ana Gallegos", Role.PARTNER, "", "roadrunner-pantry", [], [], "", "English, Spanish"),
    ("mike@casa.demo", "Mike Sandoval", Role.PARTNER, "", "casa-esperanza", [], [], "", "English"),
]
SUPERVISORS = {
    "Hospital Social Work": "renee@hospital.demo",
    "Home Health": "karen@agency.demo",
    "Hospice": "karen@agency.demo",
}
UNITS = {
    "sandia-regional": [
        ("Sandia Regional", "4 West"),
        ("Sandia Regional", "ED"),
        ("Sandia Regional Clinic", "Outpatient"),
    ],
    "rio-grande-hhh": [("Rio Grande HHH", "Home Health North"), ("Rio Grande HHH", "Hospice Team")],
}

HISPANIC_GIVEN_F = [
    "María",
    "Guadalupe",
    "Rosa",
    "Josefina",
    "Carmen",
    "Dolores",
    "Lucía",
    "Teresa",
    "Adriana",
    "Esperanza",
    "Yolanda",
    "Consuelo",
    "Ramona",
    "Angélica",
    "Inés",
]
HISPANIC_GIVEN_M = [
    "José",
    "Juan",
    "Manuel",
    "Francisco",
    "Jesús",
    "Ramón",
    "Arturo",
    "Eloy",
    "Rubén",
    "Tomás",
    "Ignacio",
    "Benito",
    "Joaquín",
    "Efraín",
    "Andrés",
]
HISPANIC_FAMILY = [
    "García",
    "Martínez",
    "Chávez",
    "Baca",
    "Sánchez",
    "Trujillo",
    "Lucero",
    "Montoya",
    "Gallegos",
    "Archuleta",
    "Sandoval",
    "Vigil",
    "Romero",
    "Apodaca",
    "Durán",
    "Ortiz",
    "Padilla",
    "Maestas",
    "García-López",
    "De la Cruz",
]
ANGLO_GIVEN_F = ["Linda", "Barbara", "Susan", "Karen", "Dorothy", "Margaret", "Emily", "Jennifer", "Helen", "Ruth"]
ANGLO_GIVEN_M = ["Robert", "William", "James", "Richard", "Charles", "Donald", "Gary", "Michael", "David", "Thomas"]
ANGLO_FAMILY = [
    "Smith",
    "Johnson",
    "Miller",
    "Anderson",
    "Taylor",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Walker",
    "Young",
    "Allen",
    "Wright",
    "Hill",
]
DINE_GIVEN_F = ["Shandiin", "Nizhoni", "Doli", "Ahiga", "Lorraine", "Bernadette", "Marlene", "Kaibah"]
DINE_GIVEN_M = ["Hastiin", "Ahiga", "Delbert", "Leonard", "Wilson", "Harrison", "Kee", "Nelson"]
DINE_FAMILY = ["Begay", "Yazzie", "Tsosie", "Benally", "Nez", "Tso", "Harvey", "Etsitty", "Chee", "Manuelito"]
PUEBLO_GIVEN_F = ["Evelyn", "Rose", "Theresa", "Delfina", "Marcella", "Pauline"]
PUEBLO_GIVEN_M = ["Joseph", "Anthony", "Augustine", "Leonard", "Frank", "Virgil"]
PUEBLO_FAMILY = [
    "Lente",
    "Abeita",
    "Jojola",
    "Lucero",
    "Chavarria",
    "Toya",
    "Pecos",
    "Shije",
    "Aguino",
    "Zuni",
    "Romero",
    "Calabaza",
]
PUEBLO_LANGUAGES = ["kee", "kjq", "tix", "tew", "tow", "zun"]

ZIPS = [
    "87102",
    "87105",
    "87106",
    "87108",
    "87110",
    "87112",
    "87114",
    "87120",
    "87121",
    "87123",
    "87124",
    "87144",
    "87048",
    "87043",
    "87004",
    "87068",
    "87031",
    "87047",
    "87059",
    "87022",
    "87035",
    "87002",
]
STREETS = [
    "Central Ave SW",
    "Isleta Blvd SW",
    "4th St NW",
    "Montgomery Blvd NE",
    "Coors Blvd NW",
    "Bridge Blvd SW",
    "Southern Blvd SE",
    "Camino del Pueblo",
    "Main St NE",
    "NM-47",
    "Old Route 66",
    "Rio Grande Blvd NW",
]
MCO = ["BCBSNM", "Molina", "Presbyterian", "UnitedHealthcare"]


class Command(BaseCommand):
    help = "Load the synthetic demo data set (idempotent; never real patients)."

    def add_arguments(self, parser):
        parser.add_argument("--patients", type=int, default=260, help="patients across both organizations")
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, **opts):
        orgs = self._organizations()
        users = self._staff(orgs)
        load_demo_directory()  # the synthetic community resource directory (idempotent)
        created = 0
        if not Patient.objects.filter(organization__in=[orgs["sandia-regional"], orgs["rio-grande-hhh"]]).exists():
            created = self._patients(orgs, users, opts["patients"])
        load_demo_referrals()  # consents and referrals in several lifecycle states (idempotent)
        load_demo_note_templates()  # agency progress-note templates (idempotent)
        if not opts["quiet"]:
            self._print_logins(created)

    @transaction.atomic
    def _organizations(self) -> dict[str, Organization]:
        orgs = {}
        for slug, name, kind in [HOSPITAL, AGENCY, *[(s, n, Organization.Kind.PARTNER) for s, n in PARTNERS]]:
            orgs[slug], _ = Organization.objects.update_or_create(slug=slug, defaults={"name": name, "kind": kind})
        for slug, units in UNITS.items():
            for facility, name in units:
                Unit.objects.get_or_create(organization=orgs[slug], facility=facility, name=name)
        return orgs

    @transaction.atomic
    def _staff(self, orgs) -> dict[str, User]:
        users = {}
        for email, name, role, discipline, slug, teams, units, creds, langs in STAFF:
            org = orgs[slug]
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email,
                    DEMO_PASSWORD,
                    full_name=name,
                    organization=org,
                    role=role,
                    discipline=discipline,
                    credentials=creds,
                    languages_spoken=langs,
                    language="es" if "Spanish" in langs and role == Role.PARTNER else "en",
                    # The demo administrator manages users and teams in the Django admin.
                    is_staff=role == Role.ADMIN,
                    is_superuser=role == Role.ADMIN,
                )
            users[email] = user
            for unit_name in units:
                user.units.add(Unit.objects.get(organization=org, name=unit_name))
            for team_name in teams:
                team, _ = Team.objects.get_or_create(organization=org, name=team_name)
                TeamMembership.objects.get_or_create(organization=org, team=team, user=user)
        for team_name, email in SUPERVISORS.items():
            sup = users[email]
            Team.objects.filter(organization=sup.organization, name=team_name).update(supervisor=sup)
        return users

    @transaction.atomic  # all or nothing: an interrupted run leaves no partial demo that blocks the next
    def _patients(self, orgs, users, count: int) -> int:
        rng = random.Random(2026)  # noqa: S311 - synthetic data, not security
        hospital, agency = orgs["sandia-regional"], orgs["rio-grande-hhh"]
        plan = [(hospital, users["lupe@hospital.demo"]) for _ in range(count * 2 // 3)]
        plan += [(agency, users["marta@agency.demo"]) for _ in range(count - len(plan))]
        teams = {t.name + str(t.organization_id): t for t in Team.objects.all()}
        units = {u.name + str(u.organization_id): u for u in Unit.objects.all()}
        workers = {
            hospital.pk: [users["sofia@hospital.demo"], users["james@hospital.demo"]],
            agency.pk: [users["diego@agency.demo"], users["ruth@agency.demo"]],
        }
        now = timezone.now()
        for i, (org, clerk) in enumerate(plan):
            data = self._person(rng)
            patient = patient_services.create_patient(
                None,
                data,
                [("Sandia Regional" if org == hospital else "Rio Grande HHH", f"MRN{100000 + i}")],
                user=clerk,
            )
            if org == hospital:
                setting = rng.choice([Setting.INPATIENT, Setting.INPATIENT, Setting.EMERGENCY, Setting.OUTPATIENT])
                unit_name = {"inpatient": "4 West", "emergency": "ED", "outpatient": "Outpatient"}[setting]
                team = teams["Hospital Social Work" + str(org.pk)]
            else:
                setting = rng.choice([Setting.HOME_HEALTH, Setting.HOSPICE])
                unit_name = "Home Health North" if setting == Setting.HOME_HEALTH else "Hospice Team"
                team = teams[("Home Health" if setting == Setting.HOME_HEALTH else "Hospice") + str(org.pk)]
            assigned = rng.random() < 0.7
            worker = rng.choice(workers[org.pk]) if assigned else None
            if setting == Setting.HOSPICE and worker is not None:
                worker = users["ruth@agency.demo"]
            episode = episode_services.create_episode(
                None,
                patient,
                {
                    "setting": setting,
                    "facility": units[unit_name + str(org.pk)].facility,
                    "unit": units[unit_name + str(org.pk)],
                    "team": team,
                    "assigned_worker": worker,
                    "start": now - timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 23)),
                    "attending": rng.choice(["Dr. Rao", "Dr. Whitehorse", "Dr. Salazar", "Dr. Kim"]),
                    "payer": patient.get_insurance_display(),
                },
                user=clerk,
            )
            if rng.random() < 0.35:
                reasons = rng.sample([r.value for r in ReferralReason if r != ReferralReason.OTHER], 2)
                referral = episode_services.create_sw_referral(
                    None,
                    patient,
                    {
                        "episode": episode,
                        "team": team,
                        "source": rng.choice(["care_team", "ed", "family", "self"]),
                        "reasons": reasons,
                        "priority": rng.choice(["routine", "routine", "urgent", "emergent"]),
                        "referred_by": rng.choice(["T. Kowalski RN", "Dr. Rao", "Daughter", "Patient"]),
                        "received_at": now - timedelta(hours=rng.uniform(0.5, 40)),
                        "assigned_to": worker if rng.random() < 0.4 else None,
                    },
                    user=clerk,
                )
                contact_at = referral.received_at + timedelta(hours=rng.uniform(0.2, 30))
                if referral.assigned_to_id and rng.random() < 0.3 and contact_at < now:
                    episode_services.record_first_contact(None, referral, contact_at, user=referral.assigned_to)
            if worker is not None and rng.random() < 0.3:
                self._screen(rng, patient, worker, now)
        return len(plan)

    def _screen(self, rng: random.Random, patient, worker, now) -> None:
        """A few synthetic screens so that results, trends, needs and (rarely) a crisis alert can be seen."""
        from puente.screening import services as screening_services

        when = now - timedelta(days=rng.randint(20, 60))
        ahc = {
            "71802-3": rng.choice(["LA31993-1", "LA31993-1", "LA31994-9", "LA31995-6"]),
            "96778-6": rng.choice([["LA9-3"], ["LA9-3"], ["LA31996-4"], ["LA31998-0", "LA28580-1"]]),
            "88122-7": rng.choice(["LA28398-8", "LA6729-3", "LA28397-0"]),
            "88123-5": rng.choice(["LA28398-8", "LA6729-3"]),
            "93030-5": rng.choice(["LA32-8", "LA32-8", "LA33-6"]),
            "96779-4": rng.choice(["LA32-8", "LA32-8", "LA33-6"]),
            **{
                c: rng.choice(["LA6270-8", "LA6270-8", "LA10066-1"])
                for c in ["95618-5", "95617-7", "95616-9", "95615-1"]
            },
        }
        screening_services.submit_screening(None, patient, "ahc_hrsn_core", ahc, user=worker, effective_at=when)
        phq_items = ["44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3"]
        levels = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]
        for visit in range(rng.randint(1, 3)):
            phq = {c: rng.choice(levels[:3]) for c in phq_items}
            # About one patient in sixty reports thoughts of self-harm: the demo shows an open crisis alert.
            phq["44260-8"] = "LA6569-3" if rng.random() < 0.06 and visit == 0 else "LA6568-5"
            screening_services.submit_screening(
                None, patient, "phq9", phq, user=worker, effective_at=when + timedelta(days=14 * visit)
            )

    def _person(self, rng: random.Random) -> dict:
        group = rng.choices(["hispanic", "anglo", "dine", "pueblo"], weights=[50, 28, 12, 10])[0]
        female = rng.random() < 0.55
        pools = {
            "hispanic": (HISPANIC_GIVEN_F, HISPANIC_GIVEN_M, HISPANIC_FAMILY),
            "anglo": (ANGLO_GIVEN_F, ANGLO_GIVEN_M, ANGLO_FAMILY),
            "dine": (DINE_GIVEN_F, DINE_GIVEN_M, DINE_FAMILY),
            "pueblo": (PUEBLO_GIVEN_F, PUEBLO_GIVEN_M, PUEBLO_FAMILY),
        }[group]
        given = rng.choice(pools[0] if female else pools[1])
        family = rng.choice(pools[2])
        language, interpreter, oral = "en", False, False
        if group == "hispanic" and rng.random() < 0.62:
            language, interpreter = "es", rng.random() < 0.7
        elif group == "dine" and rng.random() < 0.4:
            language, interpreter, oral = "nv", True, rng.random() < 0.3
        elif group == "pueblo" and rng.random() < 0.4:
            language, interpreter, oral = rng.choice(PUEBLO_LANGUAGES), True, True
        zip_code = rng.choice(ZIPS)
        insurance = rng.choice(
            [
                Insurance.MEDICARE,
                Insurance.MEDICARE,
                Insurance.MEDICARE_ADVANTAGE,
                Insurance.MEDICAID,
                Insurance.DUAL,
                Insurance.PRIVATE,
                Insurance.UNINSURED,
            ]
        )
        plan = rng.choice(MCO) if insurance in (Insurance.MEDICAID, Insurance.DUAL) else ""
        if insurance == Insurance.MEDICARE_ADVANTAGE:
            plan = rng.choice(["Presbyterian MediCare PPO", "Humana Gold Plus", "BCBSNM Medicare Advantage"])
        born = date(1930, 1, 1) + timedelta(days=rng.randint(0, 365 * 75))
        return {
            "legal_given_name": given,
            "legal_family_name": family,
            "preferred_name": rng.choice(
                ["", "", "", "", "Lupe" if given == "Guadalupe" else "", "Pepe" if given == "José" else ""]
            ),
            "birth_date": born,
            "sex_at_birth": "female" if female else "male",
            "pronouns": "she/her" if female else "he/him",
            "preferred_language": language,
            "interpreter_needed": interpreter,
            "oral_interpretation_only": oral,
            "phone": f"505-555-{rng.randint(0, 9999):04d}",
            "phone_may_text": rng.random() < 0.6,
            "address_line1": f"{rng.randint(100, 9999)} {rng.choice(STREETS)}",
            "state": "NM",
            "postal_code": zip_code,
            "address_confidential": rng.random() < 0.04,
            "insurance": insurance,
            "insurance_plan": plan,
            "advance_directive_on_file": rng.random() < 0.35,
        }

    def _print_logins(self, created: int) -> None:
        w = self.stdout.write
        if created:
            w(f"Created {created} synthetic patients.")
        w("")
        w(
            "Demo logins (password for all: "
            + DEMO_PASSWORD
            + ")"
            + ("" if settings.PUENTE_MODE == "demo" else "  [not demo mode: MFA may be required]")
        )
        w(f"  {'role':<22} {'email':<24} organization")
        for email, _name, role, discipline, slug, *_ in STAFF:
            label = Role(role).label + (f" ({discipline})" if discipline else "")
            w(f"  {label:<22} {email:<24} {slug}")
        w("")
