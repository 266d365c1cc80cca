"""LACE index and HOSPITAL score for 30-day readmission risk (standards.md §5). Pure; staff-entered inputs."""

from .base import YES, Answers, ScoreResult, band_for, is_answered, missing_items

LACE_LOS = "local:lace-length-of-stay-days"
LACE_ACUTE = "local:lace-acute-admission"
LACE_CHARLSON = "local:lace-charlson-index"
LACE_ED = "local:lace-ed-visits-6mo"
LACE_BANDS = [(0, "low"), (5, "moderate"), (10, "high")]

H_HEMOGLOBIN = "local:hospital-hemoglobin-below-12"
H_ONCOLOGY = "local:hospital-oncology-discharge"
H_SODIUM = "local:hospital-sodium-below-135"
H_PROCEDURE = "local:hospital-procedure-during-stay"
H_URGENT = "local:hospital-urgent-admission"
H_ADMISSIONS = "local:hospital-admissions-12mo"
H_LOS = "local:hospital-length-of-stay-days"
HOSPITAL_BANDS = [(0, "low"), (5, "intermediate"), (7, "high")]


def lace_length_points(days: int) -> int:
    if days < 1:
        return 0
    if days <= 3:
        return days
    if days <= 6:
        return 4
    if days <= 13:
        return 5
    return 7


def lace_charlson_points(index: int) -> int:
    return index if index <= 3 else 5


def lace_ed_points(visits: int) -> int:
    return min(visits, 4)


def hospital_admission_points(admissions: int) -> int:
    if admissions <= 1:
        return 0
    if admissions <= 5:
        return 2
    return 5


def score_lace(instrument: dict, answers: Answers) -> ScoreResult:
    result = ScoreResult(rule="lace", missing=missing_items(instrument, answers))
    if not result.complete:
        return result
    parts = {
        "L": lace_length_points(int(answers[LACE_LOS])),
        "A": 3 if answers[LACE_ACUTE] == YES else 0,
        "C": lace_charlson_points(int(answers[LACE_CHARLSON])),
        "E": lace_ed_points(int(answers[LACE_ED])),
    }
    result.details["points"] = parts
    result.total = sum(parts.values())
    result.band = band_for(result.total, LACE_BANDS)
    result.positive = result.band == "high"
    return result


def score_hospital(instrument: dict, answers: Answers) -> ScoreResult:
    result = ScoreResult(rule="hospital_score", missing=missing_items(instrument, answers))
    if not result.complete:
        return result

    def flag(code: str, points: int) -> int:
        return points if is_answered(answers.get(code)) and answers[code] == YES else 0

    parts = {
        "H": flag(H_HEMOGLOBIN, 1),
        "O": flag(H_ONCOLOGY, 2),
        "S": flag(H_SODIUM, 1),
        "P": flag(H_PROCEDURE, 1),
        "IT": flag(H_URGENT, 1),
        "A": hospital_admission_points(int(answers[H_ADMISSIONS])),
        "L": 2 if int(answers[H_LOS]) >= 5 else 0,
    }
    result.details["points"] = parts
    result.total = sum(parts.values())
    result.band = band_for(result.total, HOSPITAL_BANDS)
    result.positive = result.band == "high"
    return result
