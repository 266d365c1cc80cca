"""Billing units and monthly roll-ups from standards.md §9. Pure: no Django.

G0155 (clinical social worker, home health or hospice, each 15 minutes): up to 15 minutes is 1 unit; longer
visits round to the nearest 15 minutes with half rounding up (22.5 minutes is a tie the sources do not settle;
standards.md says round half up). The rule is verified for hospice; home health follows it by assumption and
the setting can be given its own rule.

CHI (G0019 + G0022) and PIN (G0023 + G0024): the first code needs 60 minutes in the calendar month; each
additional full 30 minutes adds one add-on unit. Whether a partial add-on block counts is not settled in the
sources, so only full blocks count (ADDON_MINUTES is the one place to change it).

G0136 is offered only for dates of service before 2026-01-01 (its meaning changed that day).

Which entries count toward G0155 (`G0155_ACTIVITIES`): in hospice, visits and phone calls ("These same rules
apply when reporting social worker phone calls"); in home health, visits only (phone calls there are not in the
sources). Documentation, travel and coordination outside a visit are not reportable; video is not in the sources.
The month of an entry is the local (America/Denver) date of its start.
"""

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

G0155_BLOCK = 15
CHI_PIN_FIRST_MINUTES = 60
ADDON_MINUTES = 30
G0136_LAST_DAY = date(2025, 12, 31)


def g0155_units(minutes: int) -> int:
    """15-minute units for one social-work visit or call; 0 minutes is no unit."""
    if minutes <= 0:
        return 0
    if minutes <= G0155_BLOCK:
        return 1
    return int((Decimal(minutes) / G0155_BLOCK).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass
class MonthlyResult:
    family: str  # "CHI" or "PIN"
    minutes: int
    lines: list[tuple[str, int]] = field(default_factory=list)  # (HCPCS code, units)
    billable: bool = False
    reasons: list[str] = field(default_factory=list)  # why not billable, as stable codes


FAMILIES = {"CHI": ("G0019", "G0022"), "PIN": ("G0023", "G0024")}


def monthly_rollup(family: str, minutes: int, *, consent_documented: bool, initiating_visit: bool) -> MonthlyResult:
    """The month's codes for CHI or PIN, or the reasons the month is not billable."""
    first, addon = FAMILIES[family]
    result = MonthlyResult(family=family, minutes=minutes)
    if not consent_documented:
        result.reasons.append("no_consent")
    if not initiating_visit:
        result.reasons.append("no_initiating_visit")
    if minutes < CHI_PIN_FIRST_MINUTES:
        result.reasons.append("under_60_minutes")
    if result.reasons:
        return result
    result.lines.append((first, 1))
    extra = (minutes - CHI_PIN_FIRST_MINUTES) // ADDON_MINUTES
    if extra:
        result.lines.append((addon, extra))
    result.billable = True
    return result


def g0136_allowed(date_of_service: date) -> bool:
    """The SDOH risk-assessment meaning of G0136 ended on 2025-12-31."""
    return date_of_service <= G0136_LAST_DAY


VISITS = frozenset({"home_visit", "bedside_visit"})
G0155_ACTIVITIES = {"hospice": VISITS | {"phone"}, "home_health": VISITS}


def entry_problems(code: str, *, activity: str, setting: str, service_date: date) -> list[str]:
    """Why an entry cannot count toward `code`, as stable codes ([] = it can). Checked when the entry is saved."""
    problems = []
    if code == "g0155":
        if setting not in G0155_ACTIVITIES:
            problems.append("g0155_setting")
        elif activity not in G0155_ACTIVITIES[setting]:
            problems.append("g0155_activity")
    elif code == "g0136" and not g0136_allowed(service_date):
        problems.append("g0136_ended")
    return problems


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """The first and last day of a calendar month."""
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class EntryFacts:
    """One finished time entry, as the roll-up needs it."""

    activity: str
    minutes: int
    billing: str
    service_date: date
    worker: str = ""
    key: object = None  # the entry's id, handed back on the G0155 lines


@dataclass(frozen=True)
class ProgramFacts:
    """A patient's CHI or PIN enrolment: when consent was documented and the initiating visit took place."""

    consent_on: date | None
    initiating_visit_on: date | None


@dataclass
class G0155Line:
    service_date: date
    minutes: int
    units: int
    worker: str
    key: object


@dataclass
class PatientMonth:
    minutes_by_activity: dict[str, int]
    total_minutes: int
    g0155: list[G0155Line]
    monthly: list[MonthlyResult]  # CHI / PIN, for each family with minutes or an enrolment
    g0136_count: int

    @property
    def g0155_units(self) -> int:
        return sum(line.units for line in self.g0155)


def patient_month(entries: Iterable[EntryFacts], programs: dict[str, ProgramFacts], last_day: date) -> PatientMonth:
    """A patient's calendar month: minutes per activity, G0155 units per visit, CHI/PIN codes or why not.

    Consent and the initiating visit count when they are dated on or before the month's last day."""
    by_activity: dict[str, int] = {}
    family_minutes = {"chi": 0, "pin": 0}
    g0155 = []
    g0136 = 0
    for e in sorted(entries, key=lambda e: (e.service_date, str(e.key))):
        by_activity[e.activity] = by_activity.get(e.activity, 0) + e.minutes
        if e.billing == "g0155":
            g0155.append(G0155Line(e.service_date, e.minutes, g0155_units(e.minutes), e.worker, e.key))
        elif e.billing in family_minutes:
            family_minutes[e.billing] += e.minutes
        elif e.billing == "g0136" and g0136_allowed(e.service_date):
            g0136 += 1
    monthly = []
    for fam, minutes in family_minutes.items():
        program = programs.get(fam)
        if not minutes and program is None:
            continue
        consent = bool(program and program.consent_on and program.consent_on <= last_day)
        visit = bool(program and program.initiating_visit_on and program.initiating_visit_on <= last_day)
        monthly.append(monthly_rollup(fam.upper(), minutes, consent_documented=consent, initiating_visit=visit))
    return PatientMonth(
        minutes_by_activity=by_activity,
        total_minutes=sum(by_activity.values()),
        g0155=g0155,
        monthly=monthly,
        g0136_count=g0136,
    )
