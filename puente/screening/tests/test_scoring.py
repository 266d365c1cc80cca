"""Scoring rules, table-driven from standards.md §1–§5: every band boundary, skip path and published example."""

import json

import pytest

from puente.core.testing import external_data
from puente.screening.library import get_instrument
from puente.screening.scoring import score
from puente.screening.scoring.base import NO, YES
from puente.screening.scoring.mood import GAD7_ITEMS, PHQ9_ITEMS
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

FREQ = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]  # 0, 1, 2, 3
EXTERNAL = external_data()


def spread(items: list[str], total: int) -> dict[str, str]:
    """Answers on 0–3 items that add up to `total`, filling items in order."""
    answers = {}
    for code in items:
        value = min(3, total)
        answers[code] = FREQ[value]
        total -= value
    assert total == 0
    return answers


# ---- PHQ-9: 0–4 minimal, 5–9 mild, 10–14 moderate, 15–19 moderately severe, 20–27 severe; positive ≥ 10
PHQ9_ITEMS_NO_9 = PHQ9_ITEMS[:8] + [PHQ9_ITEMS[8]]


@pytest.mark.parametrize(
    ("total", "band", "positive"),
    [
        (0, "minimal", False),
        (4, "minimal", False),
        (5, "mild", False),
        (9, "mild", False),
        (10, "moderate", True),
        (14, "moderate", True),
        (15, "moderately_severe", True),
        (19, "moderately_severe", True),
        (20, "severe", True),
        (24, "severe", True),
    ],
)
def test_phq9_bands(total, band, positive):
    # Item 9 stays at 0 here (filled last) so that only the total varies.
    answers = spread(PHQ9_ITEMS[:8], total)
    answers[PHQ9_ITEMS[8]] = FREQ[0]
    result = score(get_instrument("phq9"), answers)
    assert (result.total, result.band, result.positive) == (total, band, positive)
    assert result.alerts == []


def test_phq9_maximum_is_27_and_severe():
    result = score(get_instrument("phq9"), {c: FREQ[3] for c in PHQ9_ITEMS})
    assert (result.total, result.band) == (27, "severe")


@pytest.mark.parametrize(("item9", "alert"), [(0, False), (1, True), (2, True), (3, True)])
def test_phq9_item9_escalates_whatever_the_total(item9, alert):
    answers = {c: FREQ[0] for c in PHQ9_ITEMS}
    answers["44260-8"] = FREQ[item9]
    result = score(get_instrument("phq9"), answers)
    assert ("suicide_risk" in result.alerts) is alert
    assert result.total == item9


def test_phq9_item9_escalates_even_when_incomplete():
    result = score(get_instrument("phq9"), {"44260-8": FREQ[1]})
    assert result.total is None
    assert "suicide_risk" in result.alerts
    assert len(result.missing) == 8


def test_phq9_never_prorates_a_missing_answer():
    answers = {c: FREQ[3] for c in PHQ9_ITEMS[:8]}
    result = score(get_instrument("phq9"), answers)
    assert result.total is None and result.band is None and result.positive is None
    assert result.missing == ["44260-8"]


def test_phq9_function_item_is_not_scored_or_required():
    answers = {c: FREQ[1] for c in PHQ9_ITEMS}
    answers["69722-7"] = "LA6575-0"
    assert score(get_instrument("phq9"), answers).total == 9
    del answers["69722-7"]
    assert score(get_instrument("phq9"), answers).complete


# ---- PHQ-2 and GAD-2: 0–6, positive ≥ 3
@pytest.mark.parametrize("instrument", ["phq2", "gad2"])
@pytest.mark.parametrize(("total", "positive"), [(0, False), (2, False), (3, True), (6, True)])
def test_two_item_screens(instrument, total, positive):
    inst = get_instrument(instrument)
    codes = [i["code"] for i in inst["items"] if i.get("scored", True)]
    result = score(inst, spread(codes, total))
    assert (result.total, result.positive) == (total, positive)
    assert result.pending_verification is (instrument == "gad2")  # GAD-2 cut-off is [U]


# ---- GAD-7: 0–4 minimal, 5–9 mild, 10–14 moderate, 15–21 severe; positive ≥ 10
@pytest.mark.parametrize(
    ("total", "band", "positive"),
    [
        (0, "minimal", False),
        (4, "minimal", False),
        (5, "mild", False),
        (9, "mild", False),
        (10, "moderate", True),
        (14, "moderate", True),
        (15, "severe", True),
        (21, "severe", True),
    ],
)
def test_gad7_bands(total, band, positive):
    result = score(get_instrument("gad7"), spread(GAD7_ITEMS, total))
    assert (result.total, result.band, result.positive) == (total, band, positive)


