"""search_services: each filter alone and combined, distance ordering, Spanish text, paging, constant queries."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from puente.directory.search import SearchCriteria, UnknownZip, search_services

from .helpers import make_listing, make_term

ORIGIN = (35.0818, -106.6482)  # ZIP 87102's centre in the zipcodes data (Bernalillo County)
MONDAY_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo("America/Denver"))


def north(miles):
    """A point due north of the origin: one degree of latitude is 69.093 miles."""
    return (ORIGIN[0] + miles / 69.093, ORIGIN[1])


def names(page):
    return [r.service.name for r in page.results]


def find(**kw):
    kw.setdefault("now", MONDAY_NOON)
    return search_services(SearchCriteria(**kw))


class Filters(TestCase):
    @classmethod
    def setUpTestData(cls):
        food = make_term("Food pantries", "food-insecurity")
        shelter = make_term("Emergency shelter", "homelessness", "housing-instability")
        cls.pantry = make_listing(
            "Westside Food Pantry",
            description="Weekly groceries and fresh produce.",
            site=north(2),
            terms=[food],
            languages=["en", ("es", "Spanish")],
            schedules=[("MO,WE", "09:00", "13:00")],
            cost="Free",
            accessible=True,
            capacity="accepting",
        )
        cls.despensa = make_listing(
            "Despensa Comunitaria",
            description="Alimentos y comida caliente para familias.",
            site=north(6),
            terms=[food],
            languages=[("es", "Spanish")],
            schedules=[("SA", "08:00", "12:00")],
            capacity="waitlist",
        )
        cls.shelter = make_listing(
            "Casa Segura Shelter",
            description="Beds for adults, case management.",
            site=north(12),
            terms=[shelter],
            min_age=18,
            schedules=[("MO,TU,WE,TH,FR,SA,SU", "00:00", "24:00")],
            cost="Sliding scale by income",
            capacity="not_accepting",
        )
        cls.youth = make_listing(
            "Youth Housing Navigation",
            description="Housing help for young people.",
            min_age=14,
            max_age=24,
            areas=["Bernalillo County"],
            terms=[shelter],
        )
        cls.far = make_listing("Santa Fe Rent Help", description="Rent assistance.", site=(35.6870, -105.9378))
        cls.closed = make_listing("Old Pantry", description="Groceries.", site=north(1), status="inactive")
        cls.dropped = make_listing("Dropped Pantry", description="Groceries.", site=north(1), active=False)

    def test_it_shows_only_active_listings_by_name_without_filters(self):
        page = find()
        self.assertEqual(
            names(page),
            [
                "Casa Segura Shelter",
                "Despensa Comunitaria",
                "Santa Fe Rent Help",
                "Westside Food Pantry",
                "Youth Housing Navigation",
            ],
        )
        self.assertEqual(page.total, 5)

    def test_it_filters_by_need_through_the_taxonomy_bridge(self):
        self.assertEqual(names(find(need="food-insecurity")), ["Despensa Comunitaria", "Westside Food Pantry"])
        self.assertEqual(names(find(need="homelessness")), ["Casa Segura Shelter", "Youth Housing Navigation"])
        self.assertEqual(names(find(need="utility-insecurity")), [])
        self.assertEqual(
            names(find(need=("food-insecurity", "homelessness"))),
            ["Casa Segura Shelter", "Despensa Comunitaria", "Westside Food Pantry", "Youth Housing Navigation"],
        )

    def test_it_matches_free_text_with_stems_and_spanish_accents(self):
        cases = {
            "pantries": ["Despensa Comunitaria", "Westside Food Pantry"],  # the pantry's name, the term's name
            "alimentación": ["Despensa Comunitaria"],
            "COMIDAS calientes": ["Despensa Comunitaria"],
            "emergency": ["Casa Segura Shelter", "Youth Housing Navigation"],  # the taxonomy term's name
            "housing": ["Youth Housing Navigation"],
            "groceries produce": ["Westside Food Pantry"],
            "groceries zebra": [],
        }
        for text, expected in cases.items():
            with self.subTest(text=text):
                self.assertEqual(names(find(text=text)), expected)

    def test_it_sorts_by_distance_and_keeps_the_radius(self):
        page = find(zip_code="87102", radius_miles=15)
        self.assertEqual(
            names(page),
            ["Westside Food Pantry", "Despensa Comunitaria", "Casa Segura Shelter", "Youth Housing Navigation"],
        )
        got = [r.distance_miles for r in page.results]
        for distance, expected in zip(got[:3], (2, 6, 12), strict=True):
            self.assertAlmostEqual(distance, expected, delta=0.01)
        self.assertIsNone(got[3])
        self.assertTrue(page.results[3].covers_area)
        self.assertEqual(page.origin.county, "Bernalillo County")

    def test_it_counts_a_county_service_area_as_covering_and_excludes_beyond_the_radius(self):
        self.assertEqual(
            names(find(zip_code="87102", radius_miles=5)), ["Westside Food Pantry", "Youth Housing Navigation"]
        )
        santa_fe = find(zip_code="87501", radius_miles=5)
        self.assertEqual(names(santa_fe), ["Santa Fe Rent Help"])
        self.assertLess(santa_fe.results[0].distance_miles, 5)

    def test_it_ranks_everything_without_a_radius(self):
        page = find(zip_code="87102")
        self.assertEqual(names(page)[-2:], ["Santa Fe Rent Help", "Youth Housing Navigation"])
        self.assertAlmostEqual(page.results[3].distance_miles, 58, delta=2)

    def test_it_refuses_an_unknown_zip(self):
        with self.assertRaises(UnknownZip):
            find(zip_code="00000")

    def test_it_filters_by_language_code_or_name(self):
        self.assertEqual(names(find(language="es")), ["Despensa Comunitaria", "Westside Food Pantry"])
        self.assertEqual(names(find(language="Spanish")), ["Despensa Comunitaria", "Westside Food Pantry"])
        self.assertEqual(names(find(language="en")), ["Westside Food Pantry"])

    def test_it_filters_by_age_at_each_boundary(self):
        for age, expected_youth, expected_shelter in (
            (13, False, False),
            (14, True, False),
            (18, True, True),
            (24, True, True),
            (25, False, True),
        ):
            with self.subTest(age=age):
                got = names(find(age=age))
                self.assertIs("Youth Housing Navigation" in got, expected_youth)
                self.assertIs("Casa Segura Shelter" in got, expected_shelter)
                self.assertIn("Westside Food Pantry", got)  # no age limits

    def test_it_filters_by_cost(self):
        self.assertEqual(names(find(cost="free")), ["Westside Food Pantry"])
        self.assertEqual(names(find(cost="sliding")), ["Casa Segura Shelter"])

    def test_it_filters_open_now_and_open_on_a_day(self):
        self.assertEqual(names(find(open_now=True)), ["Casa Segura Shelter", "Westside Food Pantry"])
        evening = MONDAY_NOON.replace(hour=18)
        self.assertEqual(names(find(open_now=True, now=evening)), ["Casa Segura Shelter"])
        self.assertEqual(names(find(open_on="SA")), ["Casa Segura Shelter", "Despensa Comunitaria"])
        card = {r.service.name: r for r in find().results}
        self.assertTrue(card["Westside Food Pantry"].open_now)
        self.assertFalse(card["Despensa Comunitaria"].open_now)
        self.assertEqual(card["Westside Food Pantry"].hours_lines, ["Mon, Wed 09:00–13:00"])

    def test_it_filters_by_accessibility_and_capacity(self):
        self.assertEqual(names(find(accessible=True)), ["Westside Food Pantry"])
        self.assertEqual(names(find(capacity=("waitlist",))), ["Despensa Comunitaria"])
        self.assertEqual(
            names(find(capacity=("accepting", "waitlist"))), ["Despensa Comunitaria", "Westside Food Pantry"]
        )

    def test_it_combines_filters_with_and(self):
        page = find(need="food-insecurity", zip_code="87102", radius_miles=15, language="es", text="groceries")
        self.assertEqual(names(page), ["Westside Food Pantry"])
        self.assertEqual(
            names(find(need="food-insecurity", language="es", open_on="SA", capacity=("waitlist",))),
            ["Despensa Comunitaria"],
        )
        self.assertEqual(names(find(need="food-insecurity", cost="sliding")), [])


class Paging(TestCase):
    def test_it_pages_by_name_and_by_distance(self):
        for i in range(5):
            make_listing(f"Pantry {i}", site=north(5 - i), terms=[])
        by_name = find(per_page=2, page=2)
        self.assertEqual((names(by_name), by_name.total, by_name.pages), (["Pantry 2", "Pantry 3"], 5, 3))
        by_distance = find(zip_code="87102", radius_miles=25, per_page=2, page=3)
        self.assertEqual(names(by_distance), ["Pantry 0"])
        self.assertEqual(names(find(per_page=2, page=99)), ["Pantry 4"])  # past the end: the last page


class QueryCount(TestCase):
    def count(self, **kw):
        with CaptureQueriesContext(connection) as ctx:
            page = find(**kw)
        return len(ctx.captured_queries), len(page.results)

    def test_it_uses_the_same_number_of_queries_for_one_or_many_results(self):
        term = make_term("Food pantries", "food-insecurity")
        old = timezone.now() - timedelta(days=400)
        make_listing(
            "Pantry A",
            site=north(1),
            terms=[term],
            languages=["es"],
            schedules=[("MO", "09:00", "12:00")],
            verified=old,
        )
        for criteria in (
            {},
            {"zip_code": "87102", "radius_miles": 15, "need": "food-insecurity", "language": "es", "text": "pantry"},
        ):
            with self.subTest(criteria=criteria):
                one = self.count(**criteria)
                for i in range(6):
                    make_listing(
                        f"Pantry B{i}{len(criteria)}",
                        site=north(2 + i),
                        terms=[term],
                        languages=["es"],
                        schedules=[("MO", "09:00", "12:00")],
                        areas=["Bernalillo County"],
                    )
                many = self.count(**criteria)
                self.assertGreater(many[1], one[1])
                self.assertEqual(many[0], one[0])


class CardData(TestCase):
    """A search card reads its phones and schedules for the whole page at once (``load_cards``): it must show
    what the service's own page shows, the service's first and then each site's."""

    def test_a_card_shows_the_phone_and_hours_the_service_page_shows(self):
        from puente.directory import models as m
        from puente.directory.search import ServiceResult, detail_queryset

        plain = make_listing("Plain Pantry", site=north(1), phone="", schedules=[])
        sited = make_listing("Two Site Pantry", site=north(2), phone="", schedules=[])
        second = m.Location.objects.create(organization=sited.organization, latitude=north(3)[0], longitude=ORIGIN[1])
        second_sal = m.ServiceAtLocation.objects.create(service=sited, location=second)
        m.Phone.objects.create(location=second, number="505-555-0199")
        m.Schedule.objects.create(
            service_at_location=second_sal, freq="WEEKLY", byday="TU", opens_at="10:00", closes_at="14:00"
        )
        m.Schedule.objects.create(service=sited, freq="WEEKLY", byday="MO", opens_at="09:00", closes_at="12:00")
        own = make_listing(
            "Own Phone Pantry", site=north(4), phone="505-555-0123", schedules=[("FR", "08:00", "11:00")]
        )
        m.Phone.objects.create(location=own.service_at_locations.get().location, number="505-555-0177")
        for name, code in (("Spanish", "es"), ("", "nv"), ("English", "en")):  # a code alone when no name
            m.Language.objects.create(service=sited, name=name, code=code)
        m.CostOption.objects.create(service=sited, option="Sliding scale", amount_description="By income")
        m.CostOption.objects.create(service=sited, option="Free for veterans")

        cards = {r.service.name: r for r in find(zip_code="87102", radius_miles=10).results}
        self.assertEqual(set(cards), {"Plain Pantry", "Two Site Pantry", "Own Phone Pantry"})
        for service in (plain, sited, own):
            page = ServiceResult(service=detail_queryset().get(pk=service.pk))
            card = cards[service.name]
            with self.subTest(service=service.name):
                self.assertEqual(getattr(card.phone, "number", None), getattr(page.phone, "number", None))
                self.assertEqual(card.hours_lines, page.hours_lines)
                self.assertEqual(card.languages, page.languages)
                self.assertEqual(card.costs, page.costs)
                self.assertEqual([s.pk for s in card.sites], [s.pk for s in page.sites])
        self.assertEqual(cards["Two Site Pantry"].phone.number, "505-555-0199")  # a site's phone when it has none
        self.assertEqual(cards["Two Site Pantry"].hours_lines, ["Mon 09:00–12:00", "Tue 10:00–14:00"])
        self.assertEqual(cards["Own Phone Pantry"].phone.number, "505-555-0123")  # its own phone first
        self.assertIsNone(cards["Plain Pantry"].phone)
        self.assertEqual(cards["Two Site Pantry"].languages, ["nv", "English", "Spanish"])  # by name
        costs = sorted(cards["Two Site Pantry"].costs)  # by id, as the service page lists them: ids are random
        self.assertEqual(costs, [("Free for veterans", ""), ("Sliding scale", "By income")])
        self.assertEqual(cards["Plain Pantry"].languages, [])
