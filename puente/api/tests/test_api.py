"""The JSON API under /api/v1/: token auth and scopes, the persona matrix over every endpoint, the audit
trail, validation, the duplicate check, the OpenAPI document and constant query counts on lists."""

import json
from datetime import date, datetime, timedelta

from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from puente.accounts.models import ApiToken
from puente.accounts.services import create_api_token, revoke_api_token
from puente.audit.models import AuditEvent
from puente.core.testing import PersonaTestCase, make_episode, make_patient, make_unit
from puente.episodes.models import Episode
from puente.patients.models import Patient, PatientIdentifier

PERSONAS = ("alice", "bob", "sam", "ian", "carol", "charlie", "ada", "pat", "olga")
ALL_SCOPES = list(ApiToken.SCOPES)
ADDRESS_FIELDS = ("address_line1", "address_line2", "city", "state", "postal_code")
# Hidden from the care team in the UI too (templates/patients/detail.html): address, county, insurance, MRNs.
REDUCED_FIELDS = (*ADDRESS_FIELDS, "county", "insurance", "insurance_plan")


def patient_payload(**overrides) -> dict:
    data = {
        "legal_given_name": "Rosa",
        "legal_family_name": "Vigil",
        "birth_date": "1961-02-03",
        "sex_at_birth": "female",
        "preferred_language": "es",
        "address_line1": "101 Isleta Blvd SW",
        "postal_code": "87105",
    }
    data.update(overrides)
    return data


def episode_payload(patient_id, **overrides) -> dict:
    data = {"patient_id": str(patient_id), "setting": "inpatient", "start": "2026-11-20T10:30:15-07:00"}
    data.update(overrides)
    return data


