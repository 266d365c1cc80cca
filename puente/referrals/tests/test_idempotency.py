"""A new partner referral (draft, or sent at once): the same form sent twice makes one referral."""

from django.urls import reverse

from puente.core.testing import CreateFormIdempotencyChecks, PersonaTestCase
from puente.referrals.models import Referral
from puente.referrals.tests.util import make_consent, make_listing


class DraftReferralOnce(CreateFormIdempotencyChecks, PersonaTestCase):
    action = "draft"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.listing = make_listing(cls.partner_org)
        make_consent(cls.patient, cls.alice, cls.partner_org)

    def create_url(self):
        return reverse("referrals:new", args=[self.patient.pk])

    def valid_data(self):
        return {"service_at_location": self.listing.pk, "priority": "routine", "action": self.action}

    def invalid_data(self):
        return {"service_at_location": "", "priority": "routine", "action": self.action}

    def created(self):
        return Referral.objects.filter(organization_id=self.org.pk, patient=self.patient)

    def expected_location(self, record):
        return reverse("referrals:detail", args=[record.pk])

    def test_the_preview_keeps_the_key_for_the_save_that_follows(self):
        key = self._open(self.writer)
        preview = self._send(self.writer, {**self.valid_data(), "action": "preview"}, key)
        self.assertContains(preview, "What the partner will see")
        self.assertEqual(preview.context["form"]["idempotency_key"].value(), key)
        self.assertFalse(self.created().exists())


class SentReferralOnce(DraftReferralOnce):
    action = "send"

    def test_a_referral_sent_twice_is_sent_once(self):
        key = self._open(self.writer)
        for _ in range(2):
            self._send(self.writer, self.valid_data(), key)
        referral = self.created().get()
        self.assertEqual(referral.status, "requested")
