"""`POST /api/v1/patients` and `/episodes` with an `Idempotency-Key` header: a retried call creates one record."""

import json

from puente.episodes.models import Episode
from puente.patients.models import Patient

from .test_api import ApiTestCase, episode_payload, patient_payload


class ApiIdempotency(ApiTestCase):
    def post(self, persona: str, path: str, body: dict, key: str = ""):
        headers = {"Authorization": f"Bearer {self.keys[persona]}"}
        if key:
            headers["Idempotency-Key"] = key
        return self.client.post(path, json.dumps(body), content_type="application/json", headers=headers)

    def test_a_retried_patient_registration_creates_one_patient(self):
        body = patient_payload(legal_given_name="Rosa", legal_family_name="Tafoya")
        before = Patient.objects.count()
        first = self.post("ian", "/api/v1/patients", body, key="reg-1")
        again = self.post("ian", "/api/v1/patients", body, key="reg-1")
        self.assertEqual(first.status_code, 201, first.content)
        # Not a 409 "possible duplicate of yourself": the retry answers with the first record.
        self.assertEqual(again.status_code, 200, again.content)
        self.assertEqual(again.json()["id"], first.json()["id"])
        self.assertEqual(Patient.objects.count(), before + 1)

    def test_two_keys_make_two_calls_and_no_key_is_not_protected(self):
        body = patient_payload(legal_given_name="Rosa", legal_family_name="Tafoya", confirm_new=True)
        before = Patient.objects.count()
        self.assertEqual(self.post("ian", "/api/v1/patients", body, key="a").status_code, 201)
        self.assertEqual(self.post("ian", "/api/v1/patients", body, key="b").status_code, 201)
        self.assertEqual(self.post("ian", "/api/v1/patients", body).status_code, 201)
        self.assertEqual(Patient.objects.count(), before + 3)

    def test_another_users_key_is_refused_without_showing_the_first_record(self):
        body = patient_payload(legal_given_name="Rosa", legal_family_name="Tafoya")
        first = self.post("ian", "/api/v1/patients", body, key="shared").json()
        refused = self.post("alice", "/api/v1/patients", body, key="shared")
        self.assertEqual(refused.status_code, 422, refused.content)
        self.assertIn("idempotency_key", refused.json()["errors"])
        self.assertNotIn(first["id"], refused.content.decode())

    def test_a_retried_episode_creation_creates_one_episode(self):
        body = episode_payload(self.patient.pk)
        before = Episode.objects.count()
        first = self.post("alice", "/api/v1/episodes", body, key="ep-1")
        again = self.post("alice", "/api/v1/episodes", body, key="ep-1")
        self.assertEqual(first.status_code, 201, first.content)
        self.assertEqual(again.status_code, 200, again.content)
        self.assertEqual(again.json()["id"], first.json()["id"])
        self.assertEqual(Episode.objects.count(), before + 1)

    def test_the_schema_documents_the_header_and_the_replay_answer(self):
        schema = self.client.get("/api/v1/openapi.json").json()
        for path in ("/api/v1/patients", "/api/v1/episodes"):
            operation = schema["paths"][path]["post"]
            self.assertIn("Idempotency-Key", [p["name"] for p in operation.get("parameters", [])])
            self.assertIn("200", operation["responses"])
