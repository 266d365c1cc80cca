"""Property tests (hypothesis) of the acuity score (acuity.py, pure): for any patient's inputs the total is the
sum of its six explained parts, the tier follows the total, more of a risk never lowers the score, and an open
crisis alert always lifts the patient out of the lowest tier (a crisis must dominate)."""

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from puente.caseload.acuity import DEFAULT_WEIGHTS, AcuityInput, score

BANDS = ["low", "moderate", "intermediate", "high"]
SETTINGS = ["hospice", "inpatient", "emergency", "home_health", "outpatient"]
TIER_ORDER = ["low", "moderate", "high"]

inputs = st.builds(
    AcuityInput,
    open_crisis_alerts=st.integers(0, 6),
    positive_domains=st.integers(0, 12),
    readmission_band=st.sampled_from([None, *BANDS]),
    setting=st.sampled_from([None, *SETTINGS]),
    setting_label=st.just(""),
    overdue_items=st.integers(0, 8),
    days_since_contact=st.one_of(st.none(), st.integers(0, 400)),
)


def more(i: AcuityInput, part: str) -> AcuityInput:
    """The same patient with one risk a step worse."""
    if part == "crisis":
        return replace(i, open_crisis_alerts=i.open_crisis_alerts + 1)
    if part == "domains":
        return replace(i, positive_domains=i.positive_domains + 1)
    if part == "overdue":
        return replace(i, overdue_items=i.overdue_items + 1)
    if part == "readmission":
        ladder = [None, "low", "moderate", "high"]
        current = "moderate" if i.readmission_band == "intermediate" else i.readmission_band
        return replace(i, readmission_band=ladder[min(ladder.index(current) + 1, len(ladder) - 1)])
    # contact: a day longer without one (never contacted stays never contacted)
    days = i.days_since_contact
    return replace(i, days_since_contact=None if days is None else days + 1)


@settings(max_examples=150)
@given(i=inputs)
def test_the_total_is_the_sum_of_the_six_explained_parts(i):
    acuity = score(i)
    assert [p.key for p in acuity.parts] == ["crisis", "domains", "readmission", "setting", "overdue", "contact"]
    assert acuity.total == sum(p.points for p in acuity.parts)
    assert all(p.points >= 0 and p.reason for p in acuity.parts)
    expected_tier = next(name for low, name in DEFAULT_WEIGHTS["tiers"] if acuity.total >= low)
    assert acuity.tier == expected_tier
    assert acuity.weight == DEFAULT_WEIGHTS["tier_weight"][expected_tier]
    assert score(i) == acuity  # deterministic


@settings(max_examples=150)
@given(i=inputs, part=st.sampled_from(["crisis", "domains", "overdue", "readmission", "contact"]))
def test_more_of_a_risk_never_lowers_the_score_or_the_tier(i, part):
    before, after = score(i), score(more(i, part))
    assert after.total >= before.total
    assert TIER_ORDER.index(after.tier) >= TIER_ORDER.index(before.tier)
    assert after.weight >= before.weight


@settings(max_examples=100)
@given(i=inputs)
def test_an_open_crisis_alert_always_lifts_the_patient_out_of_the_lowest_tier(i):
    acuity = score(replace(i, open_crisis_alerts=max(1, i.open_crisis_alerts)))
    assert acuity.tier != "low"
    assert acuity.parts[0].points >= DEFAULT_WEIGHTS["crisis_per_alert"]
