"""Billing units and roll-ups, table-driven from standards.md §9, every rounding edge."""

from datetime import date

import pytest

from puente.timekeeping.billing import (
    EntryFacts,
    ProgramFacts,
    entry_problems,
    g0136_allowed,
    g0155_units,
    month_bounds,
    monthly_rollup,
    patient_month,
)


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


# Which entries may count toward a code (checked when an entry is saved).
@pytest.mark.parametrize(
    ("code", "activity", "setting", "day", "problems"),
    [
        ("g0155", "home_visit", "hospice", date(2026, 3, 1), []),
        ("g0155", "bedside_visit", "hospice", date(2026, 3, 1), []),
        ("g0155", "phone", "hospice", date(2026, 3, 1), []),  # hospice reports phone calls too
        ("g0155", "home_visit", "home_health", date(2026, 3, 1), []),
        ("g0155", "phone", "home_health", date(2026, 3, 1), ["g0155_activity"]),
        ("g0155", "documentation", "hospice", date(2026, 3, 1), ["g0155_activity"]),
        ("g0155", "travel", "hospice", date(2026, 3, 1), ["g0155_activity"]),
        ("g0155", "video", "hospice", date(2026, 3, 1), ["g0155_activity"]),
        ("g0155", "home_visit", "inpatient", date(2026, 3, 1), ["g0155_setting"]),
        ("g0155", "home_visit", "", date(2026, 3, 1), ["g0155_setting"]),
        ("g0136", "phone", "outpatient", date(2025, 12, 31), []),
        ("g0136", "phone", "outpatient", date(2026, 1, 1), ["g0136_ended"]),
        ("chi", "travel", "", date(2026, 3, 1), []),
        ("pin", "phone", "inpatient", date(2026, 3, 1), []),
        ("", "documentation", "", date(2026, 3, 1), []),
    ],
)
def test_entry_problems(code, activity, setting, day, problems):
    assert entry_problems(code, activity=activity, setting=setting, service_date=day) == problems


@pytest.mark.parametrize(
    ("year", "month", "last"),
    [(2026, 1, 31), (2026, 2, 28), (2028, 2, 29), (2026, 4, 30), (2026, 12, 31)],
)
def test_month_bounds(year, month, last):
    assert month_bounds(year, month) == (date(year, month, 1), date(year, month, last))


OCT_LAST = date(2026, 10, 31)


def _e(minutes, billing="", activity="care_coordination", day=1, key=None):
    return EntryFacts(activity=activity, minutes=minutes, billing=billing, service_date=date(2026, 10, day), key=key)


def test_patient_month_adds_minutes_by_activity_and_units_per_visit():
    entries = [
        _e(23, "g0155", "home_visit", 2, key=1),
        _e(7, "g0155", "phone", 3, key=2),
        _e(10, "", "documentation", 3),
        _e(40, "", "home_visit", 4),
    ]
    result = patient_month(entries, {}, OCT_LAST)
    assert result.minutes_by_activity == {"home_visit": 63, "phone": 7, "documentation": 10}
    assert result.total_minutes == 80
    assert [(line.key, line.units) for line in result.g0155] == [(1, 2), (2, 1)]
    assert result.g0155_units == 3
    assert result.monthly == []  # no CHI/PIN time and no enrolment: nothing to say


@pytest.mark.parametrize(
    ("consent_on", "visit_on", "billable", "reasons"),
    [
        (date(2026, 10, 31), date(2026, 10, 31), True, []),  # on the last day still counts
        (date(2026, 11, 1), date(2026, 10, 1), False, ["no_consent"]),
        (date(2026, 10, 1), date(2026, 11, 1), False, ["no_initiating_visit"]),
        (None, None, False, ["no_consent", "no_initiating_visit"]),
        (date(2025, 1, 1), date(2025, 1, 1), True, []),  # an earlier enrolment carries on
    ],
)
def test_patient_month_checks_consent_and_initiating_visit_by_month_end(consent_on, visit_on, billable, reasons):
    programs = {"chi": ProgramFacts(consent_on, visit_on)}
    result = patient_month([_e(30, "chi", day=2), _e(30, "chi", day=20)], programs, OCT_LAST)
    (chi,) = result.monthly
    assert (chi.family, chi.minutes, chi.billable, chi.reasons) == ("CHI", 60, billable, reasons)
    assert chi.lines == ([("G0019", 1)] if billable else [])


def test_patient_month_keeps_chi_and_pin_apart_and_reports_an_enrolled_month_without_time():
    enrolled = ProgramFacts(date(2026, 1, 1), date(2026, 1, 1))
    result = patient_month([_e(95, "pin")], {"chi": enrolled, "pin": enrolled}, OCT_LAST)
    by_family = {r.family: r for r in result.monthly}
    assert by_family["PIN"].lines == [("G0023", 1), ("G0024", 1)]
    assert (by_family["CHI"].minutes, by_family["CHI"].reasons) == (0, ["under_60_minutes"])


def test_patient_month_counts_g0136_only_before_2026():
    entries = [
        EntryFacts("phone", 15, "g0136", date(2025, 12, 31)),
        EntryFacts("phone", 15, "g0136", date(2026, 1, 1)),
    ]
    assert patient_month(entries, {}, date(2026, 1, 31)).g0136_count == 1
