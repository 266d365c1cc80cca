"""generate_scale: a large synthetic data set, built fast and consistent with what the services write."""

from decimal import Decimal
from io import StringIO

from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import F
from django.test import TestCase, override_settings

from puente.accounts.models import Organization, Role, Team, TeamMembership, Unit, User
from puente.audit.models import AuditEvent
from puente.demo.management.commands.generate_scale import structure_sizes
from puente.episodes.models import Episode, SocialWorkReferral
from puente.patients.models import Patient, PatientIdentifier
from puente.patients.services import _search_name, lookup_zip

N = 50


def generate(patients=N, seed=7, **opts) -> str:
    out = StringIO()
    opts.setdefault("verbosity", 0)
    call_command("generate_scale", patients=patients, seed=seed, stdout=out, **opts)
    return out.getvalue()


def expected_visible(user: User) -> set:
    """visible_to's rules, computed the long way from the generated rows."""
    org = user.organization_id
    if user.role == Role.INTAKE:
        return set(Patient.objects.filter(organization_id=org).values_list("pk", flat=True))
    if user.role == Role.CARE_TEAM:
        units = set(user.units.values_list("pk", flat=True))
        return {
            e.patient_id
            for e in Episode.objects.filter(organization_id=org)
            if e.unit_id in units and e.status == "active"
        }
    if user.role not in (Role.SOCIAL_WORKER, Role.SUPERVISOR):
        return set()
    teams = set(TeamMembership.objects.filter(user=user).values_list("team_id", flat=True))
    teams |= set(Team.objects.filter(supervisor=user).values_list("pk", flat=True))
    seen = {
        e.patient_id
        for e in Episode.objects.filter(organization_id=org)
        if e.team_id in teams or e.assigned_worker_id == user.pk
    }
    seen |= {
        r.patient_id
        for r in SocialWorkReferral.objects.filter(organization_id=org)
        if r.team_id in teams or r.assigned_to_id == user.pk
    }
    return seen


class StructureSizes(TestCase):
    def test_it_scales_teams_and_staff_with_the_patients(self):
        for patients, organizations, expected in [
            (100_000, 2, [(5, 100), (5, 100)]),  # the benchmark issue: 10 teams, ~200 staff
            (1_000_000, 2, [(50, 1000), (50, 1000)]),
            (100_000, 3, [(4, 67), (3, 67), (3, 66)]),
            (50, 2, [(2, 12), (2, 12)]),  # small runs keep every role and an "other team"
            (0, 1, [(2, 12)]),
        ]:
            with self.subTest(patients=patients, organizations=organizations):
                self.assertEqual(structure_sizes(patients, organizations), expected)


