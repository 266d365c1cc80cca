"""Need and language as full-text facet words: the near-a-ZIP search (candidates checked in Python) and the
search without a ZIP (the database's full-text engine) give the same answers; the words follow every change."""

import itertools
from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

from django.test import TestCase

from puente.accounts.models import Role
from puente.core.testing import make_org, make_user
from puente.directory import bridge
from puente.directory import models as m
from puente.directory.geo import bounding_box
from puente.directory.search import SearchCriteria, search_services
from puente.directory.services import edit_listing, listing_values, refresh_search_documents
from puente.directory.text import (
    box_cells,
    cell_word,
    document,
    facet_terms,
    facet_words,
    language_word,
    query_terms,
)

from .helpers import make_listing, make_term

ORIGIN = (35.0818, -106.6482)  # ZIP 87102
MONDAY_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo("America/Denver"))


def north(miles):
    return (ORIGIN[0] + miles / 69.093, ORIGIN[1])


def names(**kw):
    kw.setdefault("now", MONDAY_NOON)
    return sorted(r.service.name for r in search_services(SearchCriteria(per_page=100, **kw)).results)


class FacetWords(TestCase):
    def test_typed_text_can_never_spell_a_facet_word(self):
        self.assertEqual(query_terms("zzfles zzftabc"), [])
        self.assertNotIn(language_word("es"), document("Servicios zzfles en español"))
        self.assertIn(f" {language_word('es')} ", document("Servicios", facets=facet_words(["es"], [])))

    def test_a_language_is_matched_by_code_or_name_in_any_case_or_accent(self):
        words = facet_words(["es", "Español", "", None, "American Sign Language"], [])
        self.assertEqual(words, ["zzfles", "zzflespanol", "zzflamericansignlanguage"])
        self.assertEqual(language_word("ESPAÑOL"), language_word("espanol"))

    def test_a_language_named_without_latin_letters_still_names_that_language(self):
        russian, chinese = language_word("Русский"), language_word("中文")
        self.assertTrue(russian.startswith("zzfu") and chinese.startswith("zzfu"))
        self.assertNotEqual(russian, chinese)
        self.assertEqual(language_word(" РУССКИЙ "), russian)
        self.assertEqual(facet_terms("Русский"), [frozenset({russian})])
        self.assertEqual(language_word("   "), "")

    def test_a_need_bridged_to_no_term_is_a_term_nothing_matches(self):
        self.assertEqual(facet_terms("", []), [frozenset()])
        self.assertEqual(facet_terms("", None), [])
        self.assertEqual(facet_terms("  "), [])


class PlaceWords(TestCase):
    def test_every_point_of_a_box_lies_in_one_of_the_box_cells(self):
        # Boxes around points on both sides of cell edges, of the equator and of the prime meridian.
        for lat, lon, miles in itertools.product((35.0, 35.0818, -0.1, 0.0), (-106.75, -106.6482, 0.1), (1, 15, 60)):
            box = bounding_box(lat, lon, miles)
            cells = box_cells(*box)
            with self.subTest(lat=lat, lon=lon, miles=miles):
                for f_lat, f_lon in itertools.product((0, 0.25, 0.5, 0.999, 1), repeat=2):
                    point = (box[0] + f_lat * (box[1] - box[0]), box[2] + f_lon * (box[3] - box[2]))
                    self.assertIn(cell_word(*point), cells)
                self.assertNotIn(cell_word(box[1] + 0.3, lon), cells)

    def test_place_words_are_facet_words_of_located_sites_only(self):
        words = facet_words([], [], [(35.0818, -106.6482), (None, -106.0), (35.0818, -106.6482)])
        self.assertEqual(words, [cell_word(35.0818, -106.6482)])
        self.assertRegex(words[0], r"^zzfg[0-9m]+x[0-9m]+$")
        self.assertEqual(query_terms(words[0]), [])  # typed text cannot ask for a place

    def test_a_huge_radius_asks_for_no_place_word(self):
        self.assertIsNone(box_cells(*bounding_box(35.0, -106.0, 2000)))

    def test_a_moved_site_is_found_where_it_now_is(self):
        service = make_listing("Moving Pantry", description="Groceries", site=north(2))
        location = service.service_at_locations.get().location
        location.latitude, location.longitude = 35.6870, -105.9378  # Santa Fe
        location.save()
        refresh_search_documents([service.id])
        self.assertEqual(names(zip_code="87102", radius_miles=15), [])
        self.assertEqual(names(zip_code="87501", radius_miles=15), ["Moving Pantry"])


