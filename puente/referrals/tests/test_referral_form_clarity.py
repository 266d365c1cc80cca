"""The referral form says plainly who receives the referral (the listing's partner organization), what happens
when a listing has no partner in Puente, and never names a service twice ("X — X")."""

from django.urls import reverse

from puente.core.testing import PersonaTestCase
from puente.directory import models as d
from puente.referrals.forms import ReferralForm
from puente.referrals.partner_view import service_place
from puente.referrals.tests.util import make_concern, make_consent, make_listing, make_referral


class ServicePlace(PersonaTestCase):
    def test_it_names_the_service_and_the_location_only_when_they_differ(self):
        cases = [
            ("Westside Pantry", "Westside Pantry", "Westside Pantry"),
            ("Westside Pantry", "westside pantry ", "Westside Pantry"),
            ("Westside Pantry", "", "Westside Pantry"),
            ("Westside Pantry", "Westside Pantry — Belen", "Westside Pantry — Belen"),
            ("Food boxes", "Main pantry", "Food boxes — Main pantry"),
            ("", "Main pantry", "Main pantry"),
        ]
        for service, location, expected in cases:
            with self.subTest(service=service, location=location):
                self.assertEqual(service_place(service, location), expected)


class RecipientOnTheForm(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.listing = make_listing(cls.partner_org)
        cls.concern = make_concern(cls.patient)
        cls.url = reverse("referrals:new", args=[cls.patient.pk])

    def setUp(self):
        self.client.force_login(self.alice)

    def test_a_service_chosen_in_the_search_names_the_partner_that_receives_the_referral(self):
        page = self.client.get(self.url, {"service": str(self.listing.pk)})
        self.assertContains(
            page,
            "This referral goes to <strong>Roadrunner Food Bank</strong>, the partner organization that keeps "
            "this listing in Puente.",
            html=True,
        )

    def test_the_preview_names_the_partner_too(self):
        make_consent(self.patient, self.alice, self.partner_org)
        data = {"service_at_location": self.listing.pk, "priority": "routine", "action": "preview"}
        page = self.client.post(self.url, data)
        self.assertIsNotNone(page.context["preview"])
        self.assertContains(page, "This referral goes to")
        self.assertContains(page, "Roadrunner Food Bank")

    def test_no_partner_is_named_before_a_service_is_chosen(self):
        page = self.client.get(self.url)
        self.assertNotContains(page, "This referral goes to")
        self.assertContains(page, "the referral goes to that partner")
        self.assertIsNone(ReferralForm(patient=self.patient).recipient)
        self.assertIsNone(ReferralForm({"service_at_location": "not-a-uuid"}, patient=self.patient).recipient)

    def test_a_listing_without_a_partner_says_it_cannot_go_electronically_and_what_to_do(self):
        lonely = make_listing(None, "Legal aid clinic")
        d.Phone.objects.create(service=lonely.service, number="505-555-0199")
        page = self.client.get(self.url, {"service": str(lonely.pk)})
        self.assertContains(
            page, "has no partner organization in Puente, so this referral can't be sent electronically."
        )
        self.assertContains(page, "Call them instead at 505-555-0199")
        self.assertContains(page, "write down what you arranged in a progress note")
        self.assertNotContains(page, "This referral goes to")
        # Without a phone it still says what to do.
        quiet = make_listing(None, "Quiet clinic")
        page = self.client.get(self.url, {"service": str(quiet.pk)})
        self.assertContains(page, "Call them instead (no phone is listed")


class NoServiceNamedTwice(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.listing = make_listing(cls.partner_org, "Westside Food Pantry")
        cls.listing.location.name = "Westside Food Pantry"
        cls.listing.location.save()
        cls.elsewhere = make_listing(cls.partner_org, "Rent help")

    def setUp(self):
        self.client.force_login(self.alice)

    def test_the_service_choices_name_a_location_only_when_it_differs(self):
        page = self.client.get(reverse("referrals:new", args=[self.patient.pk]))
        labels = dict(page.context["form"].fields["service_at_location"].choices)
        self.assertEqual(labels[self.listing.pk], f"Westside Food Pantry — {self.listing.service.organization.name}")
        self.assertEqual(
            labels[self.elsewhere.pk],
            f"Rent help — {self.elsewhere.location.name} — {self.elsewhere.service.organization.name}",
        )
        self.assertNotContains(page, "Westside Food Pantry — Westside Food Pantry")

    def test_the_referral_page_and_the_preview_show_the_service_once(self):
        make_consent(self.patient, self.alice, self.partner_org)
        referral = make_referral(self.patient, self.alice, self.listing, "requested")
        page = self.client.get(reverse("referrals:detail", args=[referral.pk]))
        self.assertContains(page, "<dd>Westside Food Pantry</dd>", html=True)
        self.assertNotContains(page, "Westside Food Pantry — Westside Food Pantry")
        page = self.client.post(
            reverse("referrals:new", args=[self.patient.pk]),
            {"service_at_location": self.elsewhere.pk, "priority": "routine", "action": "preview"},
        )
        self.assertContains(page, f"<dd>Rent help — {self.elsewhere.location.name}</dd>", html=True)
