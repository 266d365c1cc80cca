"""Put back in the queue the jobs a dead worker left "running".

django-tasks-db marks a job RUNNING when a worker claims it and only a live worker ever moves it on. A
worker killed mid-job (OOM killer, host reboot, `kill -9`) leaves the job RUNNING for ever: it is never
retried and never reported failed (checked against django-tasks-db 0.13's `db_worker` and `DBTaskResult`).
The honest minimum is a sweep: a job that has been running for longer than any job can take is taken to be
orphaned and set READY again, so the next worker runs it.

That is only safe if (1) the age limit is longer than the longest job — a job still running on a live worker
must not be started twice — and (2) every job is idempotent or transactional, since a job killed half-way
may have done part of its work outside a transaction. Puente's jobs: `email_notification` skips a
notification already marked emailed, but a kill between sending and marking sends the (PHI-free) email twice
— at least once, not exactly once; `clock_sweep` refuses to queue a second chain. Run it on a timer beside the worker
(`manage.py requeue_stale_tasks --older-than 30`), like the other periodic commands.
"""

from datetime import timedelta

from django.db import transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult


@transaction.atomic
def requeue_stale_tasks(older_than: timedelta, *, now=None) -> list[str]:
    """Set READY every job RUNNING since before `now - older_than`; return their ids."""
    cutoff = (now or timezone.now()) - older_than
    stale = DBTaskResult.objects.select_for_update().filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff)
    ids = [str(pk) for pk in stale.values_list("pk", flat=True)]
    # run_after is left as it was: the job was due already. worker_ids keeps the dead worker's id, so the
    # result shows both attempts.
    DBTaskResult.objects.filter(pk__in=ids).update(status=TaskResultStatus.READY, started_at=None)
    return ids
