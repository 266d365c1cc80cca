"""Curators edit a listing's main fields: administrators and the partner staff who curate it; everyone else is
refused. Audited with the changed field names; bad input is refused with translated errors, the text kept."""

from django.urls import reverse

from puente.accounts.models import Organization as CareOrganization
from puente.accounts.models import Role
from puente.audit.models import AuditEvent
from puente.core.testing import PersonaTestCase, make_org, make_user
from puente.directory import models as m
from puente.directory.search import SearchCriteria, search_services
from puente.directory.services import listing_values

from .helpers import make_listing

GOOD = {
    "name": "Westside Food Pantry",
    "description": "Weekly groceries and fresh produce.",
    "description_es": "Comestibles cada semana.",
    "phone": "505-555-0100",
    "hours_note": "",
    "eligibility_description": "",
    "fees_description": "",
    "languages": "en, es",
}


class ListingEdit(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.other_partner = make_org("Other Partner", CareOrganization.Kind.PARTNER)
        cls.pete = make_user(cls.other_partner, Role.PARTNER, name="Pete Otherpartner")
        cls.listing = make_listing(
            "Westside Food Pantry",
            description="Weekly groceries and fresh produce.",
            languages=["en", ("es", "Spanish")],
            curated_by=cls.partner_org,
        )
        m.Service.objects.filter(pk=cls.listing.pk).update(description_es="Comestibles cada semana.")

    def url(self):
        return reverse("directory:edit", args=[self.listing.pk])

    def post(self, user, **changes):
        self.client.force_login(user)
        return self.client.post(self.url(), {**GOOD, **changes})

    def test_it_shows_the_form_filled_to_curators_and_refuses_everyone_else(self):
        for user in (self.pat, self.ada):
            with self.subTest(user=user.full_name):
                self.client.force_login(user)
                response = self.client.get(self.url())
                self.assertContains(response, 'value="505-555-0100"')
                self.assertContains(response, 'value="en, es"')
                self.assertContains(response, "Comestibles cada semana.")
        for user in (self.pete, self.alice, self.carol, self.sam, self.ian, self.olga):
            with self.subTest(user=user.full_name):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.url()).status_code, 403)
                self.assertEqual(self.post(user, name="Hijacked").status_code, 403)
        self.listing.refresh_from_db()
        self.assertEqual(self.listing.name, "Westside Food Pantry")
        self.assertFalse(AuditEvent.objects.filter(detail__change="edited").exists())

    def test_it_saves_the_changed_fields_and_audits_their_names(self):
        response = self.post(
            self.pat,
            name="Westside Community Pantry",
            phone="505-555-0142",
            hours_note="Closed on holidays.",
            fees_description="Free",
            languages="es, en, nv",
        )
        self.assertRedirects(response, reverse("directory:service", args=[self.listing.pk]))
        self.listing.refresh_from_db()
        values = listing_values(self.listing)
        self.assertEqual(
            (values["name"], values["phone"], values["hours_note"], values["fees_description"]),
            ("Westside Community Pantry", "505-555-0142", "Closed on holidays.", "Free"),
        )
        self.assertEqual(sorted(values["languages"]), ["en", "es", "nv"])
        self.assertEqual(m.Language.objects.get(service=self.listing, code="nv").name, "Navajo (Diné)")
        event = AuditEvent.objects.filter(detail__change="edited").get()
        self.assertEqual((event.actor, event.object_id), (self.pat, str(self.listing.pk)))
        self.assertEqual(
            sorted(event.detail["fields"]), ["fees_description", "hours_note", "languages", "name", "phone"]
        )
        # The search document follows the edit, and the detail page shows the note.
        self.assertEqual(search_services(SearchCriteria(text="community")).total, 1)
        self.client.force_login(self.alice)
        self.assertContains(
            self.client.get(reverse("directory:service", args=[self.listing.pk])), "Closed on holidays."
        )

    def test_it_writes_and_audits_nothing_when_nothing_changed(self):
        response = self.post(self.ada, languages="es,en")
        self.assertRedirects(response, reverse("directory:service", args=[self.listing.pk]))
        self.assertFalse(AuditEvent.objects.filter(detail__change="edited").exists())

    def test_it_clears_the_phone_and_languages(self):
        self.post(self.ada, phone="", languages="")
        values = listing_values(self.listing)
        self.assertEqual((values["phone"], values["languages"]), ("", []))

    def test_it_refuses_bad_input_with_clear_errors_and_keeps_the_text(self):
        cases = [
            ({"name": ""}, "Enter the service&#x27;s name."),
            ({"phone": "call us"}, "Enter a phone number"),
            ({"languages": "en, Spanish!"}, "is not a language code"),
            ({"name": "x" * 301}, "Keep this under 300 characters."),
            ({"name": "<b>Pantry</b>"}, "HTML is not allowed here"),
        ]
        for changes, message in cases:
            with self.subTest(changes=changes):
                response = self.post(self.pat, description="My careful new text.", **changes)
                self.assertContains(response, message, status_code=400)
                self.assertContains(response, "My careful new text.", status_code=400)
        self.listing.refresh_from_db()
        self.assertEqual(self.listing.description, "Weekly groceries and fresh produce.")
        self.assertFalse(AuditEvent.objects.filter(detail__change="edited").exists())

    def test_it_offers_the_edit_link_to_curators_only(self):
        url = reverse("directory:service", args=[self.listing.pk])
        for user, sees in ((self.pat, True), (self.ada, True), (self.pete, False), (self.alice, False)):
            with self.subTest(user=user.full_name):
                self.client.force_login(user)
                self.assertIs(self.url() in self.client.get(url).content.decode(), sees)

    def test_it_shows_the_spanish_description_in_spanish(self):
        url = reverse("directory:service", args=[self.listing.pk])
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(url, headers={"accept-language": "en"}), "Weekly groceries")
        response = self.client.get(url, headers={"accept-language": "es"})
        self.assertContains(response, '<p lang="es">Comestibles cada semana.</p>', html=True)
        self.assertNotContains(response, "Weekly groceries")
