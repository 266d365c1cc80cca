"""An HSDS import interrupted half-way writes nothing; running it again completes it."""

import json
import shutil
import tempfile
import uuid
from pathlib import Path
from unittest import mock

from django.test import TransactionTestCase

from puente.directory import models
from puente.directory.services import import_hsds_file

SERVICES = 12


class Crash(Exception):
    """Stands for the process dying mid-import (a kill, a lost connection)."""


def _service_list() -> dict:
    return {
        "contents": [
            {"id": str(uuid.uuid4()), "name": f"Pantry {n}", "status": "active", "description": "Food boxes."}
            for n in range(SERVICES)
        ]
    }


class ImportInterrupted(TransactionTestCase):
    """A TransactionTestCase so the import's own transaction really commits or rolls back."""

    def setUp(self):
        tmp = Path(tempfile.mkdtemp(prefix="puente-import-"))
        self.addCleanup(shutil.rmtree, tmp, True)
        self.file = tmp / "service_list.json"
        self.file.write_text(json.dumps(_service_list()))

    def test_it_writes_nothing_when_interrupted_and_completes_on_rerun(self):
        written = []

        def crash_half_way(done, total):
            written.append(done)
            if done >= total // 2:
                raise Crash

        # Small batches, so the import has really written some rows when it dies.
        with mock.patch("puente.directory.services.IMPORT_BATCH", 3), self.assertRaises(Crash):
            import_hsds_file(self.file, progress=crash_half_way)
        self.assertEqual(written, [0, 3, 6])  # it really was half-way through
        self.assertEqual(models.Service.objects.count(), 0)

        result = import_hsds_file(self.file)
        self.assertEqual(result.rejections, [])
        self.assertEqual(models.Service.objects.count(), SERVICES)
        self.assertEqual(models.Service.objects.exclude(search_document="").count(), SERVICES)
        # and a third run changes nothing: the import is idempotent by HSDS id
        again = import_hsds_file(self.file)
        self.assertEqual(sum(again.created.values()), 0)
        self.assertEqual(models.Service.objects.count(), SERVICES)
