"""When a referral counts as stalled, and how long it has been in its status. Pure: no ORM.

- requested and not accepted (nor rejected) within `accept_days` business days (Monday–Friday) of being sent;
- accepted, in progress or on hold with no partner update for `update_days` calendar days.
"""

from datetime import date, datetime, timedelta

from . import lifecycle

NOT_ACCEPTED = "not_accepted"
NO_UPDATE = "no_update"


def business_days_between(start: date, end: date) -> int:
    """Weekdays after `start` up to and including `end` (0 when end <= start)."""
    if end <= start:
        return 0
    days = (end - start).days
    weeks, extra = divmod(days, 7)
    count = weeks * 5
    for i in range(1, extra + 1):
        if (start + timedelta(days=weeks * 7 + i)).weekday() < 5:
            count += 1
    return count


def latest_stalled_request_day(today: date, accept_days: int) -> date:
    """The last day a request could have been sent on and count as not accepted on `today`: `stall_reason`'s
    business-day rule turned into a date, so that a database can compare it (earlier days count more business
    days, so every day up to this one is stalled and none after)."""
    day = today
    while business_days_between(day, today) < accept_days:
        day -= timedelta(days=1)
    return day


def stall_reason(
    status: str,
    *,
    requested_at: datetime | None,
    last_partner_update_at: datetime | None,
    now: datetime,
    today: date,
    accept_days: int,
    update_days: int,
    requested_on: date | None = None,
) -> str:
    """NOT_ACCEPTED, NO_UPDATE or "" (not stalled). `requested_on` is `requested_at` as a local date."""
    if status == lifecycle.REQUESTED and requested_at is not None:
        start = requested_on or requested_at.date()
        return NOT_ACCEPTED if business_days_between(start, today) >= accept_days else ""
    if status in (lifecycle.ACCEPTED, lifecycle.IN_PROGRESS, lifecycle.ON_HOLD):
        since = last_partner_update_at or requested_at
        if since is not None and now - since >= timedelta(days=update_days):
            return NO_UPDATE
    return ""


def days_in_status(status_changed_at: datetime, now: datetime) -> int:
    return max(0, (now - status_changed_at).days)
