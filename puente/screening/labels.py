"""Translated labels for the stable codes the scoring rules return."""

from django.utils.translation import gettext_lazy as _

BANDS = {
    "minimal": _("Minimal"),
    "mild": _("Mild"),
    "moderate": _("Moderate"),
    "moderately_severe": _("Moderately severe"),
    "severe": _("Severe"),
    "positive": _("Positive screen"),
    "negative": _("Negative screen"),
    "at_risk": _("At risk"),
    "no_risk": _("No risk"),
    "none": _("No risk identified"),
    "low": _("Low"),
    "intermediate": _("Intermediate"),
    "high": _("High"),
    "other_positive": _("Positive (not imminent)"),
}

DOMAINS = {
    "food-insecurity": _("Food insecurity"),
    "housing-instability": _("Housing instability"),
    "homelessness": _("Homelessness"),
    "inadequate-housing": _("Inadequate housing"),
    "transportation-insecurity": _("Transportation insecurity"),
    "utility-insecurity": _("Utility insecurity"),
    "financial-insecurity": _("Financial insecurity"),
    "material-hardship": _("Material hardship"),
    "medical-cost-burden": _("Medical cost burden"),
    "employment-status": _("Employment"),
    "educational-attainment": _("Education"),
    "social-connection": _("Social connection"),
    "stress": _("Stress"),
    "intimate-partner-violence": _("Interpersonal safety"),
    "health-insurance-coverage-status": _("Health insurance"),
    "incarceration-status": _("Incarceration"),
    "language-access": _("Language access"),
    "depression": _("Depression"),
    "anxiety": _("Anxiety"),
    "substance-use": _("Substance use"),
    "physical-activity": _("Physical activity"),
    "suicide-risk": _("Suicide risk"),
}

TRANSLATION_STATUS = {
    "official": _("Official translation"),
    "reviewed": _("Translation checked against published reproductions"),
    "needs_review": _("Draft translation: needs review before use with patients"),
}


def band_label(code: str) -> str:
    return str(BANDS.get(code, code))


def domain_label(code: str) -> str:
    return str(DOMAINS.get(code, code))
