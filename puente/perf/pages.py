"""The pages the benchmark measures: a registry, so that a new page is one line.

    Page("care_plan", "worker", "careplans:plan", args=lambda c: [c.patient.pk]),

`persona` is who opens it (a user the bench context picks from the generated data set: `worker` — a social
worker with a caseload of 40 —, `supervisor` — that worker's team supervisor —, `admin`, `partner`); `args`,
`query` and `post` build the request from the context. A page whose URL name does not exist yet, or whose
persona the data set lacks, is reported as skipped with the reason, not silently dropped.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class Page:
    name: str
    persona: str
    url_name: str
    args: Callable[[Any], list] | None = None
    query: Callable[[Any], dict] | None = None
    post: Callable[[Any], dict] | None = None
    target_ms: float | None = 100  # p95 server time the issue asks for; None for the floor
    ok_statuses: tuple[int, ...] = (200,)

    def url(self, ctx) -> str:
        return reverse(self.url_name, args=self.args(ctx) if self.args else [])

    def skip_reason(self, ctx) -> str | None:
        if getattr(ctx, self.persona, None) is None:
            return f"no {self.persona} in the data set"
        try:
            self.url(ctx)
        except NoReverseMatch:
            return f"{self.url_name} does not exist yet"
        return None


def phq9_answers(ctx) -> dict:
    """A PHQ-9 with a mid-range score (no item 9: no crisis alert), a new idempotency key each time so that
    every request really scores and stores a screening."""
    items = ["44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3"]
    answers = {f"q:{code}": "LA6569-3" for code in items} | {"q:44260-8": "LA6568-5", "q:69722-7": "LA6573-5"}
    return answers | {"mode": "in_person", "idempotency_key": uuid.uuid4().hex}


DIRECTORY_ZIP = "87102"

FLOOR = Page("floor", "worker", "perf:floor", query=lambda c: {"id": str(c.patient.pk)}, target_ms=None)

PAGES: list[Page] = [
    Page("worker dashboard", "worker", "episodes:dashboard", target_ms=50),
    Page("patient page", "worker", "patients:detail", args=lambda c: [c.patient.pk]),
    Page(
        "screening submit",
        "worker",
        "screening:new",
        args=lambda c: [c.patient.pk, "phq9"],
        post=phq9_answers,
        ok_statuses=(302,),
    ),
    Page(
        "directory search",
        "worker",
        "directory:search",
        # A fixed ZIP (Albuquerque, where the demo directory is and where generate_scale clusters part of its
        # directory): the patient's own ZIP finds nothing in one data set and something in the other, and an empty
        # page runs fewer queries than a full one.
        query=lambda c: {
            "need": "food-insecurity",
            "zip": DIRECTORY_ZIP,
            "radius": "15",
            "language": "es",
            "q": "food",
        },
        target_ms=50,
    ),
    Page("referral list", "worker", "referrals:mine"),
    Page("partner referral list", "partner", "referrals:partner_list"),
    Page("supervisor team page", "supervisor", "caseload:team"),
    Page("audit viewer, filtered", "admin", "audit:list", query=lambda c: {"patient": str(c.patient.pk)}),
    Page("patient list", "worker", "patients:list"),
    Page("progress notes", "worker", "notes:list", args=lambda c: [c.patient.pk]),
]
