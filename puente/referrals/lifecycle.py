"""The referral status lifecycle: the Gravity SDOHCC Task for Referral Management state machine (standards.md §6.2).

Pure: no ORM. The table says which transitions exist and which side may make each: the requester (the care
organization that sent the referral) or the target (the partner that performs it).

  draft → requested
  requested → accepted | rejected | cancelled
  accepted → in-progress | on-hold | completed | failed | cancelled
  in-progress ⇄ on-hold; in-progress, on-hold → completed | failed | cancelled
  any → entered-in-error (the requester)
Terminal: rejected, cancelled, completed, failed, entered-in-error. (`ready` and `received` are not in the
referral value set and do not exist here.)
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DRAFT = "draft"
REQUESTED = "requested"
ACCEPTED = "accepted"
REJECTED = "rejected"
CANCELLED = "cancelled"
IN_PROGRESS = "in-progress"
ON_HOLD = "on-hold"
COMPLETED = "completed"
FAILED = "failed"
ENTERED_IN_ERROR = "entered-in-error"

STATUSES = (DRAFT, REQUESTED, ACCEPTED, REJECTED, CANCELLED, IN_PROGRESS, ON_HOLD, COMPLETED, FAILED, ENTERED_IN_ERROR)
LABELS = {
    DRAFT: gettext_lazy("Draft"),
    REQUESTED: gettext_lazy("Requested"),
    ACCEPTED: gettext_lazy("Accepted"),
    REJECTED: gettext_lazy("Rejected"),
    CANCELLED: gettext_lazy("Cancelled"),
    IN_PROGRESS: gettext_lazy("In progress"),
    ON_HOLD: gettext_lazy("On hold"),
    COMPLETED: gettext_lazy("Completed"),
    FAILED: gettext_lazy("Failed"),
    ENTERED_IN_ERROR: gettext_lazy("Entered in error"),
}
TERMINAL = frozenset({REJECTED, CANCELLED, COMPLETED, FAILED, ENTERED_IN_ERROR})
# Statuses in which the partner is working on it (a referral "open" at the partner).
OPEN_AT_PARTNER = frozenset({REQUESTED, ACCEPTED, IN_PROGRESS, ON_HOLD})

REQUESTER = "requester"
TARGET = "target"

_BOTH = frozenset({REQUESTER, TARGET})
_R = frozenset({REQUESTER})
_T = frozenset({TARGET})

TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (DRAFT, REQUESTED): _R,
    (REQUESTED, ACCEPTED): _T,
    (REQUESTED, REJECTED): _T,
    (REQUESTED, CANCELLED): _BOTH,
    (ACCEPTED, IN_PROGRESS): _T,
    (ACCEPTED, ON_HOLD): _T,
    (ACCEPTED, COMPLETED): _T,
    (ACCEPTED, FAILED): _T,
    (ACCEPTED, CANCELLED): _BOTH,
    (IN_PROGRESS, ON_HOLD): _T,
    (ON_HOLD, IN_PROGRESS): _T,
    (IN_PROGRESS, COMPLETED): _T,
    (IN_PROGRESS, FAILED): _T,
    (IN_PROGRESS, CANCELLED): _BOTH,
    (ON_HOLD, COMPLETED): _T,
    (ON_HOLD, FAILED): _T,
    (ON_HOLD, CANCELLED): _BOTH,
    **{(s, ENTERED_IN_ERROR): _R for s in STATUSES if s != ENTERED_IN_ERROR},
}

# A reason is required for these (Task.statusReason; the partner says why it declined or could not do it).
REASON_REQUIRED = frozenset({REJECTED, CANCELLED, FAILED, ENTERED_IN_ERROR, ON_HOLD})


class IllegalTransition(Exception):
    """A transition the lifecycle does not allow, or not for this side. `message` is translated for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def label(status: str) -> str:
    return str(LABELS.get(status, status))


def is_allowed(current: str, new: str, side: str) -> bool:
    return side in TRANSITIONS.get((current, new), frozenset())


def check(current: str, new: str, side: str) -> None:
    """Raise IllegalTransition with a clear message unless `side` may move a referral from `current` to `new`."""
    if new not in STATUSES:
        raise IllegalTransition(_("“%(status)s” is not a referral status.") % {"status": new})
    sides = TRANSITIONS.get((current, new))
    if sides is None:
        if current in TERMINAL:
            raise IllegalTransition(
                _("This referral is already %(current)s; it cannot become %(new)s.")
                % {"current": label(current), "new": label(new)}
            )
        raise IllegalTransition(
            _("A referral that is %(current)s cannot become %(new)s.") % {"current": label(current), "new": label(new)}
        )
    if side not in sides:
        if side == TARGET:
            raise IllegalTransition(
                _("Only the referring organization can make this referral %(new)s.") % {"new": label(new)}
            )
        raise IllegalTransition(
            _("Only the partner organization can make this referral %(new)s.") % {"new": label(new)}
        )


def next_statuses(current: str, side: str) -> list[str]:
    return [new for (cur, new), sides in TRANSITIONS.items() if cur == current and side in sides]
