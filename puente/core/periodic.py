"""Periodic work on the database task queue, with no scheduler process.

A periodic job queues its own next run (`run_after`) before it does its work, so `manage.py db_worker` is the only
process `make run` needs; a job that fails does not end the chain. `schedule_once` refuses to queue a second run
while one is already waiting, so seeding twice, or a cron line beside the worker, never doubles the chain.
"""

from datetime import datetime, timedelta

from django.utils import timezone


def schedule_once(job, minutes: int, now: datetime | None = None, **kwargs) -> bool:
    """Queue `job(**kwargs)` to run `minutes` from now unless a run of it is already waiting. Returns whether it
    queued one."""
    if not job.get_backend().supports_defer:
        return False  # the immediate backend (tests) cannot run later; the commands run the work instead
    from django_tasks_db.models import DBTaskResult

    if DBTaskResult.objects.filter(task_path=job.module_path, status="READY").exists():
        return False
    job.using(run_after=(now or timezone.now()) + timedelta(minutes=minutes)).enqueue(**kwargs)
    return True
