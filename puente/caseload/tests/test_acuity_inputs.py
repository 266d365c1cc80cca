"""The acuity inputs' one SQL statement says what the models' querysets say, at every boundary of every rule.

`selectors.acuity_inputs` restates the querysets' rules in SQL for speed; `orm_inputs` below asks the querysets
themselves (the way the inputs were read before), so a rule changed in one place and not the other fails here.
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, Max
from django.test import override_settings
from django.utils import timezone

from puente.caseload.selectors import OPEN_CONCERN, READMISSION_INSTRUMENTS, acuity_inputs
from puente.core.testing import PersonaTestCase, make_episode, make_patient
from puente.episodes.models import SocialWorkReferral
from puente.notes.models import ProgressNote
from puente.screening.models import CrisisAlert, HealthConcern, ScreeningResponse
from puente.tasks.models import Task

US = timedelta(microseconds=1)


def orm_inputs(org_id, patient_ids, now) -> dict:
    """Each input as the models' querysets read it: patient id → the tuple of inputs acuity_inputs gives."""

    def counts(qs):
        return dict(qs.values("patient_id").annotate(n=Count("id")).order_by().values_list("patient_id", "n"))

    def newest(qs, field):
        return dict(qs.values("patient_id").annotate(last=Max(field)).order_by().values_list("patient_id", "last"))

    scoped = {"organization_id": org_id, "patient_id__in": patient_ids}
    alerts = counts(CrisisAlert.objects.filter(**scoped, status=CrisisAlert.Status.OPEN))
    needs = HealthConcern.objects.filter(**scoped, status__in=OPEN_CONCERN).values_list("patient_id", "category")
    readmission = {}
    for pid, band in (
        ScreeningResponse.objects.filter(**scoped, instrument_id__in=READMISSION_INSTRUMENTS)
        .exclude(band="")
        .order_by("patient_id", "-effective_at")
        .values_list("patient_id", "band")
    ):
        readmission.setdefault(pid, band)
    overdue = counts(Task.objects.filter(**scoped).overdue(now))
    due = now - timedelta(hours=settings.PUENTE_SW_REFERRAL_DUE_HOURS)
    late = counts(SocialWorkReferral.objects.filter(**scoped, received_at__lt=due).open().waiting())
    notes = newest(ProgressNote.objects.filter(**scoped, contact_at__lte=now), "contact_at")
    contacts = newest(SocialWorkReferral.objects.filter(**scoped, first_contact_at__isnull=False), "first_contact_at")
    result = {}
    for pid in patient_ids:
        dates = [d for d in (notes.get(pid), contacts.get(pid)) if d]
        days = (timezone.localdate(now) - timezone.localdate(max(dates))).days if dates else None
        result[pid] = (
            alerts.get(pid, 0),
            len({category for p, category in needs if p == pid}),
            readmission.get(pid),
            overdue.get(pid, 0) + late.get(pid, 0),
            days,
        )
    return result


def as_tuple(i):
    return (i.open_crisis_alerts, i.positive_domains, i.readmission_band, i.overdue_items, i.days_since_contact)


