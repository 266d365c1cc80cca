"""AHC HRSN core and supplemental, Hunger Vital Sign and PRAPARE (standards.md §1–§2). Pure.

Each positive finding is a domain key. Gravity SDOH categories (§6.3) are used where one fits; the other
keys (depression, substance-use, physical-activity, disability, mental-health) are screening domains
without a Gravity category.
"""

from .base import NO, YES, Answers, ScoreResult, answer_value, is_answered, missing_items

# --- AHC HRSN core (96777-8) ---------------------------------------------------------------------------
HOUSING = "71802-3"
HOUSING_AT_RISK = "LA31994-9"
HOUSING_NONE = "LA31995-6"
HOUSING_QUALITY = "96778-6"
NONE_OF_THE_ABOVE = "LA9-3"
FOOD_ITEMS = ["88122-7", "88123-5"]
FOOD_RISK = {"LA28397-0", "LA6729-3"}  # Often true, Sometimes true
TRANSPORT = "93030-5"
UTILITIES = "96779-4"
UTILITIES_POSITIVE = {YES, "LA32002-0"}  # Yes, Already shut off
SAFETY_ITEMS = ["95618-5", "95617-7", "95616-9", "95615-1"]
SAFETY_CUTOFF = 10  # positive when the sum is greater than 10


def score_ahc_core(instrument: dict, answers: Answers) -> ScoreResult:
    result = ScoreResult(rule="ahc_core", missing=missing_items(instrument, answers))
    housing = answers.get(HOUSING)
    if housing == HOUSING_AT_RISK:
        result.add_domain("housing-instability")
    elif housing == HOUSING_NONE:
        result.add_domain("homelessness")
    quality = answers.get(HOUSING_QUALITY) or []
    if any(code != NONE_OF_THE_ABOVE for code in quality):
        result.add_domain("inadequate-housing")
    if any(answers.get(code) in FOOD_RISK for code in FOOD_ITEMS):
        result.add_domain("food-insecurity")
    if answers.get(TRANSPORT) == YES:
        result.add_domain("transportation-insecurity")
    if answers.get(UTILITIES) in UTILITIES_POSITIVE:
        result.add_domain("utility-insecurity")
    if all(is_answered(answers.get(c)) for c in SAFETY_ITEMS):
        safety = sum(answer_value(instrument, c, answers[c]) for c in SAFETY_ITEMS)
        result.details["safety_total"] = safety
        if safety > SAFETY_CUTOFF:
            result.add_domain("intimate-partner-violence")
            result.alerts.append("safety")
    # A need found is a need, complete or not; "no needs" is only said of a complete screen.
    result.positive = True if result.positive_domains else (False if result.complete else None)
    return result


# --- AHC HRSN supplemental (97023-6) ---------------------------------------------------------------------
NEVER = "LA6270-8"
SUPPLEMENTAL_SIMPLE = {
    # item: (positive answers, domain)
    "76513-1": ({"LA15832-1", "LA22683-9"}, "financial-insecurity"),
    "96780-2": ({"LA31981-6", "LA31982-4"}, "employment-status"),
    "96781-0": ({"LA31978-2", "LA31979-0"}, "social-connection"),
    "93159-2": ({"LA10044-8", "LA9933-8"}, "social-connection"),
    "93038-8": ({"LA13863-8", "LA13909-9", "LA13902-4", "LA13914-9"}, "stress"),
    "97027-7": ({YES}, "language-access"),  # [U]: a language-access flag until the CMS PDF is checked
    "96782-8": ({YES}, "educational-attainment"),  # [U]
}
SUPPLEMENTAL_PENDING = {"97027-7", "96782-8"}
SUBSTANCE_ITEMS = ["68517-2", "96842-0", "95530-2", "68524-8"]
PHYSICAL_DAYS = "89555-7"
PHYSICAL_MINUTES = "68516-4"
SUPPLEMENTAL_PHQ2 = ["44250-9", "44255-8"]


def physical_activity_need(days: int, minutes: int, age: int | None) -> bool | None:
    """The tool's thresholds: none under 6; 6–17 under 60 minutes a day on average; adults under 150 a week."""
    if age is None or age < 6:
        return None
    weekly = days * minutes
    if age < 18:
        return weekly / 7 < 60
    return weekly < 150


