"""Property tests (hypothesis) of the scoring rules against the published rules in standards.md §1–§5, for any
answer set the instrument files allow, not only the table-driven cases of test_scoring.py.

- sums (PHQ-2/9, GAD-2/7): a complete set's total is the sum of the item points, inside the published range, and
  its band is the published band for that total; a partly answered set gets no total, no band and lists exactly the
  unanswered items (never pro-rated, §3.1);
- bands never go down when the total goes up (PHQ-9, GAD-7, LACE, HOSPITAL), and a "yes" never lowers a C-SSRS tier;
- the crisis answers always alert, whatever else is answered or missing: PHQ-9 item 9 > 0, C-SSRS intent, plan or
  recent behaviour, AHC safety total > 10;
- a rule is deterministic: the same answers in any key order give the same result.

The answer codes come from the instrument files themselves, so a code added to a file is covered too.
"""

from dataclasses import asdict

from hypothesis import given, settings
from hypothesis import strategies as st

from puente.screening.library import get_instrument
from puente.screening.scoring import score
from puente.screening.scoring.base import NO, YES
from puente.screening.scoring.cssrs import (
    BEHAVIOUR,
    BEHAVIOUR_RECENT,
    INTENT,
    METHOD,
    PLAN,
    THOUGHTS,
    WISH_DEAD,
)
from puente.screening.scoring.mood import GAD7_ITEMS, PHQ9_ITEMS, PHQ9_SUICIDE_ITEM
from puente.screening.scoring.readmission import (
    H_ADMISSIONS,
    H_HEMOGLOBIN,
    H_LOS,
    H_ONCOLOGY,
    H_PROCEDURE,
    H_SODIUM,
    H_URGENT,
    LACE_ACUTE,
    LACE_CHARLSON,
    LACE_ED,
    LACE_LOS,
)
from puente.screening.scoring.social_needs import FOOD_ITEMS, FOOD_RISK, SAFETY_ITEMS

EXAMPLES = settings(max_examples=60)

# The published bands, written out again here from standards.md (not imported from the rule): lowest total → band.
PUBLISHED = {
    "phq9": [(0, "minimal"), (5, "mild"), (10, "moderate"), (15, "moderately_severe"), (20, "severe")],
    "gad7": [(0, "minimal"), (5, "mild"), (10, "moderate"), (15, "severe")],
}
CUTOFF = {"phq2": 3, "gad2": 3, "phq9": 10, "gad7": 10}
SUM_ITEMS = {"phq2": PHQ9_ITEMS[:2], "phq9": PHQ9_ITEMS, "gad2": GAD7_ITEMS[:2], "gad7": GAD7_ITEMS}
CSSRS_ORDER = ["none", "low", "moderate", "high"]
COLUMBIA_ORDER = ["none", "other_positive", "high"]


def options(instrument: dict, code: str) -> list[dict]:
    """An item's answers with their points: its list plus answers accepted on that item only (GAD-7 LA18938-3)."""
    item = next(i for i in instrument["items"] if i["code"] == code)
    return list(instrument["answer_lists"].get(item.get("answer_list", ""), [])) + item.get("extra_answers", [])


def points(instrument: dict, code: str, answer: str) -> int:
    return next(int(o["value"]) for o in options(instrument, code) if o["code"] == answer)


def published_band(rule: str, total: int) -> str:
    return [band for low, band in PUBLISHED[rule] if total >= low][-1]


@st.composite
def answer_sets(draw, instrument_id: str, complete: bool | None = None):
    """Answers to an instrument's scored items: each a valid code, or (unless complete) left out or blank."""
    inst = get_instrument(instrument_id)
    answers = {}
    for code in SUM_ITEMS[instrument_id]:
        codes = [o["code"] for o in options(inst, code)]
        if complete:
            answers[code] = draw(st.sampled_from(codes))
        else:
            choice = draw(st.one_of(st.sampled_from(codes), st.sampled_from(["<missing>", "", None])))
            if choice != "<missing>":
                answers[code] = choice
    return answers


def reordered(answers: dict) -> dict:
    return dict(reversed(list(answers.items())))


# --- sums ------------------------------------------------------------------------------------------------------


@EXAMPLES
@given(data=st.data(), rule=st.sampled_from(sorted(SUM_ITEMS)))
def test_a_complete_sum_is_the_sum_of_the_item_points_in_the_published_band(data, rule):
    inst = get_instrument(rule)
    answers = data.draw(answer_sets(rule, complete=True))
    result = score(inst, answers)
    expected = sum(points(inst, code, answers[code]) for code in SUM_ITEMS[rule])
    assert result.total == expected
    assert 0 <= result.total <= 3 * len(SUM_ITEMS[rule])
    assert result.complete and result.missing == []
    assert result.positive is (expected >= CUTOFF[rule])
    if rule in PUBLISHED:
        assert result.band == published_band(rule, expected)
    else:
        assert result.band == ("positive" if expected >= CUTOFF[rule] else "negative")