def test_gad7_accepts_more_days_than_not_as_2_on_item_2():
    answers = {c: FREQ[0] for c in GAD7_ITEMS}
    answers["68509-9"] = "LA18938-3"
    assert score(get_instrument("gad7"), answers).total == 2


def test_an_answer_outside_the_list_is_refused():
    answers = {c: FREQ[0] for c in GAD7_ITEMS}
    answers["69725-0"] = "LA18938-3"  # accepted on 68509-9 only
    with pytest.raises(KeyError):
        score(get_instrument("gad7"), answers)


# ---- Hunger Vital Sign: at risk if Often/Sometimes true on either; no result if neither answered
OFTEN, SOMETIMES, NEVER_TRUE, DONT_KNOW = "LA28397-0", "LA6729-3", "LA28398-8", "LA15775-2"


@pytest.mark.parametrize(
    ("q1", "q2", "positive"),
    [
        (OFTEN, NEVER_TRUE, True),
        (NEVER_TRUE, SOMETIMES, True),
        (SOMETIMES, SOMETIMES, True),
        (NEVER_TRUE, NEVER_TRUE, False),
        (DONT_KNOW, NEVER_TRUE, False),
        (None, OFTEN, True),
        (NEVER_TRUE, None, False),
        (None, None, None),
    ],
)
def test_hunger_vital_sign(q1, q2, positive):
    answers = {k: v for k, v in {"88122-7": q1, "88123-5": q2}.items() if v}
    result = score(get_instrument("hvs"), answers)
    assert result.positive is positive
    assert ("food-insecurity" in result.positive_domains) is bool(positive)
    if positive is not None:
        assert result.details["result_code"] == ("LA19952-3" if positive else "LA19983-8")


# ---- AHC HRSN core: domains item by item; safety positive when Q7–Q10 sum > 10 (values 1–5)
AHC_NEGATIVE = {
    "71802-3": "LA31993-1",
    "96778-6": ["LA9-3"],
    "88122-7": NEVER_TRUE,
    "88123-5": NEVER_TRUE,
    "93030-5": NO,
    "96779-4": NO,
    "95618-5": "LA6270-8",
    "95617-7": "LA6270-8",
    "95616-9": "LA6270-8",
    "95615-1": "LA6270-8",
}
SAFETY = ["LA6270-8", "LA10066-1", "LA10082-8", "LA16644-9", "LA6482-9"]  # 1..5


@pytest.mark.parametrize(
    ("change", "domain"),
    [
        ({"71802-3": "LA31994-9"}, "housing-instability"),
        ({"71802-3": "LA31995-6"}, "homelessness"),
        ({"96778-6": ["LA28580-1"]}, "inadequate-housing"),
        ({"96778-6": ["LA31996-4", "LA31998-0"]}, "inadequate-housing"),
        ({"88122-7": SOMETIMES}, "food-insecurity"),
        ({"88123-5": OFTEN}, "food-insecurity"),
        ({"93030-5": YES}, "transportation-insecurity"),
        ({"96779-4": YES}, "utility-insecurity"),
        ({"96779-4": "LA32002-0"}, "utility-insecurity"),
    ],
)
def test_ahc_core_domains(change, domain):
    result = score(get_instrument("ahc_hrsn_core"), {**AHC_NEGATIVE, **change})
    assert result.positive_domains == [domain]
    assert result.positive is True


def test_ahc_core_all_negative():
    result = score(get_instrument("ahc_hrsn_core"), AHC_NEGATIVE)
    assert result.positive is False and result.positive_domains == [] and result.details["safety_total"] == 4


@pytest.mark.parametrize(
    ("values", "total", "positive"),
    [((1, 1, 1, 1), 4, False), ((3, 3, 2, 2), 10, False), ((3, 3, 3, 2), 11, True), ((5, 5, 5, 5), 20, True)],
)
def test_ahc_core_safety_boundary(values, total, positive):
    safety = dict(zip(["95618-5", "95617-7", "95616-9", "95615-1"], [SAFETY[v - 1] for v in values], strict=True))
    result = score(get_instrument("ahc_hrsn_core"), {**AHC_NEGATIVE, **safety})
    assert result.details["safety_total"] == total
    assert ("intimate-partner-violence" in result.positive_domains) is positive
    assert ("safety" in result.alerts) is positive


def test_ahc_core_incomplete_still_reports_needs_found_but_never_says_no_needs():
    partial = {"71802-3": "LA31995-6"}
    result = score(get_instrument("ahc_hrsn_core"), partial)
    assert result.positive is True and "homelessness" in result.positive_domains
    assert "safety_total" not in result.details
    result = score(get_instrument("ahc_hrsn_core"), {"71802-3": "LA31993-1"})
    assert result.positive is None and len(result.missing) == 9


