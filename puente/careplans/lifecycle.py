"""The care plan's status rules as tables. Pure: no Django models, only translated messages.

Goal (FHIR Goal.lifecycleStatus / achievementStatus, simplified for social work):
    proposed → active | cancelled
    active   → achieved | not_achieved | cancelled
    achieved, not_achieved, cancelled: final (a new attempt is a new goal, so the history stays honest).

Intervention (what the team does for a goal):
    planned     → in_progress | completed | cancelled
    in_progress → completed | cancelled
    completed, cancelled: final.

Health concern on the plan (FHIR Condition.clinicalStatus): active ⇄ inactive, either → resolved, and resolved →
active when the need comes back (a recurrence). Suggested and dismissed belong to screening (accept / dismiss).
"""

from django.utils.translation import gettext as _

GOAL_TRANSITIONS: dict[str, frozenset[str]] = {
    "proposed": frozenset({"active", "cancelled"}),
    "active": frozenset({"achieved", "not_achieved", "cancelled"}),
    "achieved": frozenset(),
    "not_achieved": frozenset(),
    "cancelled": frozenset(),
}

INTERVENTION_TRANSITIONS: dict[str, frozenset[str]] = {
    "planned": frozenset({"in_progress", "completed", "cancelled"}),
    "in_progress": frozenset({"completed", "cancelled"}),
    "completed": frozenset(),
    "cancelled": frozenset(),
}

CONCERN_TRANSITIONS: dict[str, frozenset[str]] = {
    "suggested": frozenset({"active"}),
    "active": frozenset({"inactive", "resolved"}),
    "inactive": frozenset({"active", "resolved"}),
    "resolved": frozenset({"active"}),
    "dismissed": frozenset(),
}

TABLES = {"goal": GOAL_TRANSITIONS, "intervention": INTERVENTION_TRANSITIONS, "concern": CONCERN_TRANSITIONS}


class IllegalTransition(Exception):
    """A status change the table refuses. The message is for the user."""

    def __init__(self, message: str, current: str, wanted: str):
        super().__init__(message)
        self.current = current
        self.wanted = wanted


def allowed(kind: str, current: str, wanted: str) -> bool:
    """True when `current → wanted` is in the table (staying in the same status is no transition, so allowed)."""
    table = TABLES[kind]
    if wanted not in table:
        return False
    return current == wanted or wanted in table.get(current, frozenset())


def next_statuses(kind: str, current: str) -> list[str]:
    """The current status first, then the statuses it may move to, in the table's order."""
    table = TABLES[kind]
    return [current, *[s for s in table if s in table.get(current, frozenset())]]


def check(kind: str, current: str, wanted: str, labels: dict[str, str] | None = None) -> None:
    """Raise IllegalTransition with a clear message when the change is not allowed."""
    if allowed(kind, current, wanted):
        return
    label = (labels or {}).get
    names = {"current": label(current, current), "wanted": label(wanted, wanted)}
    if not TABLES[kind].get(current):
        message = _("This is already “%(current)s”, a final status: it cannot change to “%(wanted)s”.") % names
    else:
        message = _("A “%(current)s” item cannot change to “%(wanted)s”.") % names
    raise IllegalTransition(message, current, wanted)