class GenerateScale(TestCase):
    @classmethod
    def setUpTestData(cls):
        generate(batch_size=7)  # a batch size that does not divide the count, to cover the last partial batch
        cls.orgs = list(
            Organization.objects.filter(slug__startswith="scale-s7-")
            .exclude(kind=Organization.Kind.PARTNER)  # the partners: test_generate_scale_community
            .order_by("slug")
        )

    def test_it_creates_the_requested_counts(self):
        self.assertEqual(Patient.objects.count(), N)
        self.assertEqual(PatientIdentifier.objects.count(), N)
        self.assertEqual(Episode.objects.count(), N)
        self.assertEqual(Episode.objects.values("patient").distinct().count(), N)  # one episode each
        referrals = SocialWorkReferral.objects.count()
        self.assertTrue(0.1 * N <= referrals <= 0.5 * N, referrals)  # about 30%
        self.assertEqual([Patient.objects.filter(organization=o).count() for o in self.orgs], [25, 25])

    def test_it_creates_organizations_with_teams_units_and_staff_in_every_role(self):
        self.assertEqual([o.kind for o in self.orgs], ["hospital", "home_health_hospice"])
        for org in self.orgs:
            with self.subTest(org=org.slug):
                self.assertGreaterEqual(Team.objects.filter(organization=org).count(), 2)
                self.assertGreaterEqual(Unit.objects.filter(organization=org).count(), 2)
                roles = set(User.objects.filter(organization=org).values_list("role", flat=True))
                self.assertEqual(roles, {Role.SOCIAL_WORKER, Role.SUPERVISOR, Role.CARE_TEAM, Role.INTAKE, Role.ADMIN})
                for team in Team.objects.filter(organization=org):
                    self.assertEqual(team.supervisor.role, Role.SUPERVISOR)
                    self.assertTrue(team.memberships.filter(user__role=Role.SOCIAL_WORKER).exists())
                for care in User.objects.filter(organization=org, role=Role.CARE_TEAM):
                    self.assertTrue(care.units.exists())

    def test_it_puts_every_row_in_its_patients_organization(self):
        for model in (PatientIdentifier, Episode, SocialWorkReferral):
            with self.subTest(model=model.__name__):
                self.assertFalse(model.objects.exclude(organization_id=F("patient__organization_id")).exists())
        for field in ("team", "unit", "assigned_worker", "created_by"):
            with self.subTest(episode_field=field):
                rows = Episode.objects.filter(**{f"{field}__isnull": False})
                self.assertFalse(rows.exclude(organization_id=F(f"{field}__organization_id")).exists())
        for field in ("episode", "team", "assigned_to"):
            with self.subTest(referral_field=field):
                rows = SocialWorkReferral.objects.filter(**{f"{field}__isnull": False})
                self.assertFalse(rows.exclude(organization_id=F(f"{field}__organization_id")).exists())
        self.assertFalse(SocialWorkReferral.objects.exclude(patient_id=F("episode__patient_id")).exists())
        self.assertFalse(TeamMembership.objects.exclude(organization_id=F("user__organization_id")).exists())
        self.assertFalse(TeamMembership.objects.exclude(organization_id=F("team__organization_id")).exists())
        self.assertFalse(User.units.through.objects.exclude(user__organization_id=F("unit__organization_id")).exists())
        self.assertFalse(Patient.objects.exclude(organization_id=F("created_by__organization_id")).exists())

    def test_it_fills_derived_fields_as_the_services_do(self):
        zips = {}
        for p in Patient.objects.all():
            info = zips.setdefault(p.postal_code, lookup_zip(p.postal_code))
            self.assertIsNotNone(info, p.postal_code)
            self.assertEqual(p.search_name, _search_name(p))
            self.assertEqual((p.city, p.state, p.county), (info.city, info.state, info.county))
            self.assertEqual(p.latitude, Decimal(str(round(info.latitude, 6))))
            self.assertEqual(p.longitude, Decimal(str(round(info.longitude, 6))))
        self.assertGreater(len(zips), 1)

    def test_it_generates_rows_that_pass_model_validation(self):
        for model in (Patient, Episode, SocialWorkReferral):
            for obj in model.objects.all():
                with self.subTest(model=model.__name__, pk=obj.pk):
                    obj.full_clean()

    def test_it_generates_coherent_episodes_and_referrals(self):
        for e in Episode.objects.all():
            self.assertEqual(e.end is None, e.status == "active", e)
            if e.end:
                self.assertGreaterEqual(e.end, e.start)
        for r in SocialWorkReferral.objects.select_related("episode"):
            self.assertGreaterEqual(r.received_at, r.episode.start)
            self.assertEqual(r.team_id, r.episode.team_id)
            self.assertEqual(r.assigned_to_id is None, r.status == "new")
            if r.first_contact_at:
                self.assertGreaterEqual(r.first_contact_at, r.assigned_at)

    def test_it_keeps_mrns_unique_within_each_organization(self):
        values = list(PatientIdentifier.objects.values_list("organization_id", "facility", "value"))
        self.assertEqual(len(values), len(set(values)))

    def test_it_generates_data_visible_to_works_on(self):
        staff = User.objects.filter(organization__in=self.orgs)
        partial = False
        for user in staff:
            with self.subTest(user=user.email):
                visible = set(Patient.objects.visible_to(user).values_list("pk", flat=True))
                self.assertEqual(visible, expected_visible(user))
                self.assertFalse(Patient.objects.filter(pk__in=visible).exclude(organization_id=user.organization_id))
                org_total = Patient.objects.filter(organization_id=user.organization_id).count()
                partial |= user.role == Role.SOCIAL_WORKER and 0 < len(visible) < org_total
        self.assertTrue(partial, "some social worker should see part of the organization, not all or nothing")
        self.assertEqual(Patient.objects.visible_to(staff.get(role=Role.INTAKE, organization=self.orgs[0])).count(), 25)
        self.assertEqual(Patient.objects.visible_to(staff.filter(role=Role.ADMIN).first()).count(), 0)

    def test_it_writes_history_rows_like_service_saves(self):
        for model in (Patient, PatientIdentifier, Episode, SocialWorkReferral):
            with self.subTest(model=model.__name__):
                history = model.history.all()
                self.assertEqual(history.count(), model.objects.count())
                self.assertEqual(set(history.values_list("history_type", flat=True)), {"+"})
                self.assertFalse(history.filter(history_user__isnull=True).exists())

    def test_it_writes_one_summary_audit_event_per_organization_not_one_per_record(self):
        events = AuditEvent.objects.all()
        self.assertEqual(events.count(), len(self.orgs))
        self.assertEqual({e.object_type for e in events}, {"demo.generate_scale"})
        self.assertEqual({e.organization_id for e in events}, {o.pk for o in self.orgs})
        self.assertFalse(events.filter(patient_id__isnull=False).exists())
        self.assertEqual(events.first().detail["run"]["patients"], N)

    def test_it_gives_the_same_data_for_the_same_seed(self):
        def snapshot():
            with transaction.atomic():
                generate(patients=10, seed=99)
                rows = list(
                    Patient.objects.filter(organization__slug__startswith="scale-s99-")
                    .order_by("pk")
                    .values_list("pk", "legal_given_name", "legal_family_name", "birth_date")
                )
                transaction.set_rollback(True)
            return rows

        first = snapshot()
        self.assertEqual(len(first), 10)
        self.assertEqual(snapshot(), first)

    def test_it_refuses_a_seed_already_generated(self):
        with self.assertRaisesMessage(CommandError, "already exists"):
            generate(patients=5)
        self.assertEqual(Patient.objects.count(), N)

    def test_it_adds_more_organizations_with_another_seed(self):
        generate(patients=6, seed=8, organizations=3)
        care = Organization.objects.filter(slug__startswith="scale-s8-").exclude(kind=Organization.Kind.PARTNER)
        self.assertEqual(care.count(), 3)
        self.assertEqual(Patient.objects.filter(organization__slug__startswith="scale-s8-").count(), 6)

    def test_it_reports_counts_and_elapsed_time(self):
        output = generate(patients=4, seed=10, verbosity=1)
        self.assertRegex(
            output, r"Generated 2 organizations, 4 patients, 4 episodes and \d+ social-work referrals in [\d.]+s"
        )

    @override_settings(PUENTE_MODE="production")
    def test_it_refuses_a_production_database_unless_told(self):
        with self.assertRaisesMessage(CommandError, "PUENTE_MODE=production"):
            generate(patients=3, seed=11)
        generate(patients=3, seed=11, allow_production=True)
        self.assertEqual(Patient.objects.filter(organization__slug__startswith="scale-s11-").count(), 3)

    def test_it_refuses_nonsense_arguments(self):
        for opts in ({"patients": -1}, {"organizations": 0}, {"batch_size": 0}):
            with self.subTest(**opts), self.assertRaises(CommandError):
                generate(**{"seed": 12, **opts})