def _us_core_answers(name: str) -> dict:
    """Answers from a US Core QuestionnaireResponse: item linkId → LOINC code via the Questionnaire."""
    folder = EXTERNAL / "hl7-us-core" / "ahc-hrsn-core-2023-04"
    if not folder.exists():
        pytest.skip(f"{folder} is absent (shared/data/external not checked out)")
    response = json.loads((folder / name).read_text())
    answers: dict = {}

    def walk(items):
        for item in items:
            codes = [a["valueCoding"]["code"] for a in item.get("answer", []) if "valueCoding" in a]
            code = item.get("linkId")
            if codes:
                answers[code] = codes
            walk(item.get("item", []))
            for a in item.get("answer", []):
                walk(a.get("item", []))

    walk(response.get("item", []))
    return answers


def test_the_us_core_ahc_example_scores_safety_4_and_positive_housing_quality():
    raw = _us_core_answers("QuestionnaireResponse-AHC-HRSN-screening-example.json")
    inst = get_instrument("ahc_hrsn_core")
    # linkIds in the example are the LOINC item codes; map them onto our item codes.
    by_code = {i["code"]: i for i in inst["items"]}
    answers = {}
    for link_id, codes in raw.items():
        code = link_id.removeprefix("/")
        if code in by_code:
            answers[code] = codes if by_code[code]["type"] == "multi" else codes[0]
    if len(answers) < 10:
        pytest.fail(f"could not read the example's answers: {answers}")
    result = score(inst, answers)
    assert result.details["safety_total"] == 4
    assert "inadequate-housing" in result.positive_domains
    assert "intimate-partner-violence" not in result.positive_domains


# ---- C-SSRS screener: skip logic and tiers
def cssrs(**answers):
    codes = {
        "q1": "93246-7",
        "q2": "93247-5",
        "q3": "93248-3",
        "q4": "93249-1",
        "q5": "93250-9",
        "q6": "93267-3",
        "q6a": "93269-9",
    }
    return {codes[k]: (YES if v else NO) for k, v in answers.items()}


@pytest.mark.parametrize(
    ("answers", "band", "alert"),
    [
        (cssrs(q1=False, q2=False, q6=False), "none", False),
        (cssrs(q1=True, q2=False, q6=False), "low", False),
        (cssrs(q1=True, q2=True, q3=False, q4=False, q5=False, q6=False), "low", False),
        (cssrs(q1=True, q2=True, q3=True, q4=False, q5=False, q6=False), "moderate", True),
        (cssrs(q1=False, q2=False, q6=True, q6a=False), "moderate", True),
        (cssrs(q1=True, q2=True, q3=True, q4=True, q5=False, q6=False), "high", True),
        (cssrs(q1=True, q2=True, q3=True, q4=False, q5=True, q6=False), "high", True),
        (cssrs(q1=False, q2=False, q6=True, q6a=True), "high", True),
    ],
)
def test_cssrs_three_tier_default(answers, band, alert):
    result = score(get_instrument("cssrs_screener"), answers)
    assert result.complete, result.missing
    assert result.band == band
    assert ("suicide_risk" in result.alerts) is alert


@pytest.mark.parametrize(
    ("answers", "band", "alert"),
    [
        (cssrs(q1=True, q2=False, q6=False), "other_positive", False),
        (cssrs(q1=True, q2=True, q3=True, q4=False, q5=False, q6=False), "other_positive", False),
        (cssrs(q1=True, q2=True, q3=False, q4=True, q5=False, q6=False), "high", True),
        (cssrs(q1=False, q2=False, q6=True, q6a=True), "high", True),
        (cssrs(q1=False, q2=False, q6=False), "none", False),
    ],
)
def test_cssrs_columbia_two_tier_policy(answers, band, alert):
    result = score(get_instrument("cssrs_screener"), answers, tiers="columbia")
    assert (result.band, "suicide_risk" in result.alerts) == (band, alert)


def test_cssrs_skip_logic_no_to_q2_skips_to_q6():
    result = score(get_instrument("cssrs_screener"), cssrs(q1=False, q2=False))
    assert result.missing == ["93267-3"]
    assert result.band is None  # never "no risk" from a partial screener
    result = score(get_instrument("cssrs_screener"), cssrs(q1=True, q2=True, q6=False))
    assert result.missing == ["93248-3", "93249-1", "93250-9"]


def test_cssrs_partial_with_intent_is_already_high():
    result = score(get_instrument("cssrs_screener"), cssrs(q1=True, q2=True, q4=True))
    assert result.band == "high" and "suicide_risk" in result.alerts and not result.complete


