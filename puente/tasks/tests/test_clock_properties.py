"""Property tests (hypothesis) of the regulatory clocks (clocks.py, pure), for any instant from 2020 to 2035 and
especially around America/Denver's DST changes: "N hours" is N real hours, "N calendar days" ends at 23:59 local
on the Nth local day after the event, months clamp to the month's end, and every deadline is after its start.

Beware when reading these: Python subtracts two aware datetimes that share a tzinfo on the wall clock, so real
elapsed time is always measured here after converting both to UTC.
"""

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from puente.tasks import clocks
from puente.tasks.clocks import DEFAULT_RULES, LOCAL_TZ, due_after, dues_for

# Instants anywhere in 2020–2035, plus instants within a day of a DST change (the interesting ones).
DST_CHANGES = [
    datetime(year, month, day, 9, tzinfo=UTC)  # 02:00 local, 08:00/09:00 UTC
    for year, month, day in [(2024, 3, 10), (2024, 11, 3), (2025, 3, 9), (2025, 11, 2), (2026, 3, 8), (2026, 11, 1)]
]
anywhere = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC))
near_dst = st.builds(
    lambda change, minutes: change + timedelta(minutes=minutes),
    st.sampled_from(DST_CHANGES),
    st.integers(-36 * 60, 36 * 60),
)
instants = st.one_of(anywhere, near_dst).map(lambda moment: moment.astimezone(LOCAL_TZ))


def elapsed(start: datetime, end: datetime) -> timedelta:
    return end.astimezone(UTC) - start.astimezone(UTC)


@settings(max_examples=150)
@given(start=instants, hours=st.integers(1, 24 * 30))
def test_n_hours_are_n_real_hours_across_any_dst_change(start, hours):
    due = due_after(start, hours, clocks.HOURS)
    assert elapsed(start, due) == timedelta(hours=hours)
    assert due.tzinfo is LOCAL_TZ
    # Not `due > start`: two datetimes sharing a tzinfo compare on the wall clock, so 01:59 MDT + 1 h = 01:59 MST
    # would compare equal (found by hypothesis at 2024-11-03 01:59).
    assert elapsed(start, due) > timedelta(0)


@settings(max_examples=150)
@given(start=instants, days=st.integers(1, 60))
def test_n_calendar_days_end_at_23_59_local_on_the_nth_local_day(start, days):
    due = due_after(start, days, clocks.CALENDAR_DAYS)
    local = due.astimezone(LOCAL_TZ)
    assert local.date() == start.astimezone(LOCAL_TZ).date() + timedelta(days=days)
    assert (local.hour, local.minute) == (23, 59)
    # Whatever the lengths of the days in between: a fall-back day has 25 hours, a spring-forward day 23, so the
    # real time elapsed may pass a whole number of days by that hour (found by hypothesis: 2024-11-03 00:59 + 1).
    assert elapsed(start, due) > timedelta(days=days - 1, hours=-1)
    assert elapsed(start, due) < timedelta(days=days + 1, hours=1)


@settings(max_examples=150)
@given(start=instants, months=st.integers(1, 24))
def test_months_clamp_to_the_month_end_and_are_due_after_the_start(start, months):
    due = due_after(start, months, clocks.MONTHS).astimezone(LOCAL_TZ)
    day = start.astimezone(LOCAL_TZ).date()
    month_index = day.month - 1 + months
    assert (due.year, due.month) == (day.year + month_index // 12, month_index % 12 + 1)
    assert due.day == min(day.day, clocks.calendar.monthrange(due.year, due.month)[1])
    assert (due.hour, due.minute) == (23, 59)
    assert elapsed(start, due) > timedelta(0)


@settings(max_examples=100)
@given(start=instants, rule=st.sampled_from(sorted(DEFAULT_RULES)), later=st.integers(0, 24 * 400))
def test_every_rules_deadlines_are_after_the_event_unique_and_in_order(start, rule, later):
    now = start + timedelta(hours=later)
    dues = dues_for(DEFAULT_RULES[rule], start, now)
    assert dues, "a rule always asks for at least one task"
    assert len({d.key for d in dues}) == len(dues)  # the sweep's idempotency key
    assert all(elapsed(start, d.due_at) > timedelta(0) for d in dues)
    in_utc = [d.due_at.astimezone(UTC) for d in dues]  # compared in UTC: see the hours test
    assert in_utc == sorted(in_utc)
    assert all(d.due_at.astimezone(LOCAL_TZ).tzinfo is LOCAL_TZ for d in dues)


@settings(max_examples=100)
@given(start=instants, later=st.integers(0, 24 * 200))
def test_a_repeating_review_appears_when_its_period_begins_never_earlier(start, later):
    rule = DEFAULT_RULES["hospice_idg_review"]
    now = start + timedelta(hours=later)
    dues = dues_for(rule, start, now)
    for cycle, due in enumerate(dues, start=1):
        period_start = start if cycle == 1 else due_after(start, rule.amount * (cycle - 1), rule.unit)
        assert period_start <= now
        assert due.due_at == due_after(start, rule.amount * cycle, rule.unit)
    # The next period has not begun yet.
    assert due_after(start, rule.amount * len(dues), rule.unit) > now
