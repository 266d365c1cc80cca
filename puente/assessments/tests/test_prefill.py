"""Prefill: the draft starts with what the record already holds, as plain editable text, marked as prefilled."""

from datetime import date

from django.test import SimpleTestCase
from django.urls import reverse

from puente.assessments import prefill
from puente.assessments.models import Assessment
from puente.assessments.sections import get_template
from puente.assessments.tests.util import start
from puente.core.testing import PersonaTestCase, make_episode, make_patient, make_sw_referral
from puente.patients.models import RelatedPerson
from puente.screening import services as screening_services
from puente.screening.models import HealthConcern
from puente.screening.scoring.mood import PHQ9_ITEMS

NOT_AT_ALL, HALF_THE_DAYS = "LA6568-5", "LA6570-1"


def facts(**extra) -> prefill.RecordFacts:
    base = {
        "age": 78,
        "language_label": "Spanish",
        "interpreter_needed": True,
        "oral_only": False,
        "insurance": "medicare_advantage",
        "insurance_label": "Medicare Advantage",
        "insurance_plan": "Presbyterian Senior Care",
        "city": "Albuquerque",
        "county": "Bernalillo",
        "persons": [
            prefill.Person("caregiver", "Caregiver", "Ana García", "daughter", "505-555-0100", True),
            prefill.Person("proxy", "Health-care proxy / MPOA", "Luis García", "son"),
        ],
        "episode": prefill.EpisodeFacts("Inpatient", "Sandia General — 4 West", "5/1/2026", attending="Dr. Ruiz"),
        "referral": prefill.ReferralFacts(
            "5/1/2026 9:00", "Care-team consult", "Urgent", ["Lives alone or older than 85"]
        ),
        "screens": [
            prefill.ScreenFacts(
                "phq9",
                "PHQ-9",
                "5/2/2026",
                12,
                "Moderate",
                [("depression", "Depression"), ("suicide-risk", "Suicide risk")],
            ),
            prefill.ScreenFacts(
                "ahc_hrsn_core", "AHC HRSN core", "5/2/2026", domains=[("housing-instability", "Housing instability")]
            ),
            prefill.ScreenFacts("hvs", "HVS", "5/2/2026"),
        ],
        "concerns": [prefill.ConcernFacts("housing-instability", "Housing instability", "active", "Z59.811")],
        "open_alerts": [("Suicide risk", "5/2/2026 10:00")],
    }
    base.update(extra)
    return prefill.RecordFacts(**base)


class BuildPrefill(SimpleTestCase):
    def test_it_writes_each_fact_under_its_section(self):
        texts = prefill.build_prefill(facts(), get_template("hospital").keys)
        self.assertIn("78-year-old patient.", texts["reason_for_referral"])
        self.assertIn("Inpatient · Sandia General — 4 West, since 5/1/2026", texts["reason_for_referral"])
        self.assertIn("Attending: Dr. Ruiz.", texts["reason_for_referral"])
        self.assertIn("Lives alone or older than 85", texts["reason_for_referral"])
        self.assertIn("Preferred language: Spanish.", texts["culture_spirituality"])
        self.assertIn("Interpreter needed.", texts["culture_spirituality"])
        self.assertIn(
            "Caregiver: Ana García (daughter), 505-555-0100; may receive health information.", texts["family_supports"]
        )
        self.assertIn("Luis García (son); no release on record.", texts["family_supports"])
        self.assertIn("Insurance: Medicare Advantage (Presbyterian Senior Care).", texts["finances"])
        self.assertIn(
            "PHQ-9 on 5/2/2026: total 12, Moderate; needs found: Depression, Suicide risk.", texts["mental_cognitive"]
        )
        self.assertIn("PHQ-9 on 5/2/2026: Suicide risk.", texts["risk"])
        self.assertIn("Open crisis alert: Suicide risk", texts["risk"])
        self.assertIn("AHC HRSN core on 5/2/2026: Housing instability.", texts["housing"])
        self.assertIn("Health concern (active): Housing instability — Z59.811.", texts["housing"])
        self.assertIn("HVS on 5/2/2026: no needs found.", texts["finances"])
        self.assertIn("Lives in: Albuquerque, Bernalillo.", texts["housing"])

    def test_it_fills_only_the_sections_the_template_has(self):
        hospital = prefill.build_prefill(facts(), get_template("hospital").keys)
        self.assertNotIn("mpoa", hospital)
        self.assertNotIn("formulation", hospital)
        self.assertNotIn("plan", hospital)
        hospice = prefill.build_prefill(facts(), get_template("hospice").keys)
        self.assertIn("Luis García", hospice["mpoa"])
        self.assertEqual(hospice["caregiver_capacity"], "Caregivers on record: Ana García.")
        self.assertEqual(hospice["dnr_most"], "No advance directive on file in the record.")
        alone = prefill.build_prefill(facts(persons=[], advance_directive_on_file=True), get_template("hospice").keys)
        self.assertEqual(alone["mpoa"], "No health-care proxy (MPOA) or guardian on record.")
        self.assertEqual(alone["dnr_most"], "Advance directive on file: yes.")
        self.assertNotIn("caregiver_capacity", alone)

    def test_it_never_copies_a_confidential_address(self):
        texts = prefill.build_prefill(facts(address_confidential=True), get_template("hospital").keys)
        self.assertNotIn("Albuquerque", "\n".join(texts.values()))

    def test_it_says_nothing_it_does_not_know(self):
        texts = prefill.build_prefill(
            prefill.RecordFacts(age=40, language_label="English"), get_template("hospital").keys
        )
        self.assertEqual(set(texts), {"reason_for_referral", "culture_spirituality"})


