"""The demo directory: loads idempotently, is synthetic, and exercises every search filter."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.test import TestCase

from puente.accounts.models import Organization as CareOrganization
from puente.directory import models as m
from puente.directory.demo import SERVICES, load_demo_directory
from puente.directory.search import SearchCriteria, search_services

MONDAY_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo("America/Denver"))


class DemoDirectory(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.partner = CareOrganization.objects.create(name="Pantry", slug="roadrunner-pantry", kind="partner")
        load_demo_directory()

    def test_it_loads_about_150_services_and_is_idempotent(self):
        counts = [m.Service.objects.count(), m.Location.objects.count(), m.Attribute.objects.count()]
        self.assertGreaterEqual(counts[0], 140)
        self.assertEqual(load_demo_directory(), len(SERVICES))
        self.assertEqual([m.Service.objects.count(), m.Location.objects.count(), m.Attribute.objects.count()], counts)

    def test_it_is_marked_synthetic_with_fictional_numbers(self):
        self.assertFalse(m.Organization.objects.exclude(name__endswith="(demo)").exists())
        self.assertFalse(m.Service.objects.exclude(name__endswith="(demo)").exists())
        self.assertFalse(m.Address.objects.exclude(address_1__endswith="(demo address)").exists())
        for number in m.Phone.objects.values_list("number", flat=True):
            self.assertRegex(number, r"^505-555-01\d\d$")

    def test_it_links_curated_providers_to_partner_organizations(self):
        self.assertEqual(
            list(m.Organization.objects.filter(curated_by=self.partner).values_list("name", flat=True)),
            ["Sandia Mesa Food Network (demo)"],
        )

    def test_it_has_stale_waitlisted_and_spanish_listings_in_every_town(self):
        self.assertGreaterEqual(m.Service.objects.stale().count(), 5)
        self.assertGreaterEqual(m.Service.objects.filter(capacity_status="waitlist").count(), 5)
        for zip_code, town in (
            ("87102", "Albuquerque"),
            ("87124", "Rio Rancho"),
            ("87031", "Los Lunas"),
            ("87035", "Moriarty"),
        ):
            with self.subTest(town=town):
                page = search_services(
                    SearchCriteria(zip_code=zip_code, radius_miles=10, language="es", now=MONDAY_NOON)
                )
                self.assertGreater(page.total, 0)

    def test_it_answers_a_typical_search(self):
        page = search_services(
            SearchCriteria(
                need="food-insecurity",
                zip_code="87105",
                radius_miles=15,
                language="es",
                text="despensa",
                now=MONDAY_NOON,
            )
        )
        self.assertIn("Sandia Mesa Community Pantry (demo)", [r.service.name for r in page.results])
        for need in (
            "utility-insecurity",
            "transportation-insecurity",
            "intimate-partner-violence",
            "financial-insecurity",
            "housing-instability",
        ):
            with self.subTest(need=need):
                self.assertGreater(search_services(SearchCriteria(need=need)).total, 0)

    def test_it_covers_four_counties_with_english_and_spanish_descriptions(self):
        counties = {a.split(" County")[0] for a in m.ServiceArea.objects.values_list("name", flat=True)}
        self.assertEqual(counties, {"Bernalillo", "Sandoval", "Valencia", "Torrance"})
        self.assertFalse(m.Service.objects.filter(description="").exists())
        self.assertFalse(m.Service.objects.filter(description_es="").exists())
        self.assertGreaterEqual(m.Language.objects.exclude(code__in=["en", "es"]).values("code").distinct().count(), 4)
        for need in ("food-insecurity", "utility-insecurity", "transportation-insecurity", "stress", "language-access"):
            with self.subTest(need=need):
                self.assertGreaterEqual(m.Service.objects.addressing(need).count(), 5)

    def test_it_finds_spanish_descriptions_by_text(self):
        page = search_services(SearchCriteria(text="estampillas", zip_code="87031", radius_miles=25))
        self.assertGreater(page.total, 0)
        self.assertIn("Benefits Enrollment Help", page.results[0].service.name)
