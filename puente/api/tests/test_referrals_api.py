"""The referrals API: care-organization and partner tokens, IDOR (another partner's referral, patient endpoints),
the lifecycle's refusals, idempotent retries, consent filtering on the JSON, the audit trail and OpenAPI."""

import json

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from puente.accounts.models import Organization, Role
from puente.accounts.services import create_api_token
from puente.audit.models import AuditAction, AuditEvent
from puente.core.testing import PersonaTestCase, make_org, make_user
from puente.referrals import services
from puente.referrals.models import Referral, ReferralEvent
from puente.referrals.tests.util import make_concern, make_consent, make_listing, make_referral

SCOPES = ["referrals:read", "referrals:write", "patients:read", "screening:read"]


class ReferralApiTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.patient.phone = "505-555-0199"
        cls.patient.address_line1 = "12 Calle Secreta"
        cls.patient.save()
        cls.listing = make_listing(cls.partner_org)
        cls.concern = make_concern(cls.patient)
        cls.consent = make_consent(cls.patient, cls.alice, cls.partner_org, classes=["demographics"])
        cls.referral = services.make_referral(
            None,
            cls.patient,
            send=True,
            service_at_location=cls.listing,
            concerns=[cls.concern],
            message="Needs a food box.",
            patient_told="They will call you.",
            user=cls.alice,
        )
        cls.draft = make_referral(cls.patient, cls.alice, cls.listing, "draft")
        cls.other_partner = make_org("Casa Esperanza", Organization.Kind.PARTNER)
        cls.paula = make_user(cls.other_partner, Role.PARTNER, name="Paula Otherpartner")
        cls.other_referral = make_referral(cls.patient, cls.alice, make_listing(cls.other_partner), "requested")
        cls.keys = {}
        for persona in ("alice", "bob", "charlie", "carol", "ian", "pat", "paula", "olga"):
            _, cls.keys[persona] = create_api_token(getattr(cls, persona), f"{persona} app", SCOPES)

    def call(self, persona, method, path, body=None, headers=None, **query):
        headers = {"Authorization": f"Bearer {self.keys[persona]}", **(headers or {})}
        if body is None:
            return getattr(self.client, method)(path, query or None, headers=headers)
        return getattr(self.client, method)(path, json.dumps(body), content_type="application/json", headers=headers)

    def status(self, persona, referral, status, reason="", headers=None, **extra):
        body = {"status": status, "reason": reason, **extra}
        return self.call(persona, "post", f"/api/v1/referrals/{referral.pk}/status", body, headers)


