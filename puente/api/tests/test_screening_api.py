"""The screening API: instruments, submitting a response, reading results. Token auth and scopes, the persona
matrix, crisis alerts and suggested concerns, idempotency, bad input with nothing saved, the audit trail, the
OpenAPI document and constant query counts."""

import json
from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from puente.accounts.models import ApiToken
from puente.accounts.services import create_api_token
from puente.audit.models import AuditEvent
from puente.core.testing import PersonaTestCase, make_episode, make_patient
from puente.patients.models import BreakGlassAccess
from puente.screening.library import all_instruments
from puente.screening.models import CrisisAlert, HealthConcern, ScreeningAnswer, ScreeningResponse
from puente.screening.scoring.mood import PHQ9_ITEMS
from puente.tasks.models import Task

PERSONAS = ("alice", "bob", "sam", "ian", "carol", "charlie", "ada", "pat", "olga")
ALL_SCOPES = list(ApiToken.SCOPES)
NOT_AT_ALL, SEVERAL, MORE_THAN_HALF = "LA6568-5", "LA6569-3", "LA6570-1"
YES, NO = "LA33-6", "LA32-8"


def phq9(item9: str = NOT_AT_ALL, rest: str = NOT_AT_ALL) -> dict:
    answers = {code: rest for code in PHQ9_ITEMS}
    answers["44260-8"] = item9
    return answers


def screening(instrument_id: str = "phq9", answers: dict | None = None, **extra) -> dict:
    return {"instrument_id": instrument_id, "answers": phq9() if answers is None else answers, **extra}


