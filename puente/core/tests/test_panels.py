"""Dashboard panels: a provider that shares the request's visible-patient queryset gets it; the others do not."""

from unittest import mock

from django.test import SimpleTestCase

from puente.core import panels
from puente.core.panels import Panel, panels_for, register


class PanelsFor(SimpleTestCase):
    def setUp(self):
        patcher = mock.patch.object(panels, "_PROVIDERS", [])
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_it_passes_the_shared_patients_only_to_providers_that_ask_for_them(self):
        seen = {}

        def plain(user):
            seen["plain"] = user
            return Panel("plain.html", {}, order=20)

        def sharing(user, *, patients=None):
            seen["sharing"] = (user, patients)
            return Panel("sharing.html", {}, order=10)

        register(plain)
        register(sharing, shares_patients=True)
        register(sharing, shares_patients=True)  # registered once, whatever the number of ready() calls
        patients = object()
        found = panels_for("alice", patients=patients)
        self.assertEqual([p.template for p in found], ["sharing.html", "plain.html"])
        self.assertEqual(seen, {"plain": "alice", "sharing": ("alice", patients)})

    def test_a_sharing_provider_builds_its_own_when_the_caller_has_none(self):
        calls = []

        def sharing(user, *, patients=None):
            calls.append(patients)

        register(sharing, shares_patients=True)
        self.assertEqual(panels_for("alice"), [])
        self.assertEqual(calls, [None])