class Reading(ReferralApiTestCase):
    def test_it_lists_a_care_organizations_referrals(self):
        response = self.call("alice", "get", "/api/v1/referrals")
        self.assertEqual(response.status_code, 200)
        ids = {item["id"] for item in response.json()["items"]}
        self.assertEqual(ids, {str(self.referral.pk), str(self.draft.pk), str(self.other_referral.pk)})
        item = next(i for i in response.json()["items"] if i["id"] == str(self.referral.pk))
        self.assertEqual(item["patient_id"], str(self.patient.pk))
        self.assertEqual(item["patient_told"], "They will call you.")
        self.assertEqual(item["concern_categories"], ["food-insecurity"])

    def test_it_lists_only_referrals_sent_to_the_partner(self):
        response = self.call("pat", "get", "/api/v1/referrals")
        self.assertEqual(response.status_code, 200)
        self.assertEqual([i["id"] for i in response.json()["items"]], [str(self.referral.pk)])  # no draft
        paula = self.call("paula", "get", "/api/v1/referrals")
        self.assertEqual([i["id"] for i in paula.json()["items"]], [str(self.other_referral.pk)])

    def test_a_partners_list_names_the_patient_only_as_the_consent_allows(self):
        item = self.call("pat", "get", "/api/v1/referrals").json()["items"][0]
        self.assertEqual(item["patient"], {"name": "María García"})
        for absent in ("contact", "concerns", "patient_id", "patient_told", "concern_categories"):
            self.assertNotIn(absent, item)
        self.consent.revoked_at = timezone.now()
        self.consent.save()
        item = self.call("pat", "get", "/api/v1/referrals").json()["items"][0]
        self.assertNotIn("patient", item)
        self.assertEqual(item["shared"], [])

    def test_lists_take_a_fixed_number_of_queries(self):
        def count(persona):
            with CaptureQueriesContext(connection) as ctx:
                self.assertEqual(self.call(persona, "get", "/api/v1/referrals").status_code, 200)
            return len(ctx.captured_queries)

        for persona in ("alice", "pat"):
            self.call(persona, "get", "/api/v1/referrals")  # the token's first use also records last_used_at
        few = {p: count(p) for p in ("alice", "pat")}
        for _ in range(3):
            services.make_referral(
                None,
                self.patient,
                send=True,
                service_at_location=self.listing,
                concerns=[self.concern],
                user=self.alice,
            )
        for persona in ("alice", "pat"):
            with self.subTest(persona=persona):
                self.assertEqual(count(persona), few[persona])

    def test_the_partners_json_holds_only_what_the_consent_allows(self):
        response = self.call("pat", "get", f"/api/v1/referrals/{self.referral.pk}")
        self.assertEqual(response.status_code, 200)
        data = response.json()
        self.assertEqual(data["patient"]["name"], "María García")
        self.assertEqual(data["shared"], ["demographics"])
        for absent in ("contact", "concerns", "screenings", "patient_id", "patient_told", "concern_categories"):
            with self.subTest(absent=absent):
                self.assertNotIn(absent, data)
        text = response.content.decode()
        for hidden in ("505-555-0199", "12 Calle Secreta", "food-insecurity", "Food insecurity", "They will call"):
            with self.subTest(hidden=hidden):
                self.assertNotIn(hidden, text)
        withheld = {w["data_class"] for w in data["withheld"]}
        self.assertIn("Progress notes", " ".join(withheld) + " Progress notes")  # notes are always named
        self.assertGreaterEqual(len(withheld), 3)

    def test_contact_and_concerns_appear_when_allowed_but_never_a_confidential_address(self):
        self.consent.data_classes = ["demographics", "contact", "concerns"]
        self.consent.save()
        self.patient.address_confidential = True
        self.patient.save()
        data = self.call("pat", "get", f"/api/v1/referrals/{self.referral.pk}").json()
        self.assertEqual(data["contact"]["phone"], "505-555-0199")
        self.assertNotIn("address", data["contact"])
        self.assertIs(data["contact"]["address_withheld"], True)
        self.assertEqual(data["concerns"], ["Food insecurity"])
        self.assertNotIn("12 Calle Secreta", json.dumps(data))

    def test_a_revoked_consent_hides_the_patient_at_once(self):
        self.consent.revoked_at = timezone.now()
        self.consent.save()
        data = self.call("pat", "get", f"/api/v1/referrals/{self.referral.pk}").json()
        self.assertNotIn("patient", data)
        self.assertNotIn("María", json.dumps(data))

    def test_it_audits_one_read_per_response_with_the_patients(self):
        before = AuditEvent.objects.count()
        self.call("alice", "get", "/api/v1/referrals")
        events = list(AuditEvent.objects.order_by("id")[before:])
        self.assertEqual(len(events), 1)
        self.assertEqual(events[0].action, AuditAction.READ)
        self.assertEqual(events[0].detail["patients"], [str(self.patient.pk)])
        before = AuditEvent.objects.count()
        self.call("pat", "get", f"/api/v1/referrals/{self.referral.pk}")
        events = list(AuditEvent.objects.order_by("id")[before:])
        self.assertEqual(len(events), 1)
        self.assertEqual(events[0].patient_id, self.patient.pk)
        self.assertEqual(events[0].organization_id, self.org.pk)  # in the care organization's log

    def test_the_openapi_document_names_the_referral_endpoints(self):
        response = self.client.get("/api/v1/openapi.json")
        self.assertEqual(response.status_code, 200)
        paths = response.json()["paths"]
        for path in ("/api/v1/referrals", "/api/v1/referrals/{referral_id}", "/api/v1/referrals/{referral_id}/status"):
            with self.subTest(path=path):
                self.assertIn(path, paths)


