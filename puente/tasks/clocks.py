"""Regulatory clocks: which event starts which clock, and when it is due. Pure: no ORM, no database.

The rule table is `DEFAULT_RULES`; `settings.PUENTE_CLOCK_RULES` (a dict of rule key → partial rule) overrides
it without a code change, e.g. `{"hospital_sw_assessment": {"amount": 12}}` or `{"important_message":
{"enabled": False}}`. Sources: workflows.md §1 (hospital 24 h assessment policy, Important Message from Medicare),
§2 (home health), §3 (hospice 5-day comprehensive assessment, 15-day IDG updates, bereavement up to 13 months).

Two kinds of duration, and the difference matters twice a year in America/Denver:
- `hours`: elapsed time. 24 h after 10:00 on the Saturday before spring-forward is 11:00 on Sunday (local
  clock), because the night had only 23 hours.
- `calendar_days`: the deadline is the END of the local calendar day N days after the event's local date
  (CMS counts "calendar days"), whatever the length of the days in between.
- `months`: calendar months after the event's local date, clamped to the month's last day (31 Jan + 1 month
  = 28/29 Feb), due at the end of that local day.
"""

import calendar
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

LOCAL_TZ = ZoneInfo("America/Denver")
UTC = ZoneInfo("UTC")
# The last minute of a local day: shown as "11:59 p.m." rather than "midnight of the next day".
END_OF_DAY = time(23, 59)

HOURS = "hours"
CALENDAR_DAYS = "calendar_days"
MONTHS = "months"

# What starts a clock (the sweep finds these in the database).
SW_REFERRAL_HOSPITAL = "sw_referral_hospital"  # a social-work referral in a hospital setting (or without episode)
SW_REFERRAL_HOME_HEALTH = "sw_referral_home_health"  # the MSW order on a home-health episode
INPATIENT_ADMISSION = "inpatient_admission"
HOSPICE_ELECTION = "hospice_election"
HOSPICE_DEATH = "hospice_death"
COMMUNITY_REFERRAL_STALLED = "community_referral_stalled"  # hook for the referrals app; no rule uses it yet


@dataclass(frozen=True)
class Rule:
    key: str
    trigger: str
    title: str
    amount: int
    unit: str
    priority: str = "routine"
    # Repeat every `amount` units while the trigger stays active (hospice IDG plan review).
    repeats: bool = False
    # For bereavement follow-ups: several deadlines from one event, in `unit`s after it.
    schedule: tuple[int, ...] = field(default_factory=tuple)
    enabled: bool = True


DEFAULT_RULES: dict[str, Rule] = {
    r.key: r
    for r in [
        Rule(
            "hospital_sw_assessment",
            SW_REFERRAL_HOSPITAL,
            _("Social-work assessment (within 24 hours of referral)"),
            24,
            HOURS,
            priority="urgent",
        ),
        Rule(
            "important_message",
            INPATIENT_ADMISSION,
            _("Important Message from Medicare signed (within 2 days of admission)"),
            2,
            CALENDAR_DAYS,
        ),
        Rule(
            "home_health_sw_evaluation",
            SW_REFERRAL_HOME_HEALTH,
            _("Home health social-work evaluation (after the order)"),
            5,
            CALENDAR_DAYS,
        ),
        Rule(
            "hospice_psychosocial_assessment",
            HOSPICE_ELECTION,
            _("Hospice comprehensive psychosocial assessment (within 5 days of election)"),
            5,
            CALENDAR_DAYS,
            priority="urgent",
        ),
        Rule(
            "hospice_idg_review",
            HOSPICE_ELECTION,
            _("Hospice plan of care review for the IDG (every 15 days)"),
            15,
            CALENDAR_DAYS,
            repeats=True,
        ),
        Rule(
            "bereavement_contact",
            HOSPICE_DEATH,
            _("Bereavement contact with the family (within 5 days of the death)"),
            5,
            CALENDAR_DAYS,
        ),
        Rule(
            "bereavement_follow_up",
            HOSPICE_DEATH,
            _("Bereavement follow-up with the family"),
            0,
            MONTHS,
            schedule=(1, 3, 6, 9, 13),
        ),
    ]
}


def load_rules(overrides: dict | None = None) -> dict[str, Rule]:
    """The default table with the given per-rule overrides applied (unknown keys are refused loudly)."""
    rules = dict(DEFAULT_RULES)
    for key, changes in (overrides or {}).items():
        if key not in rules:
            raise ValueError(f"unknown clock rule: {key}")
        if "schedule" in changes:
            changes = {**changes, "schedule": tuple(changes["schedule"])}
        rules[key] = replace(rules[key], **changes)
    return rules


def rules_for(trigger: str, rules: dict[str, Rule]) -> list[Rule]:
    return [r for r in rules.values() if r.trigger == trigger and r.enabled]


def local_date(moment: datetime | date, tz: ZoneInfo = LOCAL_TZ) -> date:
    if isinstance(moment, datetime):
        return moment.astimezone(tz).date()
    return moment


def end_of_local_day(day: date, tz: ZoneInfo = LOCAL_TZ) -> datetime:
    return datetime.combine(day, END_OF_DAY, tzinfo=tz)


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_after(start: datetime | date, amount: int, unit: str, tz: ZoneInfo = LOCAL_TZ) -> datetime:
    """The deadline `amount` `unit`s after `start` (an aware datetime, or a date for events known by day)."""
    if unit == HOURS:
        if not isinstance(start, datetime):
            start = datetime.combine(start, time(0), tzinfo=tz)
        # Python adds a timedelta to an aware datetime on the wall clock of its own zone; convert to UTC first
        # so that 24 hours are 24 real hours across a DST change.
        return (start.astimezone(UTC) + timedelta(hours=amount)).astimezone(tz)
    if unit == CALENDAR_DAYS:
        return end_of_local_day(local_date(start, tz) + timedelta(days=amount), tz)
    if unit == MONTHS:
        return end_of_local_day(add_months(local_date(start, tz), amount), tz)
    raise ValueError(f"unknown unit: {unit}")


@dataclass(frozen=True)
class Due:
    """One task a clock asks for. `key` is unique per trigger object (the sweep's idempotency key)."""

    rule: Rule
    key: str
    due_at: datetime


def dues_for(
    rule: Rule, start: datetime | date, now: datetime, *, until: datetime | None = None, tz: ZoneInfo = LOCAL_TZ
) -> list[Due]:
    """The deadlines of one rule for one event.

    A repeating rule yields each cycle whose period has begun by `now` (so the next review appears as soon as
    the previous period starts, never a year of future tasks at once), and none that begin after `until` (the
    episode's end).
    """
    if rule.schedule:
        return [Due(rule, f"{rule.key}:{n}", due_after(start, n, rule.unit, tz)) for n in rule.schedule]
    if not rule.repeats:
        return [Due(rule, rule.key, due_after(start, rule.amount, rule.unit, tz))]
    dues = []
    cycle = 1
    while True:
        period_start = start if cycle == 1 else due_after(start, rule.amount * (cycle - 1), rule.unit, tz)
        if period_start > now or (until is not None and period_start > until):
            break
        dues.append(Due(rule, f"{rule.key}:{cycle}", due_after(start, rule.amount * cycle, rule.unit, tz)))
        cycle += 1
    return dues


def state(due_at: datetime, now: datetime, soon: timedelta) -> str:
    """'overdue', 'due_soon' or 'upcoming' (the reminder sweep and the pages use the same words)."""
    if due_at <= now:
        return "overdue"
    if due_at - now <= soon:
        return "due_soon"
    return "upcoming"