def score_ahc_supplemental(instrument: dict, answers: Answers, *, age: int | None = None) -> ScoreResult:
    result = ScoreResult(rule="ahc_supplemental", missing=missing_items(instrument, answers))
    for code, (positive, domain) in SUPPLEMENTAL_SIMPLE.items():
        if answers.get(code) in positive:
            result.add_domain(domain)
            if code in SUPPLEMENTAL_PENDING:
                result.pending_verification = True
    if any(is_answered(answers.get(c)) and answers[c] != NEVER for c in SUBSTANCE_ITEMS):
        result.add_domain("substance-use")
    if all(is_answered(answers.get(c)) for c in SUPPLEMENTAL_PHQ2):
        phq2 = sum(answer_value(instrument, c, answers[c]) for c in SUPPLEMENTAL_PHQ2)
        result.details["phq2_total"] = phq2
        if phq2 >= 3:
            result.add_domain("depression")
    if is_answered(answers.get(PHYSICAL_DAYS)) and is_answered(answers.get(PHYSICAL_MINUTES)):
        days = answer_value(instrument, PHYSICAL_DAYS, answers[PHYSICAL_DAYS])
        minutes = answer_value(instrument, PHYSICAL_MINUTES, answers[PHYSICAL_MINUTES])
        result.details["exercise_minutes_per_week"] = days * minutes
        if physical_activity_need(days, minutes, age):
            result.add_domain("physical-activity")
    result.positive = bool(result.positive_domains)
    return result


# --- Hunger Vital Sign (88121-9) ---------------------------------------------------------------------------
HVS_AT_RISK = "LA19952-3"
HVS_NO_RISK = "LA19983-8"


def score_hvs(instrument: dict, answers: Answers) -> ScoreResult:
    """At risk when either item is Often or Sometimes true; no result when neither was answered (the IG's rule)."""
    result = ScoreResult(rule="hvs", missing=missing_items(instrument, answers))
    answered = [answers[c] for c in FOOD_ITEMS if is_answered(answers.get(c))]
    if not answered:
        return result
    result.positive = any(a in FOOD_RISK for a in answered)
    result.band = "at_risk" if result.positive else "no_risk"
    result.details["result_code"] = HVS_AT_RISK if result.positive else HVS_NO_RISK
    if result.positive:
        result.add_domain("food-insecurity")
    return result


# --- PRAPARE (93025-5): needs flagged item by item, no total cut-off ---------------------------------------
PRAPARE_FLAGS = {
    "71802-3": ({"LA30190-5"}, "homelessness"),
    "93033-9": ({YES}, "housing-instability"),
    "67875-5": ({"LA17956-6"}, "employment-status"),
    "82589-3": ({"LA30191-3"}, "educational-attainment"),
    "76437-3": ({"LA30194-7"}, "health-insurance-coverage-status"),
    "93030-5": ({"LA30133-5", "LA30134-3"}, "transportation-insecurity"),
    "93029-7": ({"LA27722-0"}, "social-connection"),
    "93038-8": ({"LA13902-4", "LA13914-9"}, "stress"),
    "93028-9": ({YES}, "incarceration-status"),
    "93026-3": ({NO, "LA14072-5"}, "intimate-partner-violence"),
    "76501-6": ({YES}, "intimate-partner-violence"),
    "54899-0": ({"LA30188-9"}, "language-access"),
}
PRAPARE_UNABLE_TO_GET = "93031-3"
PRAPARE_MATERIAL_NEEDS = {
    "LA30125-1": "food-insecurity",
    "LA30126-9": "material-hardship",
    "LA30124-4": "utility-insecurity",
    "LA30127-7": "material-hardship",
    "LA30128-5": "medical-cost-burden",
    "LA30129-3": "material-hardship",
    "LA46-8": "material-hardship",
}


def score_prapare(instrument: dict, answers: Answers) -> ScoreResult:
    result = ScoreResult(rule="prapare", missing=missing_items(instrument, answers))
    for code, (positive, domain) in PRAPARE_FLAGS.items():
        if answers.get(code) in positive:
            result.add_domain(domain)
    for need in answers.get(PRAPARE_UNABLE_TO_GET) or []:
        if need in PRAPARE_MATERIAL_NEEDS:
            result.add_domain(PRAPARE_MATERIAL_NEEDS[need])
    result.positive = bool(result.positive_domains)
    return result