class ApiTestCase(PersonaTestCase):
    """Personas from PersonaTestCase, each with a token holding every scope; the patient has an address and MRN."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Patient.objects.filter(pk=cls.patient.pk).update(
            address_line1="1200 Safe House Rd",
            city="Albuquerque",
            postal_code="87105",
            county="Bernalillo",
            insurance="medicaid",
            insurance_plan="Molina",
        )
        cls.patient.refresh_from_db()
        PatientIdentifier.objects.create(
            organization=cls.org, patient=cls.patient, facility="Sandia General", value="MRN000123"
        )
        cls.keys = {}
        for persona in PERSONAS:
            _, cls.keys[persona] = create_api_token(getattr(cls, persona), f"{persona} integration", ALL_SCOPES)

    def call(self, method: str, path: str, key: str | None = None, body: dict | None = None, **query):
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        if body is None:
            return getattr(self.client, method)(path, query or None, headers=headers)
        return getattr(self.client, method)(path, json.dumps(body), content_type="application/json", headers=headers)

    def as_persona(self, persona: str, method: str, path: str, body: dict | None = None, **query):
        return self.call(method, path, self.keys[persona], body, **query)

    def last_event_id(self) -> int:
        return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def events_since(self, event_id: int) -> list[AuditEvent]:
        return list(AuditEvent.objects.filter(id__gt=event_id).order_by("id"))

    def endpoints(self) -> list[tuple[str, str, dict | None, str]]:
        """(method, path, body, scope needed) for every endpoint."""
        p, e = self.patient.pk, self.episode.pk
        return [
            ("get", "/api/v1/patients", None, "patients:read"),
            ("get", f"/api/v1/patients/{p}", None, "patients:read"),
            ("post", "/api/v1/patients", patient_payload(), "patients:write"),
            ("patch", f"/api/v1/patients/{p}", {"phone": "505-555-0100"}, "patients:write"),
            ("get", "/api/v1/episodes", None, "episodes:read"),
            ("get", f"/api/v1/episodes/{e}", None, "episodes:read"),
            ("post", "/api/v1/episodes", episode_payload(p), "episodes:write"),
            ("patch", f"/api/v1/episodes/{e}", {"attending": "Dr. Kim"}, "episodes:write"),
        ]


class TokenAuthentication(ApiTestCase):
    def test_it_requires_a_token_on_every_endpoint(self):
        for method, path, body, _scope in self.endpoints():
            with self.subTest(method=method, path=path):
                self.assertEqual(self.call(method, path, None, body).status_code, 401)

    def test_it_refuses_a_wrong_or_malformed_token(self):
        wrong = ApiToken.new_key()
        for method, path, body, _scope in self.endpoints():
            with self.subTest(method=method, path=path):
                self.assertEqual(self.call(method, path, wrong, body).status_code, 401)
                headers = {"Authorization": f"Token {self.keys['alice']}"}
                self.assertEqual(getattr(self.client, method)(path, headers=headers).status_code, 401)

    def test_it_refuses_a_revoked_token(self):
        token = ApiToken.objects.get(key_hash=ApiToken.hash_key(self.keys["alice"]))
        revoke_api_token(token)
        for method, path, body, _scope in self.endpoints():
            with self.subTest(method=method, path=path):
                self.assertEqual(self.as_persona("alice", method, path, body).status_code, 401)

    def test_it_refuses_the_token_of_an_inactive_user(self):
        self.alice.is_active = False
        self.alice.save(update_fields=["is_active"])
        self.assertEqual(self.as_persona("alice", "get", "/api/v1/patients").status_code, 401)

    def test_it_refuses_a_token_once_its_user_moves_to_another_organization(self):
        self.alice.organization = self.other_org
        self.alice.save(update_fields=["organization"])
        self.assertEqual(self.as_persona("alice", "get", "/api/v1/patients").status_code, 401)

    def test_it_writes_no_audit_event_for_a_refused_token(self):
        before = self.last_event_id()
        for method, path, body, _scope in self.endpoints():
            self.call(method, path, "pnt_not-a-real-token", body)
        self.assertEqual(self.events_since(before), [])

    def test_it_requires_the_scope_of_each_endpoint(self):
        for method, path, body, scope in self.endpoints():
            with self.subTest(method=method, path=path):
                _, key = create_api_token(self.alice, "narrow", [s for s in ALL_SCOPES if s != scope])
                before = self.last_event_id()
                response = self.call(method, path, key, body)
                self.assertEqual(response.status_code, 403)
                self.assertIn(scope, response.json()["detail"])
                self.assertEqual(self.events_since(before), [])

    def test_it_lets_a_read_scope_read_but_not_write(self):
        _, key = create_api_token(self.alice, "reader", ["patients:read", "episodes:read"])
        self.assertEqual(self.call("get", f"/api/v1/patients/{self.patient.pk}", key).status_code, 200)
        self.assertEqual(self.call("get", f"/api/v1/episodes/{self.episode.pk}", key).status_code, 200)
        self.assertEqual(self.call("patch", f"/api/v1/patients/{self.patient.pk}", key, {}).status_code, 403)

    def test_it_stores_only_a_hash_of_the_key(self):
        token, key = create_api_token(self.alice, "hash check", ["patients:read"])
        token.refresh_from_db()
        self.assertEqual(token.key_hash, ApiToken.hash_key(key))
        self.assertEqual(token.prefix, key[:12])
        self.assertNotIn(key, json.dumps(model_to_dict(token), default=str))
        self.assertFalse(ApiToken.objects.filter(key_hash=key).exists())
        events = AuditEvent.objects.filter(object_id=str(token.pk))
        self.assertNotIn(key, json.dumps([e.detail for e in events]))

    def test_it_notes_when_a_token_was_last_used(self):
        token = ApiToken.objects.get(key_hash=ApiToken.hash_key(self.keys["alice"]))
        self.assertIsNone(token.last_used_at)
        self.as_persona("alice", "get", "/api/v1/patients")
        token.refresh_from_db()
        self.assertIsNotNone(token.last_used_at)

    def test_it_serves_the_openapi_document_without_auth_listing_the_paths(self):
        response = self.client.get("/api/v1/openapi.json")
        self.assertEqual(response.status_code, 200)
        paths = response.json()["paths"]
        for path, methods in [
            ("/api/v1/patients", {"get", "post"}),
            ("/api/v1/patients/{patient_id}", {"get", "patch"}),
            ("/api/v1/episodes", {"get", "post"}),
            ("/api/v1/episodes/{episode_id}", {"get", "patch"}),
        ]:
            with self.subTest(path=path):
                self.assertIn(path, paths)
                self.assertLessEqual(methods, set(paths[path]))


class PersonaMatrix(ApiTestCase):
    # persona -> (reads of the patient and its episodes, writes to them, creating a new patient)
    EXPECTED = {
        "alice": (200, 200, 201),  # assigned worker on the patient's team
        "bob": (200, 200, 201),  # teammate
        "sam": (200, 200, 201),  # the team's supervisor
        "ian": (200, 200, 201),  # intake: the whole organization
        "carol": (200, 403, 403),  # care team on the patient's unit: reduced and read-only
        "charlie": (404, 404, 201),  # other team of the same organization
        "ada": (404, 404, 403),  # administrator: only through break-the-glass
        "pat": (404, 404, 403),  # partner organization
        "olga": (404, 404, 201),  # other care organization (creates in her own)
    }

    def test_it_lists_patients_to_exactly_those_who_may_see_them(self):
        for persona, (read, _write, _create) in self.EXPECTED.items():
            with self.subTest(persona=persona):
                response = self.as_persona(persona, "get", "/api/v1/patients")
                self.assertEqual(response.status_code, 200)
                ids = [item["id"] for item in response.json()["items"]]
                self.assertEqual(ids, [str(self.patient.pk)] if read == 200 else [])
                self.assertEqual(response.json()["count"], len(ids))

    def test_it_answers_each_persona_on_the_patient(self):
        for persona, (read, _write, _create) in self.EXPECTED.items():
            with self.subTest(persona=persona):
                response = self.as_persona(persona, "get", f"/api/v1/patients/{self.patient.pk}")
                self.assertEqual(response.status_code, read)
                if read == 200:
                    self.assertEqual(response.json()["id"], str(self.patient.pk))

    def test_it_creates_patients_for_writers_in_their_own_organization(self):
        for i, (persona, (_read, _write, create)) in enumerate(self.EXPECTED.items()):
            with self.subTest(persona=persona):
                body = patient_payload(legal_given_name=f"Test{persona.title()}", birth_date=f"1960-01-{i + 1:02d}")
                response = self.as_persona(persona, "post", "/api/v1/patients", body)
                self.assertEqual(response.status_code, create)
                created = Patient.objects.filter(legal_given_name=f"Test{persona.title()}")
                if create == 201:
                    user = getattr(self, persona)
                    self.assertEqual(created.get().organization_id, user.organization_id)
                    self.assertEqual(created.get().created_by, user)
                    self.assertEqual(response.json()["id"], str(created.get().pk))
                else:
                    self.assertFalse(created.exists())

    def test_it_answers_each_persona_on_patient_updates(self):
        for i, (persona, (_read, write, _create)) in enumerate(self.EXPECTED.items()):
            with self.subTest(persona=persona):
                phone = f"505-555-01{i:02d}"
                response = self.as_persona(persona, "patch", f"/api/v1/patients/{self.patient.pk}", {"phone": phone})
                self.assertEqual(response.status_code, write)
                self.patient.refresh_from_db()
                self.assertEqual(self.patient.phone == phone, write == 200)

    def test_it_lists_episodes_to_exactly_those_who_may_see_them(self):
        for persona, (read, _write, _create) in self.EXPECTED.items():
            with self.subTest(persona=persona):
                response = self.as_persona(persona, "get", "/api/v1/episodes")
                self.assertEqual(response.status_code, 200)
                ids = [item["id"] for item in response.json()["items"]]
                self.assertEqual(ids, [str(self.episode.pk)] if read == 200 else [])

    def test_it_answers_each_persona_on_the_episode(self):
        for persona, (read, _write, _create) in self.EXPECTED.items():
            with self.subTest(persona=persona):
                response = self.as_persona(persona, "get", f"/api/v1/episodes/{self.episode.pk}")
                self.assertEqual(response.status_code, read)
                if read == 200:
                    self.assertEqual(response.json()["patient_id"], str(self.patient.pk))

    def test_it_answers_each_persona_on_episode_creation(self):
        for persona, (_read, write, _create) in self.EXPECTED.items():
            with self.subTest(persona=persona):
                before = Episode.objects.count()
                body = episode_payload(self.patient.pk, attending=f"Dr. {persona.title()}")
                response = self.as_persona(persona, "post", "/api/v1/episodes", body)
                self.assertEqual(response.status_code, 201 if write == 200 else write)
                self.assertEqual(Episode.objects.count(), before + (1 if write == 200 else 0))

    def test_it_answers_each_persona_on_episode_updates(self):
        for persona, (_read, write, _create) in self.EXPECTED.items():
            with self.subTest(persona=persona):
                body = {"attending": f"Dr. {persona.title()}"}
                response = self.as_persona(persona, "patch", f"/api/v1/episodes/{self.episode.pk}", body)
                self.assertEqual(response.status_code, write)
                self.episode.refresh_from_db()
                self.assertEqual(self.episode.attending == f"Dr. {persona.title()}", write == 200)

    def test_it_gives_the_care_team_a_reduced_record(self):
        for path in (f"/api/v1/patients/{self.patient.pk}", "/api/v1/patients"):
            with self.subTest(path=path):
                data = self.as_persona("carol", "get", path).json()
                item = data["items"][0] if "items" in data else data
                for field in REDUCED_FIELDS:
                    self.assertIsNone(item[field], field)
                self.assertEqual(item["identifiers"], [])
                self.assertEqual(item["legal_family_name"], "García")
                self.assertNotIn("Safe House", json.dumps(data))
                self.assertNotIn("MRN000123", json.dumps(data))

    def test_it_gives_the_patients_worker_the_full_record(self):
        data = self.as_persona("alice", "get", f"/api/v1/patients/{self.patient.pk}").json()
        self.assertEqual(data["address_line1"], "1200 Safe House Rd")
        self.assertEqual(data["postal_code"], "87105")
        self.assertEqual(data["county"], "Bernalillo")
        self.assertEqual(data["insurance_plan"], "Molina")
        self.assertEqual(data["identifiers"], [{"facility": "Sandia General", "value": "MRN000123"}])

    def test_it_drops_the_care_team_when_the_episode_ends(self):
        Episode.objects.filter(pk=self.episode.pk).update(status="finished")
        self.assertEqual(self.as_persona("carol", "get", f"/api/v1/patients/{self.patient.pk}").status_code, 404)
        self.assertEqual(self.as_persona("carol", "get", "/api/v1/patients").json()["items"], [])

    def test_it_never_shows_another_organizations_patient_even_to_intake(self):
        elsewhere = make_patient(self.other_org, "Shandiin", "Yazzie")
        other_episode = make_episode(elsewhere)
        self.assertEqual(self.as_persona("ian", "get", f"/api/v1/patients/{elsewhere.pk}").status_code, 404)
        self.assertEqual(self.as_persona("ian", "get", f"/api/v1/episodes/{other_episode.pk}").status_code, 404)
        body = episode_payload(elsewhere.pk)
        self.assertEqual(self.as_persona("ian", "post", "/api/v1/episodes", body).status_code, 404)
        names = [p["legal_family_name"] for p in self.as_persona("ian", "get", "/api/v1/patients").json()["items"]]
        self.assertNotIn("Yazzie", names)

    def test_it_answers_404_for_an_unknown_id(self):
        self.assertEqual(self.as_persona("ian", "get", f"/api/v1/patients/{self.unit.pk}").status_code, 404)
        self.assertEqual(self.as_persona("ian", "get", f"/api/v1/episodes/{self.unit.pk}").status_code, 404)

    def test_it_searches_and_pages_the_patient_list(self):
        make_patient(self.org, "José", "Martínez")
        data = self.as_persona("ian", "get", "/api/v1/patients", q="jose martinez").json()
        self.assertEqual([p["legal_given_name"] for p in data["items"]], ["José"])
        data = self.as_persona("ian", "get", "/api/v1/patients", limit=1000, offset=-5).json()
        self.assertEqual((data["count"], data["limit"], data["offset"]), (2, 100, 0))
        data = self.as_persona("ian", "get", "/api/v1/patients", limit=1, offset=1).json()
        self.assertEqual([p["legal_family_name"] for p in data["items"]], ["Martínez"])

    def test_it_filters_episodes_by_patient(self):
        other = make_patient(self.org, "Kee", "Begay")
        make_episode(other, team=self.team)
        data = self.as_persona("ian", "get", "/api/v1/episodes", patient_id=str(self.patient.pk)).json()
        self.assertEqual([e["id"] for e in data["items"]], [str(self.episode.pk)])
        self.assertEqual(self.as_persona("ian", "get", "/api/v1/episodes").json()["count"], 2)


class AuditTrail(ApiTestCase):
    def test_it_writes_exactly_one_read_event_per_read(self):
        p = self.patient.pk
        for path, query, patient_id in [
            (f"/api/v1/patients/{p}", {}, p),
            (f"/api/v1/episodes/{self.episode.pk}", {}, p),
            ("/api/v1/episodes", {"patient_id": str(p)}, p),
            ("/api/v1/patients", {}, None),
            ("/api/v1/episodes", {}, None),
        ]:
            with self.subTest(path=path, query=query):
                before = self.last_event_id()
                self.assertEqual(self.as_persona("alice", "get", path, **query).status_code, 200)
                events = self.events_since(before)
                self.assertEqual(len(events), 1)
                self.assertEqual(events[0].action, "read")
                self.assertEqual(events[0].actor, self.alice)
                self.assertEqual(events[0].organization_id, self.org.pk)
                self.assertEqual(events[0].patient_id, patient_id)
                self.assertEqual(events[0].path, path)
                self.assertIn(self.keys["alice"][:12], events[0].actor_label)

    def test_it_names_every_patient_a_list_returned(self):
        for path in ("/api/v1/patients", "/api/v1/episodes"):
            with self.subTest(path=path):
                before = self.last_event_id()
                self.as_persona("alice", "get", path)
                (event,) = self.events_since(before)
                self.assertEqual(event.detail["patients"], [str(self.patient.pk)])

    def test_it_writes_exactly_one_change_event_per_write(self):
        p, e = self.patient.pk, self.episode.pk
        for method, path, body, action in [
            ("post", "/api/v1/patients", patient_payload(), "create"),
            ("patch", f"/api/v1/patients/{p}", {"phone": "505-555-0199"}, "update"),
            ("post", "/api/v1/episodes", episode_payload(p), "create"),
            ("patch", f"/api/v1/episodes/{e}", {"attending": "Dr. Salazar"}, "update"),
        ]:
            with self.subTest(method=method, path=path):
                before = self.last_event_id()
                response = self.as_persona("alice", method, path, body)
                self.assertIn(response.status_code, (200, 201))
                events = self.events_since(before)
                self.assertEqual(len(events), 1)
                self.assertEqual(events[0].action, action)
                self.assertEqual(events[0].actor, self.alice)
                patient_id = response.json().get("patient_id") or response.json()["id"]
                self.assertEqual(str(events[0].patient_id), patient_id)
                self.assertIn(self.keys["alice"][:12], events[0].actor_label)

    def test_it_names_the_changed_fields_in_an_update_event(self):
        before = self.last_event_id()
        self.as_persona("alice", "patch", f"/api/v1/patients/{self.patient.pk}", {"phone": "505-555-0123"})
        (event,) = self.events_since(before)
        self.assertEqual(event.detail["fields"], ["phone"])

    def test_it_audits_a_patch_that_changes_nothing_as_a_read(self):
        # The response still discloses the record, so it must leave a trace even though nothing was written.
        for path, body in [
            (f"/api/v1/patients/{self.patient.pk}", {"legal_given_name": "María"}),
            (f"/api/v1/episodes/{self.episode.pk}", {"setting": "inpatient"}),
        ]:
            with self.subTest(path=path):
                before = self.last_event_id()
                self.assertEqual(self.as_persona("alice", "patch", path, body).status_code, 200)
                events = self.events_since(before)
                self.assertEqual([(e.action, e.patient_id) for e in events], [("read", self.patient.pk)])

    def test_it_writes_no_event_for_a_denied_request(self):
        for persona in ("charlie", "olga", "pat"):
            with self.subTest(persona=persona):
                before = self.last_event_id()
                self.as_persona(persona, "get", f"/api/v1/patients/{self.patient.pk}")
                self.as_persona(persona, "patch", f"/api/v1/patients/{self.patient.pk}", {"phone": "1"})
                self.assertEqual(self.events_since(before), [])


class Validation(ApiTestCase):
    INVALID_PATIENTS = [
        # (what is wrong, overrides, field with the error)
        ("an impossible date", {"birth_date": "1950-02-30"}, "birth_date"),
        ("a non-date", {"birth_date": "next tuesday"}, "birth_date"),
        ("a future birth date", {"birth_date": "2099-01-01"}, "birth_date"),
        ("a birth date over 125 years ago", {"birth_date": "1850-01-01"}, "birth_date"),
        ("a non-US ZIP", {"postal_code": "99999"}, "postal_code"),
        ("HTML in the given name", {"legal_given_name": "<b>x</b>"}, "legal_given_name"),
        ("HTML in the family name", {"legal_family_name": "<script>alert(1)</script>"}, "legal_family_name"),
        ("an unknown sex", {"sex_at_birth": "robot"}, "sex_at_birth"),
        ("an unknown language", {"preferred_language": "xx"}, "preferred_language"),
        ("a death before birth", {"deceased_date": "1950-01-01", "birth_date": "1960-01-01"}, "deceased_date"),
        ("a missing family name", {"legal_family_name": ""}, "legal_family_name"),
    ]

    def test_it_refuses_an_invalid_new_patient_and_saves_nothing(self):
        for label, overrides, field in self.INVALID_PATIENTS:
            with self.subTest(label):
                before_events, before_patients = self.last_event_id(), Patient.objects.count()
                response = self.as_persona("ian", "post", "/api/v1/patients", patient_payload(**overrides))
                self.assertEqual(response.status_code, 422, response.content)
                self.assertIn(field, response.json()["errors"])
                self.assertTrue(response.json()["errors"][field][0])
                self.assertEqual(Patient.objects.count(), before_patients)
                self.assertEqual(self.events_since(before_events), [])

    def test_it_refuses_an_invalid_patient_update_and_changes_nothing(self):
        for label, overrides, field in self.INVALID_PATIENTS:
            with self.subTest(label):
                before = self.last_event_id()
                path = f"/api/v1/patients/{self.patient.pk}"
                response = self.as_persona("ian", "patch", path, {**overrides, "phone": "505-555-0111"})
                self.assertEqual(response.status_code, 422, response.content)
                self.assertIn(field, response.json()["errors"])
                self.patient.refresh_from_db()
                self.assertEqual(self.patient.phone, "")
                self.assertEqual(self.events_since(before), [])

    def test_it_refuses_a_body_missing_required_fields(self):
        response = self.as_persona("ian", "post", "/api/v1/patients", {"legal_given_name": "Rosa"})
        self.assertEqual(response.status_code, 422)
        self.assertLessEqual({"legal_family_name", "birth_date", "sex_at_birth"}, set(response.json()["errors"]))

    def test_it_refuses_an_invalid_episode_and_saves_nothing(self):
        foreign_unit = make_unit(self.other_org, "Home Health North", "Rio Grande HHH")
        for label, overrides, field in [
            ("an unknown setting", {"setting": "spa"}, "setting"),
            ("an impossible start", {"start": "2026-02-30T10:00:00"}, "start"),
            ("an end before the start", {"end": "2026-11-19T10:00:00-07:00"}, "end"),
            ("another organization's unit", {"unit_id": str(foreign_unit.pk)}, "unit"),
            ("a worker who is not a social worker", {"assigned_worker_id": self.carol.pk}, "assigned_worker"),
            ("HTML in the attending", {"attending": "<i>Dr</i>"}, "attending"),
        ]:
            with self.subTest(label):
                before_events, before_episodes = self.last_event_id(), Episode.objects.count()
                body = episode_payload(self.patient.pk, **overrides)
                response = self.as_persona("alice", "post", "/api/v1/episodes", body)
                self.assertEqual(response.status_code, 422, response.content)
                self.assertIn(field, response.json()["errors"])
                self.assertEqual(Episode.objects.count(), before_episodes)
                self.assertEqual(self.events_since(before_events), [])

    def test_it_refuses_an_invalid_episode_update(self):
        path = f"/api/v1/episodes/{self.episode.pk}"
        response = self.as_persona("alice", "patch", path, {"end": "2000-01-01T00:00:00Z"})
        self.assertEqual(response.status_code, 422)
        self.assertIn("end", response.json()["errors"])
        self.episode.refresh_from_db()
        self.assertIsNone(self.episode.end)

    def test_it_keeps_the_seconds_of_an_episode_start(self):
        body = episode_payload(self.patient.pk, start="2026-11-20T10:30:15-07:00")
        response = self.as_persona("alice", "post", "/api/v1/episodes", body)
        episode = Episode.objects.get(pk=response.json()["id"])
        self.assertEqual(episode.start, datetime.fromisoformat("2026-11-20T10:30:15-07:00"))

    def test_it_leaves_fields_a_patch_does_not_name_alone(self):
        start = self.episode.start
        self.assertNotEqual(start.second + start.microsecond, 0)  # make_episode starts at now() - 1 day
        before = self.last_event_id()
        self.as_persona("alice", "patch", f"/api/v1/episodes/{self.episode.pk}", {"status": "finished"})
        self.episode.refresh_from_db()
        self.assertEqual(self.episode.start, start)
        self.assertEqual(self.episode.status, "finished")
        (event,) = self.events_since(before)
        self.assertEqual(event.detail["fields"], ["status"])

    def test_it_fills_derived_fields_like_the_ui(self):
        response = self.as_persona("ian", "post", "/api/v1/patients", patient_payload(legal_given_name="Inés"))
        patient = Patient.objects.get(pk=response.json()["id"])
        self.assertEqual(patient.search_name, "ines vigil")
        self.assertEqual((patient.county, patient.city), ("Bernalillo", "Albuquerque"))
        self.assertIsNotNone(patient.latitude)


class DuplicateCheck(ApiTestCase):
    """The existing patient is María García, born 1950-05-17, on alice's team."""

    def post(self, persona="ian", **overrides):
        body = patient_payload(birth_date="1950-05-17", **overrides)
        return self.as_persona(persona, "post", "/api/v1/patients", body)

    def test_it_answers_409_with_candidates_for_a_likely_duplicate(self):
        existing_jose = make_patient(self.org, "José", "Martínez", birth_date=date(1950, 5, 17))
        for label, overrides, expected in [
            ("accents dropped", {"legal_given_name": "Maria", "legal_family_name": "Garcia"}, self.patient),
            ("upper case", {"legal_given_name": "MARIA", "legal_family_name": "GARCÍA"}, self.patient),
            ("nickname", {"legal_given_name": "Pepe", "legal_family_name": "Martinez"}, existing_jose),
            (
                "legal name matches, preferred name does not",
                {"legal_given_name": "Maria", "preferred_name": "Nena", "legal_family_name": "Garcia"},
                self.patient,
            ),
        ]:
            with self.subTest(label):
                before = Patient.objects.count()
                response = self.post(**overrides)
                self.assertEqual(response.status_code, 409, response.content)
                candidates = response.json()["candidates"]
                self.assertIn(str(expected.pk), [c["id"] for c in candidates])
                self.assertEqual(Patient.objects.count(), before)

    def test_it_gives_minimal_identity_and_whether_the_caller_may_open_each_candidate(self):
        response = self.post("charlie", legal_given_name="Maria", legal_family_name="Garcia")
        self.assertEqual(response.status_code, 409)
        (candidate,) = response.json()["candidates"]
        self.assertEqual(set(candidate), {"id", "name", "birth_date", "score", "reasons", "visible"})
        self.assertEqual(candidate["birth_date"], "1950-05-17")
        self.assertIn("same_birth_date", candidate["reasons"])
        self.assertIs(candidate["visible"], False)  # charlie is on another team
        candidate = self.post("alice", legal_given_name="Maria", legal_family_name="Garcia").json()["candidates"][0]
        self.assertIs(candidate["visible"], True)

    def test_it_audits_the_duplicate_check_as_a_search(self):
        before = self.last_event_id()
        self.post(legal_given_name="Maria", legal_family_name="Garcia")
        (event,) = self.events_since(before)
        self.assertEqual(event.action, "search")
        self.assertEqual(event.actor, self.ian)
        self.assertEqual(event.detail["candidates"], [str(self.patient.pk)])

    def test_it_creates_the_record_anyway_with_confirm_new(self):
        before = Patient.objects.count()
        response = self.post(legal_given_name="Maria", legal_family_name="Garcia", confirm_new=True)
        self.assertEqual(response.status_code, 201)
        self.assertEqual(Patient.objects.count(), before + 1)
        self.assertNotEqual(response.json()["id"], str(self.patient.pk))

    def test_it_does_not_count_a_different_birth_date_as_a_duplicate(self):
        body = patient_payload(legal_given_name="María", legal_family_name="García", birth_date="1950-05-18")
        self.assertEqual(self.as_persona("ian", "post", "/api/v1/patients", body).status_code, 201)

    def test_it_never_offers_another_organizations_patient(self):
        response = self.post("olga", legal_given_name="María", legal_family_name="García")
        self.assertEqual(response.status_code, 201)
        self.assertEqual(Patient.objects.get(pk=response.json()["id"]).organization, self.other_org)