# ---- LACE: L 0,1,2,3,4(4–6),5(7–13),7(≥14); A 3; C 0–3, 5(≥4); E 0–4 capped; high ≥ 10
@pytest.mark.parametrize(
    ("los", "acute", "charlson", "ed", "total", "band"),
    [
        (0, NO, 0, 0, 0, "low"),
        (1, NO, 0, 0, 1, "low"),
        (3, NO, 1, 0, 4, "low"),
        (4, NO, 1, 0, 5, "moderate"),
        (6, NO, 0, 0, 4, "low"),
        (7, NO, 0, 0, 5, "moderate"),
        (13, YES, 1, 0, 9, "moderate"),
        (14, YES, 0, 0, 10, "high"),
        (2, YES, 3, 2, 10, "high"),
        (2, NO, 4, 0, 7, "moderate"),
        (20, YES, 9, 9, 19, "high"),
        (1, NO, 0, 4, 5, "moderate"),
        (1, NO, 0, 5, 5, "moderate"),
    ],
)
def test_lace(los, acute, charlson, ed, total, band):
    answers = {LACE_LOS: los, LACE_ACUTE: acute, LACE_CHARLSON: charlson, LACE_ED: ed}
    result = score(get_instrument("lace"), answers)
    assert (result.total, result.band, result.positive) == (total, band, band == "high")


def test_lace_without_all_inputs_has_no_total():
    result = score(get_instrument("lace"), {LACE_LOS: 3})
    assert result.total is None and len(result.missing) == 3


# ---- HOSPITAL: H1 O2 S1 P1 IT1 A(0–1:0, 2–5:2, >5:5) L(≥5 days:2); 0–4 low, 5–6 intermediate, ≥7 high
def hospital(h=NO, o=NO, s=NO, p=NO, it=NO, admissions=0, los=1):
    return {
        H_HEMOGLOBIN: h,
        H_ONCOLOGY: o,
        H_SODIUM: s,
        H_PROCEDURE: p,
        H_URGENT: it,
        H_ADMISSIONS: admissions,
        H_LOS: los,
    }


@pytest.mark.parametrize(
    ("answers", "total", "band"),
    [
        (hospital(), 0, "low"),
        (hospital(admissions=1), 0, "low"),
        (hospital(admissions=2), 2, "low"),
        (hospital(admissions=5), 2, "low"),
        (hospital(admissions=6), 5, "intermediate"),
        (hospital(los=4), 0, "low"),
        (hospital(los=5), 2, "low"),
        (hospital(h=YES, o=YES, s=YES), 4, "low"),
        (hospital(h=YES, o=YES, s=YES, p=YES), 5, "intermediate"),
        (hospital(o=YES, it=YES, admissions=2, los=2), 5, "intermediate"),
        (hospital(o=YES, admissions=2, los=5), 6, "intermediate"),
        (hospital(h=YES, o=YES, admissions=2, los=5), 7, "high"),
        (hospital(YES, YES, YES, YES, YES, 9, 30), 13, "high"),
    ],
)
def test_hospital_score(answers, total, band):
    result = score(get_instrument("hospital_score"), answers)
    assert (result.total, result.band) == (total, band)


# ---- PRAPARE: needs flagged item by item, no total cut-off
@pytest.mark.parametrize(
    ("answers", "domains"),
    [
        ({"71802-3": "LA30190-5"}, ["homelessness"]),
        ({"93031-3": ["LA30125-1", "LA30124-4"]}, ["food-insecurity", "utility-insecurity"]),
        ({"93030-5": "LA30133-5"}, ["transportation-insecurity"]),
        ({"93038-8": "LA13909-9"}, []),
        ({"93038-8": "LA13902-4"}, ["stress"]),
        ({"67875-5": "LA17956-6"}, ["employment-status"]),
        ({"76501-6": YES}, ["intimate-partner-violence"]),
        ({"71802-3": "LA30189-7", "93030-5": NO}, []),
    ],
)
def test_prapare_flags(answers, domains):
    result = score(get_instrument("prapare"), answers)
    assert result.positive_domains == domains
    assert result.total is None


# ---- AHC supplemental: physical activity thresholds by age
@pytest.mark.parametrize(
    ("days", "minutes", "age", "need"),
    [
        ("LA6115-5", "LA28855-7", 40, True),  # 4 days x 30 = 120 < 150
        ("LA10137-0", "LA28855-7", 40, False),  # 5 x 30 = 150
        ("LA6114-8", "LA28853-2", 12, True),  # 3 x 60 = 180/week = 25.7/day < 60
        ("LA10139-6", "LA28853-2", 12, False),  # 7 x 60 = 60/day
        ("LA6111-4", "LA6111-4", 4, False),  # under 6: cannot be found
    ],
)
def test_ahc_supplemental_physical_activity(days, minutes, age, need):
    result = score(get_instrument("ahc_hrsn_supplemental"), {"89555-7": days, "68516-4": minutes}, age=age)
    assert ("physical-activity" in result.positive_domains) is need
