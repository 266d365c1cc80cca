"""Scoring rules, one module per family. Pure Python: import nothing from Django here.

`score(instrument, answers, **context)` picks the rule named by the instrument's data file.
"""

from collections.abc import Callable

from .base import Answers, ScoreResult
from .cssrs import score_cssrs
from .mood import score_gad2, score_gad7, score_phq2, score_phq9
from .readmission import score_hospital, score_lace
from .social_needs import score_ahc_core, score_ahc_supplemental, score_hvs, score_prapare

RULES: dict[str, Callable[..., ScoreResult]] = {
    "ahc_core": score_ahc_core,
    "ahc_supplemental": score_ahc_supplemental,
    "hvs": score_hvs,
    "prapare": score_prapare,
    "phq2": score_phq2,
    "phq9": score_phq9,
    "gad2": score_gad2,
    "gad7": score_gad7,
    "cssrs": score_cssrs,
    "lace": score_lace,
    "hospital_score": score_hospital,
}
# Context each rule understands (patient age for AHC physical activity; the C-SSRS tier policy).
CONTEXT = {"ahc_supplemental": {"age"}, "cssrs": {"tiers"}}


def score(instrument: dict, answers: Answers, **context) -> ScoreResult:
    rule = instrument["rule"]
    wanted = {k: v for k, v in context.items() if k in CONTEXT.get(rule, set())}
    result = RULES[rule](instrument, answers, **wanted)
    if instrument.get("rule_pending_verification"):
        result.pending_verification = True
    return result


__all__ = ["RULES", "Answers", "ScoreResult", "score"]