class QueryCounts(ApiTestCase):
    def add_patients(self, n: int) -> None:
        for i in range(n):
            p = make_patient(self.org, f"Extra{i}", "Lucero", birth_date=date(1940, 1, 1) + timedelta(days=i))
            PatientIdentifier.objects.create(organization=self.org, patient=p, facility="Sandia General", value=f"X{i}")
            make_episode(p, team=self.team, unit=self.unit, worker=self.alice)

    def test_it_runs_a_constant_number_of_queries_on_lists(self):
        cases = [(persona, path) for persona in ("alice", "ian", "carol") for path in ("patients", "episodes")]
        counts = {}
        for persona, path in cases:
            self.as_persona(persona, "get", f"/api/v1/{path}")  # warm up: last_used_at is written once a minute
            with CaptureQueriesContext(connection) as ctx:
                response = self.as_persona(persona, "get", f"/api/v1/{path}")
            self.assertEqual(response.json()["count"], 1)
            counts[persona, path] = len(ctx.captured_queries)
        self.add_patients(30)
        for persona, path in cases:
            with self.subTest(persona=persona, path=path):
                with CaptureQueriesContext(connection) as ctx:
                    response = self.as_persona(persona, "get", f"/api/v1/{path}")
                self.assertEqual(response.json()["count"], 31)
                self.assertEqual(len(ctx.captured_queries), counts[persona, path])

    def test_it_does_not_rewrite_the_token_on_every_request(self):
        self.as_persona("alice", "get", "/api/v1/patients")
        token = ApiToken.objects.get(key_hash=ApiToken.hash_key(self.keys["alice"]))
        first = token.last_used_at
        self.as_persona("alice", "get", "/api/v1/patients")
        token.refresh_from_db()
        self.assertEqual(token.last_used_at, first)
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(minutes=5))
        self.as_persona("alice", "get", "/api/v1/patients")
        token.refresh_from_db()
        self.assertGreater(token.last_used_at, first)