class AcuityInputsAgreeWithTheQuerysets(PersonaTestCase):
    def setUp(self):
        # Local noon: "days since contact" counts local dates, and a day around a clock change is 23 or 25 hours.
        self.now = timezone.make_aware(datetime.combine(timezone.localdate(), time(12)))
        self.patients = {}

    def case(self, name):
        p = make_patient(self.org, name, "Caso")
        self.patients[name] = (p, make_episode(p, team=self.team, worker=self.alice))
        return p

    def screening(self, p, instrument, band, days_ago):
        return ScreeningResponse.objects.create(
            organization_id=self.org.pk,
            patient=p,
            instrument_id=instrument,
            instrument_version="1",
            effective_at=self.now - timedelta(days=days_ago),
            band=band,
        )

    def task(self, p, due_at, status=Task.Status.OPEN):
        Task.objects.create(
            organization_id=self.org.pk, patient=p, assignee=self.alice, title="t", due_at=due_at, status=status
        )

    def note(self, p, contact_at):
        ProgressNote.objects.create(
            organization_id=self.org.pk, patient=p, author=self.alice, format="dap", contact_at=contact_at
        )

    def sw_referral(self, p, received_at, **extra):
        SocialWorkReferral.objects.create(
            organization_id=self.org.pk, patient=p, team=self.team, source="care_team", received_at=received_at, **extra
        )

    def build(self):
        due_hours = settings.PUENTE_SW_REFERRAL_DUE_HOURS
        self.case("Nada")  # nothing recorded at all

        p = self.case("Alertas")
        response = self.screening(p, "phq9", "moderate", 1)
        for status in ("open", "open", "resolved"):
            CrisisAlert.objects.create(
                organization_id=self.org.pk, patient=p, response=response, kind="suicide_risk", status=status
            )

        p = self.case("Necesidades")
        for category, status in (
            ("food-insecurity", "suggested"),
            ("food-insecurity", "active"),  # the same domain twice counts once
            ("housing-instability", "active"),
            ("transportation-insecurity", "dismissed"),
            ("utility-insecurity", "resolved"),
            ("financial-insecurity", "inactive"),
        ):
            HealthConcern.objects.create(organization_id=self.org.pk, patient=p, category=category, status=status)

        p = self.case("Reingreso")
        self.screening(p, "lace", "low", 10)
        self.screening(p, "hospital_score", "high", 5)  # the newest readmission score wins
        self.screening(p, "lace", "", 1)  # no band: not a score
        self.screening(p, "phq9", "severe", 0)  # not a readmission instrument
        p = self.case("Reingreso viejo")
        self.screening(p, "lace", "moderate", 400)

        p = self.case("Tareas")
        self.task(p, self.now)  # due exactly now: overdue
        self.task(p, self.now - timedelta(days=3))
        self.task(p, self.now + US)  # not yet
        self.task(p, self.now - timedelta(days=3), Task.Status.DONE)
        self.task(p, self.now - timedelta(days=3), Task.Status.CANCELLED)

        p = self.case("Referencias")
        at_due = timedelta(hours=due_hours)
        for received_ago, extra in (
            (at_due, {}),  # received exactly at the standard: not late yet
            (at_due + US, {}),  # late
            (at_due + US, {"status": "assigned", "assigned_to": self.alice}),  # late
            (at_due * 2, {"status": "contacted", "first_contact_at": self.now - at_due}),  # contacted
            (at_due * 2, {"status": "assigned", "first_contact_at": self.now - at_due}),  # contacted, not moved on
            (at_due * 2, {"status": "closed"}),
            (at_due * 2, {"status": "cancelled"}),
        ):
            self.sw_referral(p, self.now - received_ago, **extra)

        p = self.case("Notas")
        self.note(p, self.now)  # at this very moment: counts
        self.note(p, self.now + timedelta(days=2))  # dated in the future: not a contact yet
        self.note(p, self.now - timedelta(days=9))
        p = self.case("Primer contacto")
        self.note(p, self.now - timedelta(days=20))
        twelve_days_ago = self.now - timedelta(days=12)
        self.sw_referral(p, self.now - timedelta(days=20), status="contacted", first_contact_at=twelve_days_ago)
        p = self.case("Nota futura")
        self.note(p, self.now + US)

        outside = make_patient(self.org, "Fuera", "Caso")  # asked about by nobody: must not leak into the others
        make_episode(outside, team=self.team, worker=self.bob)
        self.task(outside, self.now - timedelta(days=1))
        self.note(outside, self.now)

    def test_every_input_matches_the_querysets_at_every_boundary(self):
        self.build()
        episodes = [episode for _p, episode in self.patients.values()]
        got = {pid: as_tuple(i) for pid, i in acuity_inputs(self.org.pk, episodes, self.now).items()}
        expected = orm_inputs(self.org.pk, [e.patient_id for e in episodes], self.now)
        self.assertEqual(got, expected)
        # The cases are not all empty: each part of the rule is exercised.
        named = {name: got[p.pk] for name, (p, _e) in self.patients.items()}
        self.assertEqual(named["Nada"], (0, 0, None, 0, None))
        self.assertEqual(named["Alertas"][0], 2)
        self.assertEqual(named["Necesidades"][1], 2)
        self.assertEqual(named["Reingreso"][2], "high")
        self.assertEqual(named["Reingreso viejo"][2], "moderate")
        self.assertEqual(named["Tareas"][3], 2)
        self.assertEqual(named["Referencias"][3], 2)
        self.assertEqual(named["Referencias"][4], 1)
        self.assertEqual(named["Notas"][4], 0)
        self.assertEqual(named["Primer contacto"][4], 12)  # the first contact, newer than the note
        self.assertEqual(named["Nota futura"][4], None)

    def test_another_organizations_rows_are_never_read(self):
        self.build()
        episodes = [episode for _p, episode in self.patients.values()]
        inputs = acuity_inputs(self.other_org.pk, episodes, self.now)
        self.assertEqual({as_tuple(i) for i in inputs.values()}, {(0, 0, None, 0, None)})

    @override_settings(PUENTE_SW_REFERRAL_DUE_HOURS=72)
    def test_the_referral_standard_comes_from_settings(self):
        p = self.case("Setenta")
        self.sw_referral(p, self.now - timedelta(hours=71))
        self.sw_referral(p, self.now - timedelta(hours=73))
        (inputs,) = acuity_inputs(self.org.pk, [self.patients["Setenta"][1]], self.now).values()
        self.assertEqual(inputs.overdue_items, 1)

    def test_no_patients_no_query(self):
        with self.assertNumQueries(0):
            self.assertEqual(acuity_inputs(self.org.pk, [], self.now), {})

    def test_one_query_for_many_patients(self):
        self.build()
        episodes = [episode for _p, episode in self.patients.values()]
        with self.assertNumQueries(1):
            acuity_inputs(self.org.pk, episodes, self.now)