@EXAMPLES
@given(data=st.data(), rule=st.sampled_from(sorted(SUM_ITEMS)))
def test_a_partly_answered_sum_is_never_prorated(data, rule):
    inst = get_instrument(rule)
    answers = data.draw(answer_sets(rule, complete=False))
    unanswered = [c for c in SUM_ITEMS[rule] if answers.get(c) in (None, "")]
    result = score(inst, answers)
    if unanswered:
        assert result.total is None
        assert result.band is None
        assert result.positive is None
        assert result.missing == unanswered  # in the instrument's order
    else:
        assert result.total is not None and result.missing == []


@EXAMPLES
@given(data=st.data(), rule=st.sampled_from(["phq9", "gad7"]))
def test_a_higher_total_never_gets_a_lower_band(data, rule):
    inst = get_instrument(rule)
    first = score(inst, data.draw(answer_sets(rule, complete=True)))
    second = score(inst, data.draw(answer_sets(rule, complete=True)))
    order = [band for _low, band in PUBLISHED[rule]]
    low, high = sorted([first, second], key=lambda r: r.total)
    assert order.index(low.band) <= order.index(high.band)


@EXAMPLES
@given(data=st.data())
def test_phq9_item_9_above_zero_always_alerts_whatever_else_is_answered(data):
    inst = get_instrument("phq9")
    answers = data.draw(answer_sets("phq9", complete=False))
    item9 = data.draw(st.sampled_from([o["code"] for o in options(inst, PHQ9_SUICIDE_ITEM)] + [None]))
    answers[PHQ9_SUICIDE_ITEM] = item9
    result = score(inst, answers)
    alerting = item9 is not None and points(inst, PHQ9_SUICIDE_ITEM, item9) > 0
    assert ("suicide_risk" in result.alerts) is alerting
    assert ("suicide-risk" in result.positive_domains) is alerting


@EXAMPLES
@given(data=st.data(), rule=st.sampled_from(sorted(SUM_ITEMS)))
def test_sum_rules_are_deterministic(data, rule):
    inst = get_instrument(rule)
    answers = data.draw(answer_sets(rule))
    assert asdict(score(inst, answers)) == asdict(score(inst, reordered(answers)))


# --- C-SSRS ----------------------------------------------------------------------------------------------------

CSSRS_ITEMS = [WISH_DEAD, THOUGHTS, METHOD, INTENT, PLAN, BEHAVIOUR, BEHAVIOUR_RECENT]
cssrs_answers = st.fixed_dictionaries({}, optional={code: st.sampled_from([YES, NO, ""]) for code in CSSRS_ITEMS})


def imminent(answers: dict) -> bool:
    """Columbia's imminent-risk rule (standards.md §4): yes to 4 or 5, or behaviour in the past 3 months."""
    return YES in (answers.get(INTENT), answers.get(PLAN)) or (
        answers.get(BEHAVIOUR) == YES and answers.get(BEHAVIOUR_RECENT) == YES
    )


@settings(max_examples=100)
@given(answers=cssrs_answers, tiers=st.sampled_from(["three_tier", "columbia"]))
def test_cssrs_imminent_risk_is_always_high_and_alerts_under_both_policies(answers, tiers):
    result = score(get_instrument("cssrs_screener"), answers, tiers=tiers)
    if imminent(answers):
        assert result.band == "high"
        assert "suicide_risk" in result.alerts
    assert ("suicide_risk" in result.alerts) is (
        result.band in ({"moderate", "high"} if tiers == "three_tier" else {"high"})
    )
    # "No risk" is never concluded from a partly answered screener.
    if result.band == "none":
        assert result.complete


@settings(max_examples=100)
@given(answers=cssrs_answers, flip=st.sampled_from(CSSRS_ITEMS), tiers=st.sampled_from(["three_tier", "columbia"]))
def test_cssrs_a_yes_never_lowers_the_tier(answers, flip, tiers):
    inst = get_instrument("cssrs_screener")
    before = score(inst, {**answers, flip: NO}, tiers=tiers)
    after = score(inst, {**answers, flip: YES}, tiers=tiers)
    order = CSSRS_ORDER if tiers == "three_tier" else COLUMBIA_ORDER
    if before.band is not None and after.band is not None:
        assert order.index(after.band) >= order.index(before.band)
    if "suicide_risk" in before.alerts:
        assert "suicide_risk" in after.alerts
    assert asdict(after) == asdict(score(inst, reordered({**answers, flip: YES}), tiers=tiers))


# --- AHC HRSN core: the safety total ---------------------------------------------------------------------------


