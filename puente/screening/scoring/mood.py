"""PHQ-2, PHQ-9, GAD-2 and GAD-7 (standards.md §3). Pure."""

from .base import Answers, ScoreResult, answer_value, band_for, is_answered, sum_items

PHQ9_ITEMS = ["44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3", "44260-8"]
PHQ2_ITEMS = PHQ9_ITEMS[:2]
PHQ9_SUICIDE_ITEM = "44260-8"
GAD7_ITEMS = ["69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"]
GAD2_ITEMS = GAD7_ITEMS[:2]

# Kroenke 2001: 5, 10, 15 and 20 mark mild, moderate, moderately severe and severe.
PHQ9_BANDS = [(0, "minimal"), (5, "mild"), (10, "moderate"), (15, "moderately_severe"), (20, "severe")]
# Spitzer 2006 / Kroenke 2007: 5, 10 and 15 mark mild, moderate and severe.
GAD7_BANDS = [(0, "minimal"), (5, "mild"), (10, "moderate"), (15, "severe")]
PHQ9_CUTOFF = 10
GAD7_CUTOFF = 10
TWO_ITEM_CUTOFF = 3


def _screen(rule: str, instrument: dict, answers: Answers, items: list[str], cutoff: int, bands=None):
    total, missing = sum_items(instrument, answers, items)
    result = ScoreResult(rule=rule, total=total, missing=missing)
    if total is not None:
        result.positive = total >= cutoff
        result.band = band_for(total, bands) if bands else ("positive" if result.positive else "negative")
        if result.positive:
            result.add_domain("depression" if rule.startswith("phq") else "anxiety")
    return result


def score_phq2(instrument: dict, answers: Answers) -> ScoreResult:
    return _screen("phq2", instrument, answers, PHQ2_ITEMS, TWO_ITEM_CUTOFF)


def score_phq9(instrument: dict, answers: Answers) -> ScoreResult:
    result = _screen("phq9", instrument, answers, PHQ9_ITEMS, PHQ9_CUTOFF, PHQ9_BANDS)
    # Item 9 escalates on its own, whatever the total and even when other items are missing.
    item9 = answers.get(PHQ9_SUICIDE_ITEM)
    if is_answered(item9) and answer_value(instrument, PHQ9_SUICIDE_ITEM, item9) > 0:
        result.alerts.append("suicide_risk")
        result.add_domain("suicide-risk")
        result.details["item9"] = answer_value(instrument, PHQ9_SUICIDE_ITEM, item9)
    return result


def score_gad2(instrument: dict, answers: Answers) -> ScoreResult:
    result = _screen("gad2", instrument, answers, GAD2_ITEMS, TWO_ITEM_CUTOFF)
    result.pending_verification = True  # the ≥3 cut-off is [U] in standards.md §3.4
    return result


def score_gad7(instrument: dict, answers: Answers) -> ScoreResult:
    return _screen("gad7", instrument, answers, GAD7_ITEMS, GAD7_CUTOFF, GAD7_BANDS)
