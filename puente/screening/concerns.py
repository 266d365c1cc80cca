"""From a positive screening domain to a suggested health concern. Pure: no Django.

The Gravity SDOH category (standards.md §6.3) and a currently billable FY2026 ICD-10-CM Z code (§8). The Z code
is a suggestion the worker accepts, edits or dismisses; §8 says its Gravity column is an unofficial mapping.
Domains with no Gravity category (depression, anxiety, substance use, physical activity, suicide risk) are
clinical findings handled by alerts and referrals, not SDOH concerns.
"""

from dataclasses import dataclass

GRAVITY_SYSTEM = "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"
ICD10CM_SYSTEM = "http://hl7.org/fhir/sid/icd-10-cm"


@dataclass(frozen=True)
class ConcernSuggestion:
    category: str  # Gravity SDOH category code
    icd10: str | None  # billable FY2026 code, None where no Z code fits
    icd10_title: str


SUGGESTIONS: dict[str, ConcernSuggestion] = {
    "food-insecurity": ConcernSuggestion("food-insecurity", "Z59.41", "Food insecurity"),
    "housing-instability": ConcernSuggestion(
        "housing-instability", "Z59.811", "Housing instability, housed, with risk of homelessness"
    ),
    "homelessness": ConcernSuggestion("homelessness", "Z59.00", "Homelessness unspecified"),
    "inadequate-housing": ConcernSuggestion("inadequate-housing", "Z59.10", "Inadequate housing, unspecified"),
    "transportation-insecurity": ConcernSuggestion("transportation-insecurity", "Z59.82", "Transportation insecurity"),
    "utility-insecurity": ConcernSuggestion(
        "utility-insecurity", "Z59.861", "Financial insecurity, difficulty paying for utilities"
    ),
    "financial-insecurity": ConcernSuggestion("financial-insecurity", "Z59.869", "Financial insecurity, unspecified"),
    "material-hardship": ConcernSuggestion(
        "material-hardship",
        "Z59.87",
        "Material hardship due to limited financial resources, not elsewhere classified",
    ),
    "medical-cost-burden": ConcernSuggestion("medical-cost-burden", "Z59.869", "Financial insecurity, unspecified"),
    "employment-status": ConcernSuggestion("employment-status", "Z56.0", "Unemployment, unspecified"),
    "educational-attainment": ConcernSuggestion("educational-attainment", "Z55.5", "Less than a high school diploma"),
    "social-connection": ConcernSuggestion("social-connection", "Z60.2", "Problems related to living alone"),
    "stress": ConcernSuggestion("stress", "Z73.3", "Stress not elsewhere classified"),
    "intimate-partner-violence": ConcernSuggestion(
        "intimate-partner-violence", "Z63.0", "Problems in relationship with spouse or partner"
    ),
    "health-insurance-coverage-status": ConcernSuggestion(
        "health-insurance-coverage-status", "Z59.71", "Insufficient health insurance coverage"
    ),
    "incarceration-status": ConcernSuggestion("incarceration-status", "Z65.1", "Imprisonment and other incarceration"),
    "language-access": ConcernSuggestion("language-access", None, ""),
}


def suggest(domains: list[str]) -> list[ConcernSuggestion]:
    """One suggestion per distinct Gravity category, in the order the domains were found."""
    seen: set[str] = set()
    out = []
    for domain in domains:
        s = SUGGESTIONS.get(domain)
        if s is not None and s.category not in seen:
            seen.add(s.category)
            out.append(s)
    return out