@st.composite
def ahc_core_answers(draw):
    """Any answers to the AHC core (each item answered with one of its codes, or left out), multi as a list."""
    inst = get_instrument("ahc_hrsn_core")
    answers = {}
    for item in inst["items"]:
        codes = [o["code"] for o in options(inst, item["code"])]
        if not draw(st.booleans()):
            continue
        if item["type"] == "multi":
            answers[item["code"]] = draw(st.lists(st.sampled_from(codes), max_size=3, unique=True))
        else:
            answers[item["code"]] = draw(st.sampled_from(codes))
    return answers


@settings(max_examples=100)
@given(answers=ahc_core_answers())
def test_ahc_safety_above_10_always_alerts_whatever_else_is_answered(answers):
    inst = get_instrument("ahc_hrsn_core")
    result = score(inst, answers)
    if all(answers.get(c) for c in SAFETY_ITEMS):
        total = sum(points(inst, c, answers[c]) for c in SAFETY_ITEMS)
        assert 4 <= total <= 20  # published range of 95614-4
        assert result.details["safety_total"] == total
        assert ("safety" in result.alerts) is (total > 10)
    else:
        assert "safety" not in result.alerts  # never concluded from part of the four items
    if "safety" in result.alerts:
        assert result.positive is True
    # A complete screen with no need found says so; a partial one without a need says nothing.
    if not result.positive_domains:
        assert result.positive is (False if result.complete else None)
    assert asdict(result) == asdict(score(inst, reordered(answers)))


@settings(max_examples=60)
@given(
    answers=st.fixed_dictionaries(
        {}, optional={c: st.sampled_from(["LA28397-0", "LA6729-3", "LA28398-8", "LA15775-2"]) for c in FOOD_ITEMS}
    )
)
def test_hunger_vital_sign_is_at_risk_when_either_item_is_often_or_sometimes(answers):
    result = score(get_instrument("hvs"), answers)
    if not answers:
        assert result.positive is None and result.band is None
    else:
        assert result.positive is any(a in FOOD_RISK for a in answers.values())


# --- LACE and HOSPITAL -----------------------------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=400)
yes_no = st.sampled_from([YES, NO])


@settings(max_examples=100)
@given(los=counts, acute=yes_no, charlson=st.integers(0, 40), ed=counts)
def test_lace_total_is_the_sum_of_its_parts_within_0_to_19(los, acute, charlson, ed):
    answers = {LACE_LOS: los, LACE_ACUTE: acute, LACE_CHARLSON: charlson, LACE_ED: ed}
    result = score(get_instrument("lace"), answers)
    assert result.total == sum(result.details["points"].values())
    assert 0 <= result.total <= 19
    assert result.band == [b for low, b in [(0, "low"), (5, "moderate"), (10, "high")] if result.total >= low][-1]
    # More of anything (days, comorbidity, ED visits, an acute admission) never lowers the index.
    more = score(
        get_instrument("lace"),
        {LACE_LOS: los + 1, LACE_ACUTE: YES, LACE_CHARLSON: charlson + 1, LACE_ED: ed + 1},
    )
    assert more.total >= result.total
    assert ["low", "moderate", "high"].index(more.band) >= ["low", "moderate", "high"].index(result.band)


@settings(max_examples=100)
@given(flags=st.lists(yes_no, min_size=5, max_size=5), admissions=counts, los=counts)
def test_hospital_score_total_is_within_0_to_13_and_bands_follow_it(flags, admissions, los):
    codes = [H_HEMOGLOBIN, H_ONCOLOGY, H_SODIUM, H_PROCEDURE, H_URGENT]
    answers = {**dict(zip(codes, flags, strict=True)), H_ADMISSIONS: admissions, H_LOS: los}
    result = score(get_instrument("hospital_score"), answers)
    assert result.total == sum(result.details["points"].values())
    assert 0 <= result.total <= 13
    expected = [b for low, b in [(0, "low"), (5, "intermediate"), (7, "high")] if result.total >= low][-1]
    assert result.band == expected
    assert result.positive is (expected == "high")


@settings(max_examples=40)
@given(
    rule=st.sampled_from(["lace", "hospital_score"]),
    drop=st.sets(st.integers(0, 6), min_size=1),
    value=st.integers(0, 30),
)
def test_an_incomplete_readmission_score_has_no_total(rule, drop, value):
    inst = get_instrument(rule)
    codes = [i["code"] for i in inst["items"]]
    answers = {c: (YES if i["type"] == "boolean-choice" else value) for c, i in zip(codes, inst["items"], strict=True)}
    for index in drop:
        if index < len(codes):
            answers.pop(codes[index], None)
    result = score(inst, answers)
    if len(answers) < len(codes):
        assert result.total is None and result.band is None and result.missing
