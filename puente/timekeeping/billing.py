"""Billing units and monthly roll-ups from standards.md §9. Pure: no Django.

G0155 (clinical social worker, home health or hospice, each 15 minutes): up to 15 minutes is 1 unit; longer
visits round to the nearest 15 minutes with half rounding up (22.5 minutes is a tie the sources do not settle;
standards.md says round half up). The rule is verified for hospice; home health follows it by assumption and
the setting can be given its own rule.

CHI (G0019 + G0022) and PIN (G0023 + G0024): the first code needs 60 minutes in the calendar month; each
additional full 30 minutes adds one add-on unit. Whether a partial add-on block counts is not settled in the
sources, so only full blocks count (ADDON_MINUTES is the one place to change it).

G0136 is offered only for dates of service before 2026-01-01 (its meaning changed that day).
"""

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
