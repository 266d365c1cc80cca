"""A probe job for the fault tests: the worker-killed-mid-job test enqueues it in a real `db_worker`.

It does its work in two visible steps so that a test can kill the worker between them: it writes
`<path>.started`, sleeps (on the first attempt only, so the retry is quick), then appends one line to
`<path>`. "Completed once" is then `<path>` holding exactly one line, whatever happened to the workers.
"""

import time
from pathlib import Path

from django.tasks import task


@task()
def probe(path: str, seconds: float) -> str:
    target = Path(path)
    started = target.with_name(target.name + ".started")
    first_attempt = not started.exists()
    started.write_text("started\n")
    if first_attempt:
        time.sleep(seconds)
    with target.open("a") as out:
        out.write("done\n")
    return "done"
