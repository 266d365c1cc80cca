"""C-SSRS screener, recent version (standards.md §4). Pure.

Columbia's own triage has two tiers: imminent risk (yes to item 4 or 5, or any suicidal behaviour in the
past 3 months) and everything else. The common low/moderate/high split is a local convention, so the
tiering is a parameter; "three_tier" is the default, "columbia" keeps Columbia's two tiers.
"""

from .base import YES, Answers, ScoreResult, missing_items

WISH_DEAD = "93246-7"
THOUGHTS = "93247-5"
METHOD = "93248-3"
INTENT = "93249-1"
PLAN = "93250-9"
BEHAVIOUR = "93267-3"
BEHAVIOUR_RECENT = "93269-9"

TIERS = ("three_tier", "columbia")
# Tiers that raise a crisis alert under each policy.
ALERT_BANDS = {"three_tier": {"moderate", "high"}, "columbia": {"high"}}


def score_cssrs(instrument: dict, answers: Answers, *, tiers: str = "three_tier") -> ScoreResult:
    if tiers not in TIERS:
        raise ValueError(f"unknown C-SSRS tier policy {tiers!r}")
    result = ScoreResult(rule="cssrs", missing=missing_items(instrument, answers), details={"tiers": tiers})

    def yes(code: str) -> bool:
        return answers.get(code) == YES

    imminent = yes(INTENT) or yes(PLAN) or (yes(BEHAVIOUR) and yes(BEHAVIOUR_RECENT))
    any_yes = any(yes(c) for c in (WISH_DEAD, THOUGHTS, METHOD, INTENT, PLAN, BEHAVIOUR))
    if imminent:
        band = "high"
    elif tiers == "columbia":
        band = "other_positive" if any_yes else "none"
    elif yes(METHOD) or yes(BEHAVIOUR):
        band = "moderate"  # method without intent, or behaviour more than 3 months ago
    elif yes(WISH_DEAD) or yes(THOUGHTS):
        band = "low"
    else:
        band = "none"
    if band == "none" and not result.complete:
        return result  # "no risk" is never concluded from a partly answered screener
    result.band = band
    result.positive = band != "none"
    if result.positive:
        result.add_domain("suicide-risk")
    if band in ALERT_BANDS[tiers]:
        result.alerts.append("suicide_risk")
    return result
