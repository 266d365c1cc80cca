"""Pure rules behind search: folding and stems, distances, opening hours (table-driven, every boundary)."""

from datetime import datetime
from types import SimpleNamespace

from django.test import SimpleTestCase

from puente.directory import geo, hours
from puente.directory.text import document, fold, query_terms, tsquery


def sched(byday="MO,TU,WE,TH,FR", opens="09:00", closes="17:00", freq="WEEKLY", valid_from="", valid_to=""):
    return SimpleNamespace(
        byday=byday, opens_at=opens, closes_at=closes, freq=freq, valid_from=valid_from, valid_to=valid_to
    )


class TextRules(SimpleTestCase):
    def test_it_folds_case_and_accents(self):
        self.assertEqual(fold("Alimentación NIÑOS Énfasis"), "alimentacion ninos enfasis")

    def test_it_matches_word_forms_in_both_languages(self):
        doc = document("Food pantries and housing help", "Ayuda con vivienda y alimentos")
        for query in ("pantry", "Pantries", "house", "viviendas", "alimentación", "ALIMENTO"):
            with self.subTest(query=query):
                self.assertTrue(all(any(f" {s} " in doc for s in term) for term in query_terms(query)))
        self.assertFalse(any(f" {s} " in doc for term in query_terms("shelter") for s in term))

    def test_it_drops_stopwords_and_builds_a_safe_tsquery(self):
        terms = query_terms("help with the rent")
        self.assertEqual(len(terms), 2)
        self.assertRegex(tsquery(terms), r"^\([a-z0-9 |]+\) & \([a-z0-9 |]+\)$")
        self.assertEqual(query_terms("de la y"), [])


class GeoRules(SimpleTestCase):
    def test_it_geocodes_a_zip_offline_with_its_county(self):
        p = geo.zip_point("87501")
        self.assertEqual((p.city, p.county, p.county_name, p.state), ("Santa Fe", "Santa Fe County", "Santa Fe", "NM"))
        self.assertEqual(geo.zip_point("87501-1234").zip_code, "87501")

    def test_it_knows_no_bad_zip(self):
        for bad in ("", "8710", "abcde", "00000", "99999"):
            with self.subTest(bad=bad):
                self.assertIsNone(geo.zip_point(bad))

    def test_it_measures_great_circle_miles(self):
        # Hand-computed: one degree of latitude is 2πR/360 = 69.093 miles; Albuquerque–Santa Fe ≈ 57 miles.
        self.assertAlmostEqual(geo.distance_miles(35.0, -106.0, 36.0, -106.0), 69.093, places=2)
        self.assertAlmostEqual(geo.distance_miles(35.0844, -106.6504, 35.6870, -105.9378), 57.8, delta=1.0)
        self.assertEqual(geo.distance_miles(35.0, -106.0, 35.0, -106.0), 0.0)

    def test_it_boxes_every_point_of_the_circle(self):
        lo_lat, hi_lat, lo_lon, hi_lon = geo.bounding_box(35.0, -106.0, 15)
        for bearing_lat, bearing_lon in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            lat = 35.0 + bearing_lat * 15 / 69.093
            lon = -106.0 + bearing_lon * 15 / (69.093 * 0.8191)  # cos(35°)
            with self.subTest(lat=lat, lon=lon):
                self.assertTrue(lo_lat <= lat <= hi_lat and lo_lon <= lon <= hi_lon)


class HourRules(SimpleTestCase):
    # 2026-11-23 is a Monday.
    CASES = [
        ("before opening", datetime(2026, 11, 23, 8, 59, 59), False),
        ("at opening", datetime(2026, 11, 23, 9, 0, 0), True),
        ("mid-day", datetime(2026, 11, 23, 12, 0), True),
        ("last second", datetime(2026, 11, 23, 16, 59, 59), True),
        ("at closing", datetime(2026, 11, 23, 17, 0, 0), False),
        ("Saturday", datetime(2026, 11, 28, 12, 0), False),
        ("Friday", datetime(2026, 11, 27, 12, 0), True),
    ]

    def test_it_is_open_from_opens_at_until_closes_at(self):
        for label, moment, expected in self.CASES:
            with self.subTest(label):
                self.assertIs(hours.is_open([sched()], moment), expected)

    def test_it_reads_unpadded_and_seconds_clock_times(self):
        self.assertEqual(hours.clock("9:00"), "09:00:00")
        self.assertEqual(hours.clock("17:30:15"), "17:30:15")
        self.assertEqual(hours.clock("noon"), "")
        self.assertTrue(hours.is_open([sched(opens="9:00", closes="17:00:00")], datetime(2026, 11, 23, 9, 30)))

    def test_it_honours_valid_from_and_valid_to(self):
        monday = datetime(2026, 11, 23, 12, 0)
        for vf, vt, expected in (
            ("2026-11-23", "", True),
            ("2026-11-24", "", False),
            ("", "2026-11-23", True),
            ("", "2026-11-22", False),
        ):
            with self.subTest(valid_from=vf, valid_to=vt):
                self.assertIs(hours.is_open([sched(valid_from=vf, valid_to=vt)], monday), expected)

    def test_it_ignores_what_it_cannot_read(self):
        monday = datetime(2026, 11, 23, 12, 0)
        for bad in (sched(freq="MONTHLY"), sched(byday=""), sched(opens="18:00", closes="02:00"), sched(opens="")):
            with self.subTest(bad=bad):
                self.assertFalse(hours.is_open([bad], monday))

    def test_it_lists_openings_in_day_order_and_knows_open_days(self):
        rows = [sched(byday="SA", opens="10:00", closes="12:00"), sched(byday="TU,MO", opens="08:00", closes="16:00")]
        self.assertEqual([o.days for o in hours.openings(rows)], [("MO", "TU"), ("SA",)])
        self.assertTrue(hours.is_open_on(rows, "SA"))
        self.assertFalse(hours.is_open_on(rows, "SU"))
