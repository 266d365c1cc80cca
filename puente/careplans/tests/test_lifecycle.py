"""The status tables, every pair of statuses: the legal changes pass, every other one is refused with a message."""

from django.test import SimpleTestCase

from puente.careplans import lifecycle

LEGAL = {
    "goal": {
        ("proposed", "active"),
        ("proposed", "cancelled"),
        ("active", "achieved"),
        ("active", "not_achieved"),
        ("active", "cancelled"),
    },
    "intervention": {
        ("planned", "in_progress"),
        ("planned", "completed"),
        ("planned", "cancelled"),
        ("in_progress", "completed"),
        ("in_progress", "cancelled"),
    },
    "concern": {
        ("suggested", "active"),
        ("active", "inactive"),
        ("active", "resolved"),
        ("inactive", "active"),
        ("inactive", "resolved"),
        ("resolved", "active"),
    },
}
FINAL = {
    "goal": {"achieved", "not_achieved", "cancelled"},
    "intervention": {"completed", "cancelled"},
    "concern": {"dismissed"},
}


class Lifecycle(SimpleTestCase):
    def test_it_allows_exactly_the_legal_transitions(self):
        for kind, table in lifecycle.TABLES.items():
            for current in table:
                for wanted in table:
                    legal = current == wanted or (current, wanted) in LEGAL[kind]
                    with self.subTest(kind=kind, current=current, wanted=wanted):
                        self.assertEqual(lifecycle.allowed(kind, current, wanted), legal)
                        if legal:
                            lifecycle.check(kind, current, wanted)
                        else:
                            with self.assertRaises(lifecycle.IllegalTransition) as ctx:
                                lifecycle.check(kind, current, wanted, {current: "Now", wanted: "Wanted"})
                            self.assertIn("“Wanted”", str(ctx.exception))
                            self.assertIn("“Now”", str(ctx.exception))

    def test_it_names_final_statuses_as_final(self):
        for kind, finals in FINAL.items():
            for status in finals:
                with self.subTest(kind=kind, status=status):
                    self.assertEqual(lifecycle.next_statuses(kind, status), [status])
                    other = next(s for s in lifecycle.TABLES[kind] if s != status)
                    with self.assertRaisesRegex(lifecycle.IllegalTransition, "final status"):
                        lifecycle.check(kind, status, other)

    def test_it_refuses_unknown_statuses(self):
        self.assertFalse(lifecycle.allowed("goal", "active", "on-hold"))
        self.assertFalse(lifecycle.allowed("intervention", "planned", "draft"))

    def test_next_statuses_lists_the_current_one_first_then_the_legal_ones(self):
        self.assertEqual(lifecycle.next_statuses("goal", "proposed"), ["proposed", "active", "cancelled"])
        self.assertEqual(
            lifecycle.next_statuses("intervention", "planned"), ["planned", "in_progress", "completed", "cancelled"]
        )
        self.assertEqual(lifecycle.next_statuses("concern", "active"), ["active", "inactive", "resolved"])
