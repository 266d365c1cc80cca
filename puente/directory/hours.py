"""Pure opening hours from HSDS 3.0 schedules (RFC 5545 style rows), no ORM.

Understood: ``freq`` WEEKLY with ``byday`` (MO,TU,…) and ``opens_at``/``closes_at`` (HH:MM or HH:MM:SS), limited
by ``valid_from``/``valid_to`` (ISO dates) when given. Not understood (shown only through ``description``):
MONTHLY rules, ``interval`` > 1, hours past midnight. Times are wall-clock times in the directory's zone
(America/Denver); callers pass a local datetime.
"""

from dataclasses import dataclass
from datetime import date, datetime

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")  # index = datetime.weekday()


def day_code(moment: date) -> str:
    return DAYS[moment.weekday()]


def clock(value: str) -> str:
    """ "9:00" / "09:00:00" -> "09:00:00" (the text form the database compares); "" if unreadable."""
    parts = (value or "").strip().split(":")
    try:
        h, m = int(parts[0]), int(parts[1]) if len(parts) > 1 else 0
        s = int(parts[2]) if len(parts) > 2 else 0
    except ValueError:
        return ""
    if not (0 <= h <= 24 and 0 <= m < 60 and 0 <= s < 60):
        return ""
    return f"{h:02d}:{m:02d}:{s:02d}"


@dataclass(frozen=True)
class Opening:
    """Open on ``days`` from ``opens`` to ``closes`` (HH:MM:SS)."""

    days: tuple[str, ...]
    opens: str
    closes: str


def _valid_on(schedule, on: date) -> bool:
    for name, ok in (("valid_from", lambda d: on >= d), ("valid_to", lambda d: on <= d)):
        raw = (getattr(schedule, name, "") or "")[:10]
        if raw:
            try:
                if not ok(date.fromisoformat(raw)):
                    return False
            except ValueError:
                continue
    return True


def openings(schedules, on: date | None = None) -> list[Opening]:
    """The weekly openings the schedules describe (valid on ``on`` when given), in day order."""
    out = []
    for s in schedules:
        if (s.freq or "WEEKLY").upper() != "WEEKLY" or (on is not None and not _valid_on(s, on)):
            continue
        days = tuple(d for d in DAYS if d in {x.strip().upper() for x in (s.byday or "").split(",")})
        opens, closes = clock(s.opens_at), clock(s.closes_at)
        if days and opens and closes and opens < closes:
            out.append(Opening(days, opens, closes))
    return sorted(out, key=lambda o: (DAYS.index(o.days[0]), o.opens))


def is_open(schedules, moment: datetime) -> bool:
    """Open at ``moment`` (local time): a weekly opening on its day with opens <= time < closes."""
    day, now = day_code(moment), moment.strftime("%H:%M:%S")
    return any(day in o.days and o.opens <= now < o.closes for o in openings(schedules, moment.date()))


def is_open_on(schedules, day: str) -> bool:
    """Open at some time on weekday ``day`` (MO…SU)."""
    return any(day in o.days for o in openings(schedules))
