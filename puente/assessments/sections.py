"""Biopsychosocial assessment templates by setting, as data: ordered sections, each with a translated title and
prompt (workflows.md §1–§3). No models here.

Every setting shares the hospital sections; hospice adds the IDG items (caregiver willingness and ability, DNR/MOST,
MPOA, funeral home, bereavement risk) and home health adds the impediment that justifies medical social services and
the home environment. Bump a template's `version` whenever its sections change: an assessment keeps the version it
was written on, and its stored text stays keyed by section.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Long enough for a thorough narrative; longer is almost always a paste error (a whole note in one box).
MAX_SECTION_CHARS = 10_000
MAX_ADDENDUM_CHARS = 5_000

# Signing needs the assessment's conclusions, not only the facts gathered.
REQUIRED_TO_SIGN = ("formulation", "plan")


@dataclass(frozen=True)
class Section:
    key: str
    title: Promise
    prompt: Promise


@dataclass(frozen=True)
class Template:
    setting: str
    version: str
    sections: tuple[Section, ...]

    @property
    def keys(self) -> list[str]:
        return [s.key for s in self.sections]

    def get(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)


SECTIONS = {
    s.key: s
    for s in [
        Section(
            "reason_for_referral",
            _("Reason for referral"),
            _("Who referred, when and why; what the patient and family want from social work."),
        ),
        Section(
            "impediment",
            _("Social or emotional problem impeding the plan of care"),
            _(
                "The specific social or emotional factor that impedes treatment or recovery (why medical social "
                "services are needed), and how it shows."
            ),
        ),
        Section(
            "illness",
            _("Illness, prognosis understanding and adherence"),
            _(
                "The illness and its course in plain words; what the patient and family understand about it and "
                "the prognosis; how medicines, appointments and treatment are followed, and what gets in the way."
            ),
        ),
        Section(
            "mental_cognitive",
            _("Mental and cognitive status"),
            _(
                "Orientation, memory and decision-making capacity; mood and affect; mental-health history and "
                "treatment; screening results."
            ),
        ),
        Section(
            "substance_use",
            _("Substance use"),
            _(
                "Alcohol, tobacco, cannabis, other drugs and misuse of prescriptions: what, how much, how recently; "
                "treatment history; readiness to change."
            ),
        ),
        Section(
            "family_supports",
            _("Family, supports and caregivers"),
            _(
                "Household and family; who helps and how; caregiver strain; conflict; who may receive health "
                "information."
            ),
        ),
        Section(
            "caregiver_capacity",
            _("Caregiver willingness and ability"),
            _(
                "Is the caregiver willing and able to give care at home, now and as needs grow? Hours available, "
                "physical limits, respite, backup caregivers."
            ),
        ),
        Section(
            "culture_spirituality",
            _("Culture and spirituality"),
            _(
                "Language and interpretation; cultural practices, beliefs and traditions that shape care; faith "
                "community and spiritual needs; what gives meaning."
            ),
        ),
        Section(
            "housing",
            _("Housing"),
            _(
                "Where and with whom the patient lives; stability, safety and accessibility; risk of losing "
                "housing; utilities."
            ),
        ),
        Section(
            "home_environment",
            _("Home environment"),
            _(
                "What the visit showed: access, stairs, room for equipment, hazards, and the safety of the "
                "neighborhood for the patient and for visiting staff."
            ),
        ),
        Section(
            "finances",
            _("Finances, work and insurance"),
            _(
                "Income and its sources, work and disability, benefits, insurance and gaps in coverage, costs of "
                "care, food and transport."
            ),
        ),
        Section(
            "dnr_most",
            _("DNR and MOST form on file"),
            _(
                "DNR status; whether a New Mexico MOST form or another advance directive is signed, where it is, "
                "and whether a copy is on file."
            ),
        ),
        Section(
            "mpoa",
            _("Health-care proxy (MPOA)"),
            _("Who decides if the patient cannot; whether the power of attorney is documented and a copy is on file."),
        ),
        Section(
            "funeral_home",
            _("Funeral home and arrangements"),
            _("Funeral home chosen and contacted; burial, cremation or traditional practices; how it will be paid."),
        ),
        Section(
            "coping_strengths",
            _("Coping and strengths"),
            _(
                "How the patient and family have coped with earlier crises; strengths, skills and resources to "
                "build on."
            ),
        ),
        Section(
            "risk",
            _("Risk: suicide and abuse"),
            _(
                "Suicidal thoughts or behavior and safety; signs of abuse, neglect (self-neglect too) or "
                "exploitation; intimate-partner violence; reports made (APS, CYFD, law enforcement)."
            ),
        ),
        Section(
            "bereavement_risk",
            _("Bereavement risk"),
            _(
                "Risk factors for complicated grief (little perceived support, caregiver substance use, poor "
                "coping, mental illness, a child as the patient, earlier losses) and the bereavement plan."
            ),
        ),
        Section(
            "formulation",
            _("Formulation"),
            _(
                "Your assessment in a short narrative: how the biological, psychological and social factors fit "
                "together, and the main needs."
            ),
        ),
        Section(
            "plan",
            _("Plan"),
            _("Goals agreed with the patient, interventions, referrals, who does what, visit frequency and follow-up."),
        ),
    ]
}


def _template(setting: str, version: str, keys: list[str]) -> Template:
    return Template(setting, version, tuple(SECTIONS[k] for k in keys))


_HOSPITAL = [
    "reason_for_referral",
    "illness",
    "mental_cognitive",
    "substance_use",
    "family_supports",
    "culture_spirituality",
    "housing",
    "finances",
    "coping_strengths",
    "risk",
    "formulation",
    "plan",
]
_HOME_HEALTH = [
    "reason_for_referral",
    "impediment",
    "illness",
    "mental_cognitive",
    "substance_use",
    "family_supports",
    "culture_spirituality",
    "housing",
    "home_environment",
    "finances",
    "coping_strengths",
    "risk",
    "formulation",
    "plan",
]
_HOSPICE = [
    "reason_for_referral",
    "illness",
    "mental_cognitive",
    "substance_use",
    "family_supports",
    "caregiver_capacity",
    "culture_spirituality",
    "housing",
    "finances",
    "dnr_most",
    "mpoa",
    "funeral_home",
    "coping_strengths",
    "risk",
    "bereavement_risk",
    "formulation",
    "plan",
]

TEMPLATES = {
    "hospital": _template("hospital", "hospital-1", _HOSPITAL),
    "home_health": _template("home_health", "home-health-1", _HOME_HEALTH),
    "hospice": _template("hospice", "hospice-1", _HOSPICE),
}

# An episode's setting (episodes.Setting) → the template used for it.
EPISODE_SETTING_TEMPLATE = {
    "inpatient": "hospital",
    "emergency": "hospital",
    "outpatient": "hospital",
    "home_health": "home_health",
    "hospice": "hospice",
}


def get_template(setting: str) -> Template:
    try:
        return TEMPLATES[setting]
    except KeyError:
        raise LookupError(f"no assessment template for {setting!r}") from None


def template_for_episode(episode_setting: str | None) -> str | None:
    return EPISODE_SETTING_TEMPLATE.get(episode_setting or "")