class GenerateActivity(TestCase):
    """Screenings (scored by the real rule) and notes come with the patients, in the issue's proportions."""

    @classmethod
    def setUpTestData(cls):
        generate(seed=11)

    def test_it_generates_screenings_with_ten_answers_and_about_five_notes_per_patient(self):
        from puente.notes.models import ProgressNote
        from puente.screening.models import ScreeningAnswer, ScreeningResponse

        screenings = ScreeningResponse.objects.count()
        self.assertTrue(0.5 * N <= screenings <= N, screenings)  # one per patient with a worker to do it
        self.assertEqual(ScreeningAnswer.objects.count(), 10 * screenings)
        notes = ProgressNote.objects.count()
        self.assertTrue(2.5 * N <= notes <= 5 * N, notes)
        self.assertEqual(ProgressNote.history.count(), notes)
        for model in (ScreeningResponse, ScreeningAnswer, ProgressNote):
            with self.subTest(model=model.__name__):
                self.assertFalse(
                    model.objects.exclude(organization_id=F("patient__organization_id")).exists()
                    if model is not ScreeningAnswer
                    else model.objects.exclude(organization_id=F("response__organization_id")).exists()
                )

    def test_it_scores_each_screening_from_its_own_answers(self):
        from puente.screening.models import ScreeningAnswer, ScreeningResponse

        for response in ScreeningResponse.objects.order_by("pk")[:20]:
            with self.subTest(pk=response.pk):
                answers = ScreeningAnswer.objects.filter(organization_id=response.organization_id, response=response)
                self.assertEqual(answers.count(), 10)
                points = sum(a.value_integer or 0 for a in answers)
                self.assertEqual(response.total, points)
                self.assertEqual(response.alerts, [])  # item 9 kept at zero: no alert without its alert row

    def test_it_generates_notes_that_pass_model_validation(self):
        from puente.notes.models import ProgressNote

        for note in ProgressNote.objects.all()[:20]:
            with self.subTest(pk=note.pk):
                note.full_clean()
                self.assertEqual(note.author.organization_id, note.organization_id)

    def test_it_takes_a_scale_factor_or_skips_activity(self):
        from puente.screening.models import ScreeningResponse

        before = ScreeningResponse.objects.count()
        call_command("generate_scale", scale=0.0002, seed=12, no_activity=True, verbosity=0)
        self.assertEqual(Patient.objects.filter(organization__slug__startswith="scale-s12-").count(), 20)
        self.assertEqual(ScreeningResponse.objects.count(), before)
