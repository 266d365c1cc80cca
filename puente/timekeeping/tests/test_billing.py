"""Billing units and roll-ups, table-driven from standards.md §9, every rounding edge."""

from datetime import date

import pytest

from puente.timekeeping.billing import g0136_allowed, g0155_units, monthly_rollup


@pytest.mark.parametrize(
    ("minutes", "units"),
    [
        (0, 0),
        (1, 1),
        (5, 1),  # "a 5-minute visit is billed as 1 unit"
        (7, 1),
        (8, 1),
        (15, 1),
        (16, 1),
        (20, 1),  # "A 20-minute visit would be rounded down, and submitted as 1 unit"
        (22, 1),
        (23, 2),  # 22.5 is the tie: 23 rounds up
        (25, 2),  # "A 25-minute visit would be rounded up, and submitted as 2 units"
        (30, 2),
        (37, 2),
        (38, 3),
        (45, 3),
        (52, 3),
        (53, 4),
        (60, 4),
    ],
)
def test_g0155_units(minutes, units):
    assert g0155_units(minutes) == units


@pytest.mark.parametrize(
    ("family", "minutes", "lines"),
    [
        ("CHI", 59, []),
        ("CHI", 60, [("G0019", 1)]),
        ("CHI", 89, [("G0019", 1)]),
        ("CHI", 90, [("G0019", 1), ("G0022", 1)]),
        ("CHI", 119, [("G0019", 1), ("G0022", 1)]),
        ("CHI", 120, [("G0019", 1), ("G0022", 2)]),
        ("PIN", 60, [("G0023", 1)]),
        ("PIN", 150, [("G0023", 1), ("G0024", 3)]),
    ],
)
def test_chi_and_pin_monthly_minutes(family, minutes, lines):
    result = monthly_rollup(family, minutes, consent_documented=True, initiating_visit=True)
    assert result.lines == lines
    assert result.billable is bool(lines)
    if not lines:
        assert result.reasons == ["under_60_minutes"]


@pytest.mark.parametrize(
    ("consent", "visit", "reasons"),
    [
        (False, True, ["no_consent"]),
        (True, False, ["no_initiating_visit"]),
        (False, False, ["no_consent", "no_initiating_visit"]),
    ],
)
def test_a_month_without_its_requirements_is_not_billable_and_says_why(consent, visit, reasons):
    result = monthly_rollup("CHI", 200, consent_documented=consent, initiating_visit=visit)
    assert (result.billable, result.lines, result.reasons) == (False, [], reasons)


@pytest.mark.parametrize(
    ("day", "allowed"), [(date(2025, 12, 31), True), (date(2026, 1, 1), False), (date(2024, 1, 1), True)]
)
def test_g0136_only_before_2026(day, allowed):
    assert g0136_allowed(day) is allowed