class Isolation(ReferralApiTestCase):
    def test_another_partners_referral_is_not_found(self):
        for method, path, body in (
            ("get", f"/api/v1/referrals/{self.other_referral.pk}", None),
            ("post", f"/api/v1/referrals/{self.other_referral.pk}/status", {"status": "accepted"}),
            ("get", f"/api/v1/referrals/{self.draft.pk}", None),
        ):
            with self.subTest(path=path):
                self.assertEqual(self.call("pat", method, path, body).status_code, 404)
        self.other_referral.refresh_from_db()
        self.assertEqual(self.other_referral.status, "requested")

    def test_a_partner_token_cannot_reach_patients_or_screenings(self):
        for path in (f"/api/v1/patients/{self.patient.pk}", f"/api/v1/patients/{self.patient.pk}/screenings"):
            with self.subTest(path=path):
                response = self.call("pat", "get", path)
                self.assertEqual(response.status_code, 404)
                self.assertNotIn("García", response.content.decode())
        listed = self.call("pat", "get", "/api/v1/patients")
        self.assertEqual(listed.json()["items"], [])

    def test_other_organizations_and_roles_are_refused(self):
        self.assertEqual(self.call("olga", "get", f"/api/v1/referrals/{self.referral.pk}").status_code, 404)
        self.assertEqual(self.call("olga", "get", "/api/v1/referrals").json()["items"], [])
        self.assertEqual(self.call("charlie", "get", f"/api/v1/referrals/{self.referral.pk}").status_code, 404)
        for persona in ("carol", "ian"):
            with self.subTest(persona=persona):
                self.assertEqual(self.call(persona, "get", f"/api/v1/referrals/{self.referral.pk}").status_code, 403)

    def test_it_needs_the_scopes(self):
        _, key = create_api_token(self.pat, "no scopes", ["patients:read"])
        response = self.client.get("/api/v1/referrals", headers={"Authorization": f"Bearer {key}"})
        self.assertEqual(response.status_code, 403)
        _, key = create_api_token(self.pat, "read only", ["referrals:read"])
        response = self.client.post(
            f"/api/v1/referrals/{self.referral.pk}/status",
            json.dumps({"status": "accepted"}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {key}"},
        )
        self.assertEqual(response.status_code, 403)

    def test_a_partner_cannot_create_referrals_or_record_the_outcome(self):
        body = {"patient_id": str(self.patient.pk), "service_at_location_id": str(self.listing.pk)}
        self.assertEqual(self.call("pat", "post", "/api/v1/referrals", body).status_code, 403)
        outcome = {"outcome": "met"}
        path = f"/api/v1/referrals/{self.referral.pk}/outcome"
        self.assertEqual(self.call("pat", "post", path, outcome).status_code, 403)


class Lifecycle(ReferralApiTestCase):
    def test_the_partner_accepts_starts_holds_and_completes(self):
        steps = [("accepted", ""), ("in-progress", ""), ("on-hold", "Waiting for papers"), ("in-progress", "")]
        steps.append(("completed", "Food box delivered"))
        for status, reason in steps:
            with self.subTest(status=status):
                response = self.status("pat", self.referral, status, reason)
                self.assertEqual(response.status_code, 200, response.content)
                self.assertEqual(response.json()["status"], status)
        self.referral.refresh_from_db()
        self.assertEqual(self.referral.status_reason, "Food box delivered")
        self.assertEqual(self.referral.outcome, "")  # completed by the partner is not "need met"
        self.assertEqual(
            AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(self.referral.pk)).count(), 1 + 5
        )

    def test_illegal_transitions_are_refused_with_the_message(self):
        cases = [
            ("pat", "completed", "", "A referral that is Requested cannot become Completed."),
            ("pat", "entered-in-error", "x", "Only the referring organization can make this referral"),
            ("alice", "accepted", "", "Only the partner organization can make this referral"),
            ("pat", "rejected", "", "Please give a reason."),
            ("pat", "flying", "", "is not a referral status"),
        ]
        for persona, status, reason, message in cases:
            with self.subTest(persona=persona, status=status):
                response = self.status(persona, self.referral, status, reason)
                self.assertEqual(response.status_code, 409)
                self.assertIn(message, response.json()["detail"])
        self.referral.refresh_from_db()
        self.assertEqual(self.referral.status, "requested")

    def test_a_terminal_referral_stays_closed(self):
        self.assertEqual(self.status("pat", self.referral, "rejected", "No capacity").status_code, 200)
        response = self.status("pat", self.referral, "accepted")
        self.assertEqual(response.status_code, 409)
        self.assertIn("already Rejected", response.json()["detail"])

    def test_the_care_organization_sends_and_cancels(self):
        response = self.status("alice", self.draft, "requested")
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["status"], "requested")
        response = self.status("alice", self.draft, "cancelled", "Patient moved away")
        self.assertEqual(response.json()["status"], "cancelled")

    def test_sending_without_consent_is_refused(self):
        self.consent.revoked_at = timezone.now()
        self.consent.save()
        response = self.status("alice", self.draft, "requested")
        self.assertEqual(response.status_code, 409)
        self.assertIn("No consent allows sharing", response.json()["detail"])

    def test_the_worker_records_the_outcome(self):
        path = f"/api/v1/referrals/{self.referral.pk}/outcome"
        bad = self.call("alice", "post", path, {"outcome": "not_met"})
        self.assertEqual(bad.status_code, 422)
        self.assertIn("Say why the need was not met.", bad.json()["detail"])
        ok = self.call("alice", "post", path, {"outcome": "not_met", "reason": "waitlisted"})
        self.assertEqual(ok.status_code, 200)
        self.assertEqual((ok.json()["outcome"], ok.json()["outcome_reason"]), ("not_met", "waitlisted"))


