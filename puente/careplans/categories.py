"""Gravity SDOH categories (standards.md §6.3) as the care plan shows them: a staff label, plain words for the
patient's printed plan, and which categories are never printed.

Staff labels reuse screening's (one translation for one idea); the plain words are written for a patient reading
their own plan at home, without jargon or codes.
"""

from django.utils.translation import gettext_lazy as _

from puente.screening.labels import DOMAINS

# The 24 Gravity SDOH category codes, in the IG's order.
GRAVITY_CATEGORIES = [
    "food-insecurity",
    "housing-instability",
    "homelessness",
    "inadequate-housing",
    "transportation-insecurity",
    "financial-insecurity",
    "material-hardship",
    "educational-attainment",
    "employment-status",
    "veteran-status",
    "stress",
    "social-connection",
    "intimate-partner-violence",
    "elder-abuse",
    "personal-health-literacy",
    "health-insurance-coverage-status",
    "medical-cost-burden",
    "digital-literacy",
    "digital-access",
    "utility-insecurity",
    "incarceration-status",
    "language-access",
    "protective-factor",
    "sdoh-category-unspecified",
]

_EXTRA_LABELS = {
    "veteran-status": _("Veteran status"),
    "elder-abuse": _("Elder abuse"),
    "personal-health-literacy": _("Health literacy"),
    "digital-literacy": _("Digital literacy"),
    "digital-access": _("Digital access"),
    "protective-factor": _("Protective factor"),
    "sdoh-category-unspecified": _("Other social need"),
}

PLAIN_WORDS = {
    "food-insecurity": _("Having enough food"),
    "housing-instability": _("Keeping your home"),
    "homelessness": _("Finding a place to live"),
    "inadequate-housing": _("A safe and healthy home"),
    "transportation-insecurity": _("Getting where you need to go"),
    "financial-insecurity": _("Money for everyday needs"),
    "material-hardship": _("Things you need at home"),
    "educational-attainment": _("School and learning"),
    "employment-status": _("Work"),
    "veteran-status": _("Help for veterans"),
    "stress": _("Stress"),
    "social-connection": _("Staying in touch with people"),
    "intimate-partner-violence": _("Feeling safe"),
    "elder-abuse": _("Feeling safe"),
    "personal-health-literacy": _("Understanding health information"),
    "health-insurance-coverage-status": _("Health insurance"),
    "medical-cost-burden": _("Paying for medical care"),
    "digital-literacy": _("Using phones and computers"),
    "digital-access": _("Phone and internet"),
    "utility-insecurity": _("Paying for electricity, gas and water"),
    "incarceration-status": _("Help after jail or prison"),
    "language-access": _("Help in your language"),
    "protective-factor": _("What helps you"),
    "sdoh-category-unspecified": _("Other needs"),
}

# Never printed on the patient's copy: someone else at home may read it (workflows.md §8, sensitive notes).
NOT_PRINTED = frozenset({"intimate-partner-violence", "elder-abuse"})


def category_label(code: str) -> str:
    return str(DOMAINS.get(code) or _EXTRA_LABELS.get(code) or code)


def plain_words(code: str) -> str:
    return str(PLAIN_WORDS.get(code, PLAIN_WORDS["sdoh-category-unspecified"]))


def category_choices() -> list[tuple[str, str]]:
    return [(c, category_label(c)) for c in GRAVITY_CATEGORIES]