class ScreeningApiTestCase(PersonaTestCase):
    """Personas from PersonaTestCase, each with a token holding every scope."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.keys = {}
        for persona in PERSONAS:
            _, cls.keys[persona] = create_api_token(getattr(cls, persona), f"{persona} integration", ALL_SCOPES)

    def call(self, method: str, path: str, key: str | None = None, body: dict | None = None, headers=None, **query):
        headers = dict(headers or {})
        if key:
            headers["Authorization"] = f"Bearer {key}"
        if body is None:
            return getattr(self.client, method)(path, query or None, headers=headers)
        return getattr(self.client, method)(path, json.dumps(body), content_type="application/json", headers=headers)

    def as_persona(self, persona: str, method: str, path: str, body: dict | None = None, headers=None, **query):
        return self.call(method, path, self.keys[persona], body, headers, **query)

    def submit(self, persona: str = "alice", body: dict | None = None, patient=None, headers=None):
        patient = patient or self.patient
        path = f"/api/v1/patients/{patient.pk}/screenings"
        return self.as_persona(persona, "post", path, screening() if body is None else body, headers)

    def last_event_id(self) -> int:
        return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def events_since(self, event_id: int) -> list[AuditEvent]:
        return list(AuditEvent.objects.filter(id__gt=event_id).order_by("id"))

    def saved(self) -> tuple[int, ...]:
        """Counts of everything a submission can write."""
        return (
            ScreeningResponse.objects.count(),
            ScreeningAnswer.objects.count(),
            HealthConcern.objects.count(),
            CrisisAlert.objects.count(),
            Task.objects.count(),
        )

    def make_screening(self) -> ScreeningResponse:
        response = self.submit("alice")
        self.assertEqual(response.status_code, 201, response.content)
        return ScreeningResponse.objects.get(pk=response.json()["id"])

    def endpoints(self) -> list[tuple[str, str, dict | None, str]]:
        """(method, path, body, scope needed) for every screening endpoint."""
        s = self.make_screening()
        p = self.patient.pk
        return [
            ("get", "/api/v1/instruments", None, "screening:read"),
            ("get", "/api/v1/instruments/phq9", None, "screening:read"),
            ("post", f"/api/v1/patients/{p}/screenings", screening(), "screening:write"),
            ("get", f"/api/v1/patients/{p}/screenings", None, "screening:read"),
            ("get", f"/api/v1/screenings/{s.pk}", None, "screening:read"),
        ]


class Authentication(ScreeningApiTestCase):
    def test_it_requires_a_token_on_every_endpoint(self):
        for method, path, body, _scope in self.endpoints():
            with self.subTest(method=method, path=path):
                before = self.saved()
                self.assertEqual(self.call(method, path, None, body).status_code, 401)
                self.assertEqual(self.call(method, path, ApiToken.new_key(), body).status_code, 401)
                self.assertEqual(self.saved(), before)

    def test_it_requires_the_scope_of_each_endpoint(self):
        for method, path, body, scope in self.endpoints():
            with self.subTest(method=method, path=path):
                _, key = create_api_token(self.alice, "narrow", [s for s in ALL_SCOPES if s != scope])
                before_events, before = self.last_event_id(), self.saved()
                response = self.call(method, path, key, body)
                self.assertEqual(response.status_code, 403)
                self.assertIn(scope, response.json()["detail"])
                self.assertEqual(self.events_since(before_events), [])
                self.assertEqual(self.saved(), before)

    def test_a_token_with_only_patient_scopes_cannot_see_screenings(self):
        _, key = create_api_token(self.alice, "patients only", ["patients:read", "patients:write"])
        path = f"/api/v1/patients/{self.patient.pk}/screenings"
        self.assertEqual(self.call("get", path, key).status_code, 403)
        self.assertEqual(self.call("post", path, key, screening()).status_code, 403)

    def test_a_read_scope_reads_but_does_not_submit(self):
        _, key = create_api_token(self.alice, "reader", ["screening:read"])
        path = f"/api/v1/patients/{self.patient.pk}/screenings"
        self.assertEqual(self.call("get", path, key).status_code, 200)
        self.assertEqual(self.call("get", "/api/v1/instruments", key).status_code, 200)
        self.assertEqual(self.call("post", path, key, screening()).status_code, 403)
        self.assertEqual(ScreeningResponse.objects.count(), 0)


class Instruments(ScreeningApiTestCase):
    def test_it_lists_every_instrument_with_its_status(self):
        response = self.as_persona("carol", "get", "/api/v1/instruments")
        self.assertEqual(response.status_code, 200)
        items = {i["id"]: i for i in response.json()}
        self.assertEqual(set(items), set(all_instruments()))
        phq9_summary = items["phq9"]
        self.assertEqual(phq9_summary["version"], all_instruments()["phq9"]["version"])
        self.assertEqual(phq9_summary["title"]["es"], "Cuestionario sobre la salud del paciente-9 (PHQ-9)")
        self.assertEqual(phq9_summary["short_title"], {"en": "PHQ-9", "es": "PHQ-9"})
        self.assertEqual((phq9_summary["loinc_panel"], phq9_summary["rule"]), ("44249-1", "phq9"))
        self.assertIs(phq9_summary["rule_pending_verification"], False)
        self.assertEqual(phq9_summary["translation"]["es"]["status"], "needs_review")
        self.assertEqual(phq9_summary["administration"], ["staff", "self"])
        self.assertIs(items["ahc_hrsn_supplemental"]["rule_pending_verification"], True)
        self.assertIsNone(items["lace"]["loinc_panel"])
        self.assertEqual(items["cssrs_screener"]["administration"], ["staff"])

    def test_it_gives_the_full_definition_of_an_instrument(self):
        response = self.as_persona("alice", "get", "/api/v1/instruments/cssrs_screener")
        self.assertEqual(response.status_code, 200)
        data = response.json()
        self.assertIn("Columbia", data["source"])
        items = {i["code"]: i for i in data["items"]}
        self.assertEqual(list(items), [i["code"] for i in all_instruments()["cssrs_screener"]["items"]])
        self.assertEqual(items["93249-1"]["enable_when"], [{"item": "93247-5", "answer": YES}])
        self.assertEqual([a["code"] for a in items["93249-1"]["answers"]], [YES, NO])
        self.assertTrue(items["93249-1"]["text"]["en"] and items["93249-1"]["text"]["es"])
        self.assertEqual(items["93249-1"]["answers"][0]["text"]["es"], "Sí")

    def test_it_gives_points_and_answers_accepted_on_one_item_only(self):
        data = self.as_persona("alice", "get", "/api/v1/instruments/gad7").json()
        items = {i["code"]: i for i in data["items"]}
        values = {a["code"]: a["value"] for a in items["68509-9"]["answers"]}
        self.assertEqual(values["LA18938-3"], 2)  # GAD-7 "more days than not" on 68509-9 only
        self.assertNotIn("LA18938-3", {a["code"] for a in items["69725-0"]["answers"]})
        self.assertEqual(data["result_codes"], {"total": "70274-6"})
        lace = {i["code"]: i for i in self.as_persona("alice", "get", "/api/v1/instruments/lace").json()["items"]}
        charlson = lace["local:lace-charlson-index"]
        self.assertEqual(
            (charlson["type"], charlson["min"], charlson["max"], charlson["answers"]), ("integer", 0, 37, [])
        )
        ahc = self.as_persona("alice", "get", "/api/v1/instruments/ahc_hrsn_core").json()
        housing = {i["code"]: i for i in ahc["items"]}["96778-6"]
        self.assertEqual((housing["type"], housing["exclusive"]), ("multi", ["LA9-3"]))
        self.assertEqual(housing["domain"], "inadequate-housing")

    def test_it_answers_404_for_an_unknown_instrument(self):
        response = self.as_persona("alice", "get", "/api/v1/instruments/phq10")
        self.assertEqual(response.status_code, 404)
        self.assertIn("phq10", response.json()["detail"])

    def test_it_writes_no_audit_event_for_instruments(self):
        before = self.last_event_id()
        self.as_persona("alice", "get", "/api/v1/instruments")
        self.as_persona("alice", "get", "/api/v1/instruments/phq9")
        self.assertEqual(self.events_since(before), [])

    def test_any_persona_with_the_scope_reads_the_library(self):
        for persona in PERSONAS:
            with self.subTest(persona=persona):
                self.assertEqual(self.as_persona(persona, "get", "/api/v1/instruments/phq2").status_code, 200)


class PersonaMatrix(ScreeningApiTestCase):
    # persona -> (reading the patient's screenings, submitting one): as for the patient endpoints, except that the
    # care team may submit.
    EXPECTED = {
        "alice": (200, 201),  # assigned worker on the patient's team
        "bob": (200, 201),  # teammate
        "sam": (200, 201),  # the team's supervisor
        "ian": (200, 201),  # intake: the whole organization
        "carol": (200, 201),  # care team on the patient's unit: nurses screen
        "charlie": (404, 404),  # other team of the same organization
        "ada": (404, 404),  # administrator: only through break-the-glass
        "pat": (404, 404),  # partner organization
        "olga": (404, 404),  # other care organization
    }

    def test_it_answers_each_persona_on_submission(self):
        for persona, (_read, write) in self.EXPECTED.items():
            with self.subTest(persona=persona):
                before = ScreeningResponse.objects.count()
                response = self.submit(persona)
                self.assertEqual(response.status_code, write, response.content)
                self.assertEqual(ScreeningResponse.objects.count(), before + (1 if write == 201 else 0))
                if write == 201:
                    stored = ScreeningResponse.objects.get(pk=response.json()["id"])
                    self.assertEqual(stored.performer, getattr(self, persona))
                    self.assertEqual(stored.patient, self.patient)

    def test_it_lists_screenings_to_exactly_those_who_may_see_them(self):
        s = self.make_screening()
        for persona, (read, _write) in self.EXPECTED.items():
            with self.subTest(persona=persona):
                response = self.as_persona(persona, "get", f"/api/v1/patients/{self.patient.pk}/screenings")
                self.assertEqual(response.status_code, read)
                if read == 200:
                    self.assertEqual([i["id"] for i in response.json()["items"]], [str(s.pk)])

    def test_it_answers_each_persona_on_one_screening(self):
        s = self.make_screening()
        for persona, (read, _write) in self.EXPECTED.items():
            with self.subTest(persona=persona):
                response = self.as_persona(persona, "get", f"/api/v1/screenings/{s.pk}")
                self.assertEqual(response.status_code, read)
                if read == 200:
                    self.assertEqual(response.json()["patient_id"], str(self.patient.pk))

    def test_break_the_glass_opens_screenings_read_only(self):
        s = self.make_screening()
        for persona in ("charlie", "ada"):
            with self.subTest(persona=persona):
                BreakGlassAccess.objects.create(
                    organization=self.org,
                    user=getattr(self, persona),
                    patient=self.patient,
                    reason="Covering the ED tonight",
                    expires_at=timezone.now() + timedelta(hours=1),
                )
                self.assertEqual(self.as_persona(persona, "get", f"/api/v1/screenings/{s.pk}").status_code, 200)
                before = self.saved()
                self.assertEqual(self.submit(persona).status_code, 403)
                self.assertEqual(self.saved(), before)

    def test_the_care_team_loses_access_when_the_episode_ends(self):
        s = self.make_screening()
        self.episode.status = "finished"
        self.episode.save(update_fields=["status"])
        self.assertEqual(self.as_persona("carol", "get", f"/api/v1/screenings/{s.pk}").status_code, 404)
        self.assertEqual(self.submit("carol").status_code, 404)

    def test_it_never_shows_or_takes_another_organizations_patient_even_for_intake(self):
        elsewhere = make_patient(self.other_org, "Shandiin", "Yazzie")
        make_episode(elsewhere)
        before = self.saved()
        self.assertEqual(self.submit("ian", patient=elsewhere).status_code, 404)
        self.assertEqual(self.submit("olga", patient=elsewhere).status_code, 404)  # olga: no care relationship
        self.assertEqual(self.saved(), before)
        path = f"/api/v1/patients/{elsewhere.pk}/screenings"
        self.assertEqual(self.as_persona("ian", "get", path).status_code, 404)

    def test_it_answers_404_for_an_unknown_patient_or_screening(self):
        self.assertEqual(self.submit("ian", patient=self.unit).status_code, 404)
        self.assertEqual(self.as_persona("ian", "get", f"/api/v1/screenings/{self.unit.pk}").status_code, 404)
        path = f"/api/v1/patients/{self.unit.pk}/screenings"
        self.assertEqual(self.as_persona("ian", "get", path).status_code, 404)


class Submission(ScreeningApiTestCase):
    def test_it_answers_with_the_scored_result_and_the_answers_as_observations(self):
        response = self.submit("alice", screening(answers=phq9(rest=SEVERAL), language="es", mode="phone"))
        self.assertEqual(response.status_code, 201, response.content)
        data = response.json()
        self.assertEqual((data["instrument_id"], data["instrument_version"]), ("phq9", "2026.1"))
        self.assertEqual((data["total"], data["band"], data["positive"]), (8, "mild", False))
        self.assertEqual((data["missing_items"], data["complete"]), ([], True))
        self.assertEqual((data["mode"], data["language"], data["self_reported"]), ("phone", "es", False))
        self.assertEqual(data["performer_id"], self.alice.pk)
        self.assertEqual(data["rule"], "phq9")
        self.assertIn("Kroenke", data["source"])
        self.assertIs(data["pending_verification"], False)
        self.assertEqual((data["alerts"], data["concerns"]), ([], []))
        self.assertEqual([a["item_code"] for a in data["answers"]], PHQ9_ITEMS)  # the instrument's order
        self.assertEqual(data["answers"][0], {"item_code": "44250-9", "answer_code": SEVERAL, "value": 1})
        stored = ScreeningResponse.objects.get(pk=data["id"])
        self.assertEqual(stored.answers.count(), 9)
        self.assertEqual(timezone.now() - stored.effective_at < timedelta(minutes=1), True)

    def test_phq9_item_9_raises_a_crisis_alert(self):
        response = self.submit("carol", screening(answers=phq9(item9=SEVERAL)))
        self.assertEqual(response.status_code, 201, response.content)
        data = response.json()
        alert = CrisisAlert.objects.get(patient=self.patient)
        self.assertEqual(data["alerts"], [{"id": str(alert.pk), "kind": "suicide_risk", "status": "open"}])
        self.assertEqual(alert.assigned_worker, self.alice)  # the episode's worker, not the nurse who screened
        self.assertEqual(str(alert.response_id), data["id"])
        self.assertTrue(Task.objects.filter(source="crisis_alert", source_id=str(alert.pk)).exists())

    def test_an_ahc_core_with_housing_and_food_needs_suggests_concerns_with_z_codes(self):
        answers = {"71802-3": "LA31994-9", "88122-7": "LA6729-3", "88123-5": "LA28398-8"}
        response = self.submit("alice", screening("ahc_hrsn_core", answers))
        self.assertEqual(response.status_code, 201, response.content)
        data = response.json()
        self.assertEqual(data["positive_domains"], ["housing-instability", "food-insecurity"])
        self.assertIs(data["positive"], True)
        self.assertIsNone(data["total"])
        self.assertIn("95618-5", data["missing_items"])
        concerns = [(c["category"], c["icd10_code"], c["status"]) for c in data["concerns"]]
        self.assertEqual(
            concerns, [("housing-instability", "Z59.811", "suggested"), ("food-insecurity", "Z59.41", "suggested")]
        )
        stored = {c.category: c for c in HealthConcern.objects.filter(patient=self.patient)}
        self.assertEqual(set(stored), {"housing-instability", "food-insecurity"})
        self.assertEqual(str(stored["food-insecurity"].pk), data["concerns"][1]["id"])
        self.assertEqual(data["concerns"][0]["icd10_title"], "Housing instability, housed, with risk of homelessness")

    def test_it_stores_multi_choice_integer_and_choice_answers_one_per_observation(self):
        answers = {"96778-6": ["LA31996-4", "LA28580-1"]}
        data = self.submit("alice", screening("ahc_hrsn_core", answers)).json()
        self.assertEqual(
            [(a["item_code"], a["answer_code"]) for a in data["answers"]],
            [("96778-6", "LA31996-4"), ("96778-6", "LA28580-1")],
        )
        lace = {
            "local:lace-length-of-stay-days": 5,
            "local:lace-acute-admission": YES,
            "local:lace-charlson-index": "2",
            "local:lace-ed-visits-6mo": 0,
        }
        response = self.submit("alice", screening("lace", lace))
        self.assertEqual(response.status_code, 201, response.content)
        by_item = {a["item_code"]: a for a in response.json()["answers"]}
        self.assertEqual(
            by_item["local:lace-length-of-stay-days"],
            {"item_code": "local:lace-length-of-stay-days", "answer_code": None, "value": 5},
        )
        self.assertEqual(by_item["local:lace-charlson-index"]["value"], 2)
        self.assertEqual(by_item["local:lace-acute-admission"]["answer_code"], YES)
        self.assertIsNotNone(response.json()["total"])

    def test_it_records_self_report_and_proxy(self):
        data = self.submit("alice", screening(mode="proxy", proxy_name="Lupe García (daughter)")).json()
        self.assertEqual(
            (data["mode"], data["proxy_name"], data["self_reported"]), ("proxy", "Lupe García (daughter)", True)
        )
        data = self.submit("alice", screening("phq2", {"44250-9": SEVERAL, "44255-8": SEVERAL}, mode="self")).json()
        self.assertEqual((data["self_reported"], data["performer_id"]), (True, None))

    def test_it_keeps_a_given_effective_time(self):
        when = "2026-01-15T09:30:00-07:00"
        data = self.submit("alice", screening(effective_at=when)).json()
        stored = ScreeningResponse.objects.get(pk=data["id"])
        self.assertEqual(stored.effective_at.isoformat(), "2026-01-15T16:30:00+00:00")
        naive = self.submit("alice", screening(effective_at="2026-01-15T09:30:00"))
        self.assertEqual(naive.status_code, 201)  # read in the server's time zone

    def test_it_writes_the_create_event_through_the_service(self):
        before = self.last_event_id()
        data = self.submit("alice", screening(answers=phq9(item9=SEVERAL))).json()
        events = self.events_since(before)
        creates = [e for e in events if e.action == "create"]
        self.assertIn(("screening.screeningresponse", data["id"]), [(e.object_type, e.object_id) for e in creates])
        self.assertIn(
            ("screening.crisisalert", data["alerts"][0]["id"]), [(e.object_type, e.object_id) for e in creates]
        )
        for event in creates:
            self.assertEqual((event.patient_id, event.actor), (self.patient.pk, self.alice))
            if event.object_type != "tasks.task":  # the service creates the alert's task without the request
                self.assertIn(self.keys["alice"][:12], event.actor_label)
        self.assertNotIn("read", [e.action for e in events])


class Idempotency(ScreeningApiTestCase):
    def test_the_same_body_key_twice_stores_one_response_and_answers_the_same_body(self):
        body = screening(answers=phq9(item9=SEVERAL), idempotency_key="tablet-42-0001")
        first = self.submit("alice", body)
        self.assertEqual(first.status_code, 201, first.content)
        before = self.saved()
        second = self.submit("alice", body)
        self.assertEqual(second.status_code, 200)
        self.assertEqual(second.json(), first.json())
        self.assertEqual(self.saved(), before)
        self.assertEqual(ScreeningResponse.objects.count(), 1)
        self.assertEqual(CrisisAlert.objects.count(), 1)

    def test_the_idempotency_key_header_works_the_same(self):
        headers = {"Idempotency-Key": "9b2f4c1e-retry"}
        first = self.submit("alice", screening(), headers=headers)
        second = self.submit("alice", screening(), headers=headers)
        self.assertEqual((first.status_code, second.status_code), (201, 200))
        self.assertEqual(second.json()["id"], first.json()["id"])
        self.assertEqual(ScreeningResponse.objects.count(), 1)
        third = self.submit("alice", screening(idempotency_key="9b2f4c1e-retry"))
        self.assertEqual((third.status_code, third.json()["id"]), (200, first.json()["id"]))
        self.assertEqual(ScreeningResponse.objects.count(), 1)

    def test_a_replay_is_audited_as_a_read(self):
        body = screening(idempotency_key="k-1")
        first = self.submit("alice", body).json()
        before = self.last_event_id()
        self.submit("alice", body)
        (event,) = self.events_since(before)
        self.assertEqual((event.action, event.object_id, event.patient_id), ("read", first["id"], self.patient.pk))

    def test_conflicting_keys_in_body_and_header_are_refused(self):
        response = self.submit("alice", screening(idempotency_key="a"), headers={"Idempotency-Key": "b"})
        self.assertEqual(response.status_code, 422)
        self.assertIn("idempotency_key", response.json()["errors"])
        self.assertEqual(ScreeningResponse.objects.count(), 0)

    def test_a_key_reused_for_another_patient_or_instrument_is_refused(self):
        other = make_patient(self.org, "Kee", "Begay")
        make_episode(other, team=self.team, worker=self.alice)
        self.assertEqual(self.submit("alice", screening(idempotency_key="reused")).status_code, 201)
        before = self.saved()
        for label, body, patient in [
            ("another patient", screening(idempotency_key="reused"), other),
            ("another instrument", screening("phq2", {"44250-9": SEVERAL}, idempotency_key="reused"), None),
        ]:
            with self.subTest(label):
                response = self.submit("alice", body, patient=patient)
                self.assertEqual(response.status_code, 422)
                self.assertIn("idempotency_key", response.json()["errors"])
                self.assertNotIn(str(self.patient.pk), response.content.decode())
                self.assertEqual(self.saved(), before)

    def test_keys_belong_to_the_user_who_sent_them(self):
        first = self.submit("alice", screening(idempotency_key="1"))
        second = self.submit("bob", screening(idempotency_key="1"))
        self.assertEqual((first.status_code, second.status_code), (201, 201))
        self.assertNotEqual(first.json()["id"], second.json()["id"])
        self.assertEqual(ScreeningResponse.objects.count(), 2)

    def test_an_over_long_key_is_refused(self):
        response = self.submit("alice", screening(), headers={"Idempotency-Key": "x" * 65})
        self.assertEqual(response.status_code, 422)
        self.assertIn("idempotency_key", response.json()["errors"])


class BadInput(ScreeningApiTestCase):
    CASES = [
        # (what is wrong, body, key of the error)
        ("an unknown LOINC item", screening(answers={**phq9(), "99999-9": NOT_AT_ALL}), "__all__"),
        ("an answer outside the item's list", screening(answers={**phq9(), "44250-9": YES}), "44250-9"),
        ("markup for an answer", screening(answers={"44250-9": "<script>"}), "44250-9"),
        (
            "a C-SSRS item its skip logic turned off",
            screening("cssrs_screener", {"93246-7": NO, "93247-5": NO, "93249-1": YES}),
            "93249-1",
        ),
        (
            "a non-integer for LACE",
            screening("lace", {"local:lace-length-of-stay-days": "many"}),
            "local:lace-length-of-stay-days",
        ),
        (
            "a fraction for LACE",
            screening("lace", {"local:lace-length-of-stay-days": 2.5}),
            "local:lace-length-of-stay-days",
        ),
        (
            "a boolean for LACE",
            screening("lace", {"local:lace-length-of-stay-days": True}),
            "local:lace-length-of-stay-days",
        ),
        ("a number for a multi-answer item", screening("ahc_hrsn_core", {"96778-6": 5}), "96778-6"),
        ("a nested list", screening("ahc_hrsn_core", {"96778-6": [["LA9-3"]]}), "96778-6"),
        ("an object for a choice", screening(answers={"44250-9": {"code": SEVERAL}}), "44250-9"),
        ("a number for a choice", screening(answers={"44250-9": 1}), "44250-9"),
        ("a number out of range", screening("lace", {"local:lace-charlson-index": 38}), "local:lace-charlson-index"),
        ("'none' combined with a problem", screening("ahc_hrsn_core", {"96778-6": ["LA9-3", "LA28580-1"]}), "96778-6"),
        ("no answers at all", screening(answers={}), "__all__"),
        ("only empty answers", screening(answers={"44250-9": None, "44255-8": ""}), "__all__"),
        ("answers that are not an object", screening(answers=["LA6568-5"]), "answers"),
        ("an unknown mode", screening(mode="carrier-pigeon"), "mode"),
        ("an unknown language", screening(language="fr"), "language"),
        ("self-report on a staff-only instrument", screening("cssrs_screener", {"93246-7": NO}, mode="self"), "mode"),
        ("a proxy with no name", screening(mode="proxy"), "proxy_name"),
        ("a proxy name without proxy mode", screening(proxy_name="Lupe"), "proxy_name"),
        ("markup in the proxy name", screening(mode="proxy", proxy_name="<b>Lupe</b>"), "proxy_name"),
        ("a screening in the future", screening(effective_at="2099-01-01T00:00:00Z"), "effective_at"),
        ("a screening before birth", screening(effective_at="1940-01-01T00:00:00Z"), "effective_at"),
        ("an impossible date", screening(effective_at="2026-02-30T10:00:00Z"), "effective_at"),
        ("no instrument", {"answers": phq9()}, "instrument_id"),
    ]

    def test_it_refuses_bad_input_with_a_clear_error_and_saves_nothing(self):
        for label, body, field in self.CASES:
            with self.subTest(label):
                before_events, before = self.last_event_id(), self.saved()
                response = self.submit("alice", body)
                self.assertEqual(response.status_code, 422, response.content)
                data = response.json()
                self.assertEqual(data["detail"], "Invalid data.")
                self.assertIn(field, data["errors"], data)
                self.assertTrue(all(isinstance(m, str) and m for m in data["errors"][field]))
                self.assertEqual(self.saved(), before)
                self.assertEqual(self.events_since(before_events), [])

    def test_it_answers_404_for_an_unknown_instrument_and_saves_nothing(self):
        before = self.saved()
        response = self.submit("alice", screening("phq10"))
        self.assertEqual(response.status_code, 404)
        self.assertIn("phq10", response.json()["detail"])
        self.assertEqual(self.saved(), before)

    def test_it_refuses_a_screening_after_the_patients_death(self):
        self.patient.deceased_date = date(2026, 1, 1)
        self.patient.save(update_fields=["deceased_date"])
        response = self.submit("alice", screening())
        self.assertEqual(response.status_code, 422)
        self.assertIn("effective_at", response.json()["errors"])
        ok = self.submit("alice", screening(effective_at="2025-12-30T10:00:00-07:00"))
        self.assertEqual(ok.status_code, 201, ok.content)

    def test_an_incomplete_screen_is_stored_without_a_total(self):
        response = self.submit("alice", screening(answers={"44250-9": SEVERAL}))
        self.assertEqual(response.status_code, 201)
        data = response.json()
        self.assertIsNone(data["total"])
        self.assertIs(data["complete"], False)
        self.assertEqual(data["missing_items"], PHQ9_ITEMS[1:])


class Reading(ScreeningApiTestCase):
    def test_one_screening_reads_back_as_it_was_submitted(self):
        submitted = self.submit("alice", screening(answers=phq9(item9=SEVERAL, rest=MORE_THAN_HALF))).json()
        read = self.as_persona("bob", "get", f"/api/v1/screenings/{submitted['id']}").json()
        self.assertEqual(read, submitted)

    def test_it_lists_newest_first_filters_by_instrument_and_pages(self):
        old = self.submit("alice", screening(effective_at="2026-01-01T10:00:00Z")).json()
        new = self.submit("alice", screening(effective_at="2026-02-01T10:00:00Z")).json()
        phq2 = self.submit("alice", screening("phq2", {"44250-9": SEVERAL}, effective_at="2026-01-15T10:00:00Z"))
        path = f"/api/v1/patients/{self.patient.pk}/screenings"
        data = self.as_persona("alice", "get", path).json()
        self.assertEqual([i["id"] for i in data["items"]], [new["id"], phq2.json()["id"], old["id"]])
        data = self.as_persona("alice", "get", path, instrument_id="phq9").json()
        self.assertEqual((data["count"], [i["id"] for i in data["items"]]), (2, [new["id"], old["id"]]))
        data = self.as_persona("alice", "get", path, limit=1, offset=1).json()
        self.assertEqual((data["count"], data["limit"], data["offset"]), (3, 1, 1))
        self.assertEqual([i["id"] for i in data["items"]], [phq2.json()["id"]])
        data = self.as_persona("alice", "get", path, limit=1000, offset=-5).json()
        self.assertEqual((data["limit"], data["offset"]), (100, 0))

    def test_it_lists_only_the_patients_own_screenings(self):
        other = make_patient(self.org, "Kee", "Begay")
        make_episode(other, team=self.team, worker=self.alice)
        mine = self.submit("alice").json()
        self.submit("alice", patient=other)
        data = self.as_persona("alice", "get", f"/api/v1/patients/{self.patient.pk}/screenings").json()
        self.assertEqual([i["id"] for i in data["items"]], [mine["id"]])

    def test_it_writes_exactly_one_read_event_per_read(self):
        s = self.make_screening()
        for path in (f"/api/v1/screenings/{s.pk}", f"/api/v1/patients/{self.patient.pk}/screenings"):
            with self.subTest(path=path):
                before = self.last_event_id()
                self.assertEqual(self.as_persona("carol", "get", path).status_code, 200)
                (event,) = self.events_since(before)
                self.assertEqual(event.action, "read")
                self.assertEqual(event.actor, self.carol)
                self.assertEqual(event.patient_id, self.patient.pk)
                self.assertEqual(event.path, path)
                self.assertIn(self.keys["carol"][:12], event.actor_label)

    def test_the_list_event_names_every_screening_returned(self):
        s = self.make_screening()
        before = self.last_event_id()
        self.as_persona("alice", "get", f"/api/v1/patients/{self.patient.pk}/screenings")
        (event,) = self.events_since(before)
        self.assertEqual(event.detail["screenings"], [str(s.pk)])

    def test_it_writes_no_event_for_a_denied_request(self):
        s = self.make_screening()
        before = self.last_event_id()
        for persona in ("charlie", "olga", "pat", "ada"):
            self.as_persona(persona, "get", f"/api/v1/screenings/{s.pk}")
            self.as_persona(persona, "get", f"/api/v1/patients/{self.patient.pk}/screenings")
            self.submit(persona)
        self.assertEqual(self.events_since(before), [])


class OpenAPI(ScreeningApiTestCase):
    def test_the_openapi_document_lists_the_screening_paths(self):
        response = self.client.get("/api/v1/openapi.json")
        self.assertEqual(response.status_code, 200)
        doc = response.json()
        for path, methods in [
            ("/api/v1/instruments", {"get"}),
            ("/api/v1/instruments/{instrument_id}", {"get"}),
            ("/api/v1/patients/{patient_id}/screenings", {"get", "post"}),
            ("/api/v1/screenings/{screening_id}", {"get"}),
        ]:
            with self.subTest(path=path):
                self.assertIn(path, doc["paths"])
                self.assertLessEqual(methods, set(doc["paths"][path]))
                for method in methods:
                    self.assertIn("screening", doc["paths"][path][method]["tags"])
        post = doc["paths"]["/api/v1/patients/{patient_id}/screenings"]["post"]
        self.assertLessEqual({"200", "201", "422"}, set(post["responses"]))
        self.assertIn("Idempotency-Key", [p["name"] for p in post["parameters"]])
        self.assertIn("ScreeningIn", doc["components"]["schemas"])


class QueryCounts(ScreeningApiTestCase):
    def add_screenings(self, n: int) -> None:
        ahc = {"71802-3": "LA31994-9", "88122-7": "LA6729-3", "93030-5": YES}
        for i in range(n):
            self.submit("alice", screening(answers=phq9(item9=SEVERAL if i % 2 else NOT_AT_ALL, rest=SEVERAL)))
            self.submit("alice", screening("ahc_hrsn_core", ahc))

    def test_it_runs_a_constant_number_of_queries_on_the_list(self):
        path = f"/api/v1/patients/{self.patient.pk}/screenings"
        self.add_screenings(1)
        counts = {}
        for persona in ("alice", "ian", "carol"):
            self.as_persona(persona, "get", path)  # warm up: last_used_at is written once a minute
            with CaptureQueriesContext(connection) as ctx:
                response = self.as_persona(persona, "get", path)
            self.assertEqual(response.json()["count"], 2)
            counts[persona] = len(ctx.captured_queries)
        self.add_screenings(15)
        for persona in ("alice", "ian", "carol"):
            with self.subTest(persona=persona):
                with CaptureQueriesContext(connection) as ctx:
                    response = self.as_persona(persona, "get", path)
                self.assertEqual(response.json()["count"], 32)
                self.assertEqual(len(ctx.captured_queries), counts[persona])


class CareTeamReducedAnswers(PersonaTestCase):
    def test_the_care_team_gets_results_without_item_answers(self):
        from puente.accounts.services import create_api_token

        _t, key = create_api_token(self.carol, "unit tablet", ["screening:read", "screening:write"])
        response = self.client.post(
            f"/api/v1/patients/{self.patient.pk}/screenings",
            {"instrument_id": "phq2", "answers": {"44250-9": "LA6569-3", "44255-8": "LA6569-3"}},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual((body["total"], body["answers"]), (2, []))