class BothPathsAgree(TestCase):
    """Every need/language/text combination: the radius search (Python check of candidates) finds exactly the
    near listings the search without a ZIP (full-text index) finds."""

    @classmethod
    def setUpTestData(cls):
        food = make_term("Food pantries", "food-insecurity")
        rides = make_term("Medical rides", "transportation-insecurity")
        make_listing("Westside Food Pantry", description="Groceries", site=north(2), terms=[food], languages=["en"])
        make_listing("Despensa", description="Alimentos", site=north(4), terms=[food], languages=[("es", "Spanish")])
        make_listing("Ride Line", description="Rides to clinics", site=north(6), terms=[rides, food])
        make_listing("No Terms Pantry", description="Groceries", site=north(8), languages=["es", "vi"])
        site_spoken = make_listing("Clinic Rides", description="Rides", site=north(3), terms=[rides])
        location = site_spoken.service_at_locations.get().location
        m.Language.objects.create(location=location, code="es", name="Spanish")
        refresh_search_documents([site_spoken.id])

    def test_the_two_paths_give_the_same_services(self):
        needs = ["", "food-insecurity", "transportation-insecurity", ("food-insecurity", "transportation-insecurity")]
        needs.append("utility-insecurity")  # bridged to nothing here
        languages = ["", "es", "Spanish", "en", "vi", "fr"]
        texts = ["", "groceries", "alimentos", "rides"]
        for need, language, text in itertools.product(needs, languages, texts):
            with self.subTest(need=need, language=language, text=text):
                criteria = {"need": need, "language": language, "text": text}
                self.assertEqual(names(**criteria), names(zip_code="87102", radius_miles=15, **criteria))

    def test_a_box_too_large_for_place_words_finds_the_same_services(self):
        with mock.patch("puente.directory.text.MAX_CELLS", 0):
            self.test_the_two_paths_give_the_same_services()

    def test_a_language_named_in_another_script_filters_instead_of_being_ignored(self):
        service = make_listing("Russian Line", description="Help", site=north(5), languages=[("ru", "Русский")])
        self.assertEqual(names(language="Русский"), ["Russian Line"])
        self.assertEqual(names(language="Русский", zip_code="87102", radius_miles=15), ["Russian Line"])
        self.assertEqual(names(language="中文"), [])
        self.assertEqual(service.search_document.count("zzfu"), 1)

    def test_a_language_spoken_at_the_site_counts_for_the_service(self):
        self.assertIn("Clinic Rides", names(language="es", zip_code="87102", radius_miles=15))
        self.assertIn("Clinic Rides", names(language="Spanish"))


class WordsFollowChanges(TestCase):
    def setUp(self):
        self.food = make_term("Food pantries", "food-insecurity")
        self.service = make_listing("Pantry", description="Groceries", site=north(2), terms=[self.food])
        self.admin = _admin()

    def test_a_bridge_edit_changes_the_near_search_at_once(self):
        near = {"zip_code": "87102", "radius_miles": 15}
        self.assertEqual(names(need="food-insecurity", **near), ["Pantry"])
        self.assertEqual(names(need="financial-insecurity", **near), [])
        bridge.add_term_category(None, self.food, "financial-insecurity", user=self.admin)
        self.assertEqual(names(need="financial-insecurity", **near), ["Pantry"])
        bridge.remove_term_category(None, self.food, "food-insecurity", user=self.admin)
        self.assertEqual(names(need="food-insecurity", **near), [])
        self.assertEqual(names(need="food-insecurity"), [])

    def test_a_curator_edit_of_the_languages_changes_both_searches(self):
        values = listing_values(self.service)
        edit_listing(None, self.service, {**values, "languages": ["es"]}, user=self.admin)
        self.assertEqual(names(language="es"), ["Pantry"])
        self.assertEqual(names(language="es", zip_code="87102", radius_miles=15), ["Pantry"])
        edit_listing(None, self.service, {**values, "languages": ["en"]}, user=self.admin)
        self.assertEqual(names(language="es"), [])
        self.assertEqual(names(language="es", zip_code="87102", radius_miles=15), [])


def _admin():
    return make_user(make_org(), Role.ADMIN, name="Ada Admin")
