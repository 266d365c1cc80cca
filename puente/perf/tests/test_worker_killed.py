"""A background worker killed mid-job: the job is put back by `requeue_stale_tasks` and completes exactly once.

Real processes: a `db_worker` subprocess on a throwaway SQLite file, killed with SIGKILL while the probe job
sleeps, then a second worker. (The test suite's own tasks backend runs jobs in the request, so only a real
worker shows what a dead one leaves behind.)
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import TestCase
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from puente.perf.recovery import requeue_stale_tasks

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")


def _manage(env, *args, **kwargs):
    return subprocess.run(
        [sys.executable, MANAGE, *args], env=env, check=True, capture_output=True, text=True, timeout=60, **kwargs
    )  # noqa: S603


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_it_retries_a_job_whose_worker_was_killed_and_completes_it_once():
    with tempfile.TemporaryDirectory(prefix="puente-worker-") as tmp:
        db, marker = Path(tmp) / "queue.sqlite3", Path(tmp) / "probe.out"
        env = {**os.environ, "PUENTE_MODE": "demo", "DATABASE_URL": f"sqlite:///{db}", "LOG_LEVEL": "WARNING"}
        _manage(env, "migrate", "django_tasks_database", "-v", "0")
        _manage(env, "shell", "-c", f"from puente.perf.jobs import probe; probe.enqueue({str(marker)!r}, 30)")

        worker = subprocess.Popen([sys.executable, MANAGE, "db_worker", "--interval", "0.1"], env=env)  # noqa: S603
        try:
            started = marker.with_name(marker.name + ".started")
            deadline = time.monotonic() + 30
            while not started.exists() and time.monotonic() < deadline:
                time.sleep(0.1)
            assert started.exists(), "the worker never started the job"
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)

        def status():
            with sqlite3.connect(db) as con:
                return con.execute("SELECT status, worker_ids FROM django_tasks_database_dbtaskresult").fetchall()

        assert [s for s, _ in status()] == ["RUNNING"]  # what django-tasks-db leaves: stuck, never retried
        assert not marker.exists()

        # A sweep with a limit longer than the job's age leaves it alone (it could be on a live worker)...
        assert "Requeued 0" in _manage(env, "requeue_stale_tasks", "--older-than", "30").stdout
        # ...one past the limit requeues it, and the next worker completes it.
        assert "Requeued 1" in _manage(env, "requeue_stale_tasks", "--older-than", "0").stdout
        _manage(env, "db_worker", "--batch", "--interval", "0.1")

        [(final, workers)] = status()
        assert final == "SUCCESSFUL"
        assert len(json.loads(workers)) == 2  # the dead worker's attempt and the one that finished
        assert marker.read_text() == "done\n"  # completed once


class RequeueRules(TestCase):
    def _job(self, status, started_minutes_ago):
        now = timezone.now()
        return DBTaskResult.objects.create(
            status=status,
            args_kwargs={"args": [], "kwargs": {}},
            task_path="puente.perf.jobs.probe",
            backend_name="default",
            run_after=now,
            started_at=now - timedelta(minutes=started_minutes_ago) if started_minutes_ago is not None else None,
        )

    def test_it_requeues_only_running_jobs_older_than_the_limit(self):
        cases = [
            ("RUNNING", 31, True),
            ("RUNNING", 29, False),  # may still be on a live worker
            ("READY", None, False),
            ("SUCCESSFUL", 60, False),
            ("FAILED", 60, False),
        ]
        jobs = [(self._job(status, age), status, expected) for status, age, expected in cases]
        requeued = set(requeue_stale_tasks(timedelta(minutes=30)))
        for job, status, expected in jobs:
            with self.subTest(status=status):
                self.assertEqual(str(job.pk) in requeued, expected)
                job.refresh_from_db()
                self.assertEqual(job.status, "READY" if expected else status)
