"""The assignment suggestion (pure) on constructed teams, and the caseload targets' boundaries."""

from django.test import SimpleTestCase
from django.utils import translation

from puente.caseload import suggest, workload
from puente.caseload.suggest import Candidate, Need

NAMES = {"english": "en", "en": "en", "spanish": "es", "es": "es", "español": "es", "navajo": "nv", "diné": "nv"}


def worker(name, load, capacity=20, languages=("en",), counties=()):
    return Candidate(name, name, load, capacity, frozenset(languages), suggest.parse_counties(", ".join(counties)))


class Ranking(SimpleTestCase):
    # (case, need, team, expected order of names)
    CASES = [
        (
            "lighter load wins when nothing else differs",
            Need(language="en"),
            [worker("Ann", 15), worker("Ben", 5)],
            ["Ben", "Ann"],
        ),
        (
            "equal load and points: the name breaks the tie",
            Need(language="en"),
            [worker("Zoe", 10), worker("Ann", 10)],
            ["Ann", "Zoe"],
        ),
        (
            "a Spanish speaker beats a lighter English-only load",
            Need(language="es", language_label="Spanish"),
            [worker("Ann", 6), worker("Ben", 12, languages=("en", "es"))],
            ["Ben", "Ann"],
        ),
        (
            "the language bonus cannot rescue a worker far over target",
            Need(language="es", language_label="Spanish"),
            [worker("Ann", 6), worker("Ben", 36, languages=("es",))],
            ["Ann", "Ben"],
        ),
        (
            "territory breaks an otherwise even choice",
            Need(language="en", county="Sandoval"),
            [worker("Ann", 10, counties=["Bernalillo"]), worker("Ben", 10, counties=["Sandoval"])],
            ["Ben", "Ann"],
        ),
        (
            "interpreter need weighs language above territory",
            Need(language="nv", language_label="Navajo", interpreter_needed=True, county="McKinley"),
            [
                worker("Ann", 10, counties=["McKinley"]),
                worker("Ben", 10, languages=("en", "nv"), counties=["Bernalillo"]),
            ],
            ["Ben", "Ann"],
        ),
        (
            "a hospice target of 30 leaves more room than a hospital target of 20 at the same load",
            Need(language="en"),
            [worker("Ann", 15, capacity=20), worker("Ben", 15, capacity=30)],
            ["Ben", "Ann"],
        ),
        (
            "no target: compared with the fallback capacity",
            Need(language="en"),
            [worker("Ann", 15, capacity=None), worker("Ben", 5, capacity=None)],
            ["Ben", "Ann"],
        ),
    ]

    def test_it_ranks_constructed_teams(self):
        for case, need, team, expected in self.CASES:
            with self.subTest(case):
                self.assertEqual([r.candidate.name for r in suggest.rank(need, team)], expected)

    def test_it_explains_each_choice(self):
        need = Need(language="es", language_label="Spanish", interpreter_needed=True, county="Valencia")
        with translation.override("en"):
            best, other = suggest.rank(
                need,
                [
                    worker("Ann", 25, counties=["Bernalillo"]),
                    worker("Ben", 8, languages=("en", "es"), counties=["Valencia County"]),
                ],
            )
        self.assertEqual(best.reasons, ["Weighted load 8 of 20", "Speaks Spanish", "Covers Valencia County"])
        self.assertEqual(best.points, round(12 / 20 * 10 + 10 + 4, 1))
        self.assertEqual(
            other.reasons,
            [
                "Over target: weighted load 25 of 20",
                "Does not speak Spanish: an interpreter is needed",
                "Does not cover Valencia County",
            ],
        )
        self.assertLess(other.points, 0)

    def test_it_returns_nothing_for_an_empty_team(self):
        self.assertEqual(suggest.rank(Need(language="en"), []), [])

    def test_it_parses_free_text_languages_and_counties(self):
        for text, expected in [
            ("English, Spanish", {"en", "es"}),
            ("english; ESPAÑOL", {"en", "es"}),
            ("Diné and English", {"nv", "en"}),
            ("Klingon", set()),
            ("", set()),
        ]:
            with self.subTest(text=text):
                self.assertEqual(suggest.parse_languages(text, NAMES), frozenset(expected))
        self.assertEqual(suggest.parse_counties("Bernalillo County, Sandoval;  "), {"bernalillo", "sandoval"})


class Targets(SimpleTestCase):
    def test_it_places_a_load_against_its_target_at_each_boundary(self):
        hospital = workload.Target(None, 20)
        hospice = workload.Target(20, 30)
        for load, target, expected in [
            (20, hospital, workload.WITHIN),
            (20.5, hospital, workload.OVER),
            (0, hospital, workload.WITHIN),
            (19.5, hospice, workload.UNDER),
            (20, hospice, workload.WITHIN),
            (30, hospice, workload.WITHIN),
            (30.5, hospice, workload.OVER),
            (5, workload.Target(None, None), workload.UNSET),
            (5, workload.Target(10, None), workload.UNDER),
        ]:
            with self.subTest(load=load, target=target):
                self.assertEqual(workload.standing(load, target), expected)

    def test_it_defaults_the_target_by_the_teams_main_setting(self):
        for seen, group, target in [
            (["inpatient", "emergency", "hospice"], workload.HOSPITAL, workload.Target(None, 20)),
            (["hospice", "hospice", "inpatient"], workload.HOSPICE, workload.Target(20, 30)),
            (["hospice", "inpatient"], workload.HOSPITAL, workload.Target(None, 20)),  # tie → hospital
            (["home_health"], workload.HOME_HEALTH, workload.Target(None, None)),
            ([], None, workload.Target(None, None)),
        ]:
            with self.subTest(seen=seen):
                self.assertEqual(workload.main_group(seen), group)
                self.assertEqual(workload.default_target(group), target)

    def test_it_describes_targets(self):
        with translation.override("en"):
            self.assertEqual(workload.Target(20, 30).describe(), "20–30")
            self.assertEqual(workload.Target(None, 20).describe(), "up to 20")
            self.assertEqual(workload.Target(5, None).describe(), "at least 5")
            self.assertEqual(workload.Target(None, None).describe(), "no target set")