class CreateWithMRN(PersonaTestCase):
    """Patients created through the API can carry MRNs, and the duplicate check uses them."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        from puente.accounts.services import create_api_token

        cls.token, cls.key = create_api_token(cls.ian, "EHR", ["patients:read", "patients:write"])

    def post(self, body):
        return self.client.post(
            "/api/v1/patients", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {self.key}"
        )

    def body(self, **extra):
        return {
            "legal_given_name": "Efraín",
            "legal_family_name": "Padilla",
            "birth_date": "1947-07-07",
            "sex_at_birth": "male",
            **extra,
        }

    def test_it_stores_the_mrn_and_matches_on_it_next_time(self):
        created = self.post(self.body(identifiers=[{"facility": "SRMC", "value": "A-100"}]))
        self.assertEqual(created.status_code, 201, created.content)
        self.assertEqual(created.json()["identifiers"], [{"facility": "SRMC", "value": "A-100"}])
        again = self.post(
            self.body(
                legal_given_name="Someone",
                birth_date="1990-01-01",
                identifiers=[{"facility": "Other", "value": "A-100"}],
            )
        )
        self.assertEqual(again.status_code, 409)
        self.assertIn("same_mrn", again.json()["candidates"][0]["reasons"])

    def test_a_taken_or_marked_up_mrn_is_refused_and_nothing_saved(self):
        self.post(self.body(identifiers=[{"facility": "SRMC", "value": "A-200"}]))
        for ident in [{"facility": "SRMC", "value": "A-200"}, {"facility": "SRMC", "value": "<b>1</b>"}]:
            with self.subTest(ident=ident):
                response = self.post(
                    self.body(legal_given_name="Other", birth_date="1991-01-01", identifiers=[ident], confirm_new=True)
                )
                self.assertEqual(response.status_code, 422)
                self.assertIn("identifiers", response.json()["errors"])
        from puente.patients.models import Patient

        self.assertFalse(Patient.objects.filter(legal_given_name="Other").exists())