class PrefillFromTheRecord(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        p = cls.patient
        p.insurance = "medicare_advantage"
        p.insurance_plan = "Presbyterian Senior Care"
        p.preferred_language = "es"
        p.interpreter_needed = True
        p.save()
        RelatedPerson.objects.create(
            organization=cls.org,
            patient=p,
            relationship="caregiver",
            name="Ana García",
            relation_detail="daughter",
            phone="505-555-0100",
            may_receive_information=True,
        )
        make_sw_referral(p, team=cls.team, reasons=["lives_alone", "financial"], reason_detail="Daughter works nights.")
        answers = {code: NOT_AT_ALL for code in PHQ9_ITEMS}
        answers.update({code: HALF_THE_DAYS for code in PHQ9_ITEMS[:5]})
        screening_services.submit_screening(None, p, "phq9", answers, user=cls.alice)

    def test_a_new_draft_holds_the_caregiver_the_insurance_and_the_phq9(self):
        self.client.force_login(self.alice)
        response = self.client.post(
            reverse("assessments:start", args=[self.patient.pk]), {"setting": "hospital", "mode": "in_person"}
        )
        a = Assessment.objects.get()
        self.assertRedirects(response, reverse("assessments:edit", args=[a.pk]))
        self.assertEqual(a.episode, self.episode)
        self.assertEqual(a.template_version, "hospital-1")
        self.assertEqual(set(a.sections), set(a.template.keys))
        self.assertIn("Caregiver: Ana García (daughter)", a.sections["family_supports"])
        self.assertIn("Insurance: Medicare Advantage (Presbyterian Senior Care).", a.sections["finances"])
        self.assertIn("PHQ-9 on", a.sections["mental_cognitive"])
        self.assertIn("total 10, Moderate", a.sections["mental_cognitive"])
        self.assertIn("Lives alone or older than 85; Money problems", a.sections["reason_for_referral"])
        self.assertIn("Referral details: Daughter works nights.", a.sections["reason_for_referral"])
        self.assertIn(f"{self.patient.age}-year-old patient.", a.sections["reason_for_referral"])
        self.assertIn("Preferred language: Spanish.\nInterpreter needed.", a.sections["culture_spirituality"])
        self.assertEqual(a.sections["formulation"], "")
        for key in ("reason_for_referral", "family_supports", "finances", "mental_cognitive", "culture_spirituality"):
            self.assertIn(key, a.prefilled_sections)
        self.assertNotIn("formulation", a.prefilled_sections)

        page = self.client.get(reverse("assessments:edit", args=[a.pk]))
        self.assertContains(page, "Prefilled from the record")
        self.assertContains(page, 'id="section-family_supports"')
        self.assertContains(page, "Ana García (daughter)")  # in the text box, editable

    def test_a_suggested_health_concern_is_prefilled_under_its_section(self):
        HealthConcern.objects.create(
            organization=self.org, patient=self.patient, category="food-insecurity", icd10_code="Z59.41"
        )
        a = start(self.patient, self.alice)
        self.assertIn("Health concern (suggested): Food insecurity — Z59.41.", a.sections["finances"])

    def test_it_uses_only_this_patients_record(self):
        other = make_patient(self.org, "Rosa", "Baca", birth_date=date(1980, 1, 1))
        make_episode(other, team=self.team)
        a = start(other, self.alice)
        self.assertNotIn("Ana García", "\n".join(a.sections.values()))
        self.assertNotIn("PHQ-9", "\n".join(a.sections.values()))
        self.assertEqual(set(a.prefilled_sections), {"reason_for_referral", "culture_spirituality"})
