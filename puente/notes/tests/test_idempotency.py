"""Starting a progress note: the same form sent twice (a double click, a browser retry) starts one draft."""

import threading
import time
import unittest
from unittest import mock

from django.db import connection
from django.test import TransactionTestCase
from django.urls import reverse

from puente.core.testing import CreateFormIdempotencyChecks, PersonaTestCase, make_org, make_patient, make_user
from puente.notes import services
from puente.notes.models import ProgressNote


class StartNoteOnce(CreateFormIdempotencyChecks, PersonaTestCase):
    def create_url(self):
        return reverse("notes:start", args=[self.patient.pk])

    def valid_data(self):
        return {"format": "dap", "contact_at": "2026-01-05T10:00"}

    def invalid_data(self):
        return {"format": "dap", "contact_at": "2999-01-05T10:00"}

    def created(self):
        return ProgressNote.objects.filter(organization_id=self.org.pk, patient=self.patient)

    def expected_location(self, record):
        return reverse("notes:edit", args=[record.pk])


@unittest.skipUnless(connection.vendor == "postgresql", "a real race needs PostgreSQL (SQLite serializes writers)")
class StartNoteRace(TransactionTestCase):
    def test_two_requests_with_the_same_key_at_once_start_one_draft(self):
        org = make_org()
        alice = make_user(org, name="Alice Worker")
        patient = make_patient(org)
        original = services._start_note

        def slow_start(*args):
            # Hold the first request's transaction open so the second one reaches the key while it is uncommitted.
            note = original(*args)
            time.sleep(0.3)
            return note

        barrier = threading.Barrier(2)
        results: list = []

        def start():
            try:
                barrier.wait()
                note = services.start_note(None, patient, "dap", user=alice, idempotency_key="same-key")
                results.append(note.pk)
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                results.append(exc)
            finally:
                connection.close()

        with mock.patch.object(services, "_start_note", slow_start):
            threads = [threading.Thread(target=start) for _ in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        self.assertEqual(len(results), 2)
        self.assertEqual(results[0], results[1], results)
        self.assertEqual(ProgressNote.objects.filter(organization_id=org.pk, patient=patient).count(), 1)