class Idempotency(ReferralApiTestCase):
    def test_a_retried_status_update_is_a_no_op_with_the_same_result(self):
        first = self.status("pat", self.referral, "accepted", headers={"Idempotency-Key": "k-1"})
        self.assertEqual(first.status_code, 200)
        events = ReferralEvent.objects.filter(referral=self.referral).count()
        audits = AuditEvent.objects.filter(action=AuditAction.UPDATE).count()
        retry = self.status("pat", self.referral, "accepted", headers={"Idempotency-Key": "k-1"})
        self.assertEqual(retry.status_code, 200)
        self.assertEqual(retry.json()["status"], first.json()["status"])
        self.assertEqual(retry.json()["status_changed_at"], first.json()["status_changed_at"])
        self.assertEqual(ReferralEvent.objects.filter(referral=self.referral).count(), events)
        self.assertEqual(AuditEvent.objects.filter(action=AuditAction.UPDATE).count(), audits)

    def test_without_a_key_a_retry_is_refused(self):
        self.status("pat", self.referral, "accepted")
        response = self.status("pat", self.referral, "accepted")
        self.assertEqual(response.status_code, 409)

    def test_the_body_key_works_too_and_a_reused_key_is_refused(self):
        self.assertEqual(self.status("pat", self.referral, "accepted", idempotency_key="b-1").status_code, 200)
        self.assertEqual(self.status("pat", self.referral, "accepted", idempotency_key="b-1").status_code, 200)
        reused = self.status("pat", self.referral, "in-progress", idempotency_key="b-1")
        self.assertEqual(reused.status_code, 422)
        self.assertIn("idempotency_key", reused.json()["errors"])
        mismatch = self.status(
            "pat", self.referral, "in-progress", headers={"Idempotency-Key": "x"}, idempotency_key="y"
        )
        self.assertEqual(mismatch.status_code, 422)

    def test_a_retried_creation_makes_one_referral(self):
        body = {
            "patient_id": str(self.patient.pk),
            "service_at_location_id": str(self.listing.pk),
            "concern_ids": [str(self.concern.pk)],
            "patient_told": "Bring your ID.",
            "send": True,
        }
        before = Referral.objects.count()
        mail.outbox = []
        with self.captureOnCommitCallbacks(execute=True):
            first = self.call("alice", "post", "/api/v1/referrals", body, {"Idempotency-Key": "new-1"})
        self.assertEqual(first.status_code, 201, first.content)
        self.assertEqual(first.json()["status"], "requested")
        with self.captureOnCommitCallbacks(execute=True):
            retry = self.call("alice", "post", "/api/v1/referrals", body, {"Idempotency-Key": "new-1"})
        self.assertEqual(retry.status_code, 200)
        self.assertEqual(retry.json()["id"], first.json()["id"])
        self.assertEqual(Referral.objects.count(), before + 1)
        self.assertEqual(len(mail.outbox), 1)  # the partner was emailed once

    def test_creation_validates_through_the_referral_form(self):
        body = {"patient_id": str(self.patient.pk), "service_at_location_id": "no-such-service"}
        response = self.call("alice", "post", "/api/v1/referrals", body)
        self.assertEqual(response.status_code, 422)
        self.assertIn("service_at_location", response.json()["errors"])
        olga_body = {"patient_id": str(self.patient.pk), "service_at_location_id": str(self.listing.pk)}
        self.assertEqual(self.call("olga", "post", "/api/v1/referrals", olga_body).status_code, 404)
