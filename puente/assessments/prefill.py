"""What a new assessment draft starts with: the facts the record already holds, written as plain, editable text
under the section they belong to. Pure: the facts come in as plain data (services.gather_facts reads them), so that
nothing here touches the database.

Facts only, never conclusions: the worker checks, edits and completes every section.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

# Where a social-need domain (Gravity / screening `positive_domains` and health-concern categories) is discussed.
DOMAIN_SECTIONS = {
    "depression": "mental_cognitive",
    "anxiety": "mental_cognitive",
    "stress": "coping_strengths",
    "substance-use": "substance_use",
    "suicide-risk": "risk",
    "intimate-partner-violence": "risk",
    "social-connection": "family_supports",
    "incarceration-status": "family_supports",
    "housing-instability": "housing",
    "homelessness": "housing",
    "inadequate-housing": "housing",
    "utility-insecurity": "housing",
    "language-access": "culture_spirituality",
    "physical-activity": "illness",
    "food-insecurity": "finances",
    "transportation-insecurity": "finances",
    "financial-insecurity": "finances",
    "material-hardship": "finances",
    "medical-cost-burden": "finances",
    "employment-status": "finances",
    "educational-attainment": "finances",
    "health-insurance-coverage-status": "finances",
}
DEFAULT_SECTION = "finances"  # the broadest social-needs section

# Instruments whose result belongs to one section whatever it found; the others are placed by the needs they found.
INSTRUMENT_SECTIONS = {
    "phq2": "mental_cognitive",
    "phq9": "mental_cognitive",
    "gad2": "mental_cognitive",
    "gad7": "mental_cognitive",
    "cssrs_screener": "risk",
    "lace": "illness",
    "hospital_score": "illness",
}


@dataclass
class Person:
    relationship: str  # RelatedPerson.Relationship code
    relationship_label: str
    name: str
    relation_detail: str = ""
    phone: str = ""
    may_receive_information: bool = False


@dataclass
class EpisodeFacts:
    setting_label: str
    place: str  # unit, else facility
    start: str  # formatted date
    attending: str = ""
    payer: str = ""


@dataclass
class ReferralFacts:
    received: str  # formatted date and time
    source_label: str
    priority_label: str
    reasons: list[str] = field(default_factory=list)  # labels
    referred_by: str = ""
    detail: str = ""


@dataclass
class ScreenFacts:
    instrument_id: str
    title: str
    when: str  # formatted date
    total: int | None = None
    band_label: str = ""
    domains: list[tuple[str, str]] = field(default_factory=list)  # (code, label)
    complete: bool = True


@dataclass
class ConcernFacts:
    category: str
    label: str
    status_label: str
    icd10_code: str = ""
    icd10_title: str = ""


@dataclass
class RecordFacts:
    age: int
    language_label: str
    interpreter_needed: bool = False
    oral_only: bool = False
    insurance: str = "unknown"
    insurance_label: str = ""
    insurance_plan: str = ""
    advance_directive_on_file: bool = False
    city: str = ""
    county: str = ""
    address_confidential: bool = False
    persons: list[Person] = field(default_factory=list)
    episode: EpisodeFacts | None = None
    referral: ReferralFacts | None = None
    screens: list[ScreenFacts] = field(default_factory=list)  # the latest of each instrument
    concerns: list[ConcernFacts] = field(default_factory=list)  # suggested or active
    open_alerts: list[tuple[str, str]] = field(default_factory=list)  # (kind label, raised)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def _person_line(p: Person) -> str:
    line = _("%(relationship)s: %(name)s") % {"relationship": p.relationship_label, "name": p.name}
    if p.relation_detail:
        line += f" ({p.relation_detail})"
    if p.phone:
        line += f", {p.phone}"
    line += "; " + (_("may receive health information") if p.may_receive_information else _("no release on record"))
    return _sentence(line)


def _screen_summary(s: ScreenFacts) -> str:
    parts = []
    if s.total is not None:
        parts.append(_("total %(total)s") % {"total": s.total})
    if s.band_label:
        parts.append(s.band_label)
    if not s.complete:
        parts.append(_("incomplete"))
    result = ", ".join(parts)
    if s.domains:
        needs = _("needs found: %(needs)s") % {"needs": ", ".join(label for _code, label in s.domains)}
        result = f"{result}; {needs}" if result else needs
    if not result:
        result = _("no needs found")
    return _sentence(
        _("%(instrument)s on %(when)s: %(result)s") % {"instrument": s.title, "when": s.when, "result": result}
    )


def build_prefill(facts: RecordFacts, section_keys: list[str]) -> dict[str, str]:
    """Text per section key, only for the sections of this template that have something to say."""
    lines: dict[str, list[str]] = defaultdict(list)

    # Reason for referral: who the patient is, the episode, and the referral itself.
    lines["reason_for_referral"].append(_sentence(_("%(age)s-year-old patient") % {"age": facts.age}))
    if facts.episode:
        e = facts.episode
        where = " · ".join(p for p in [e.setting_label, e.place] if p)
        lines["reason_for_referral"].append(
            _sentence(_("Current episode: %(episode)s, since %(start)s") % {"episode": where, "start": e.start})
        )
        if e.attending:
            lines["reason_for_referral"].append(_sentence(_("Attending: %(name)s") % {"name": e.attending}))
        if e.payer:
            lines["finances"].append(_sentence(_("Payer for this episode: %(payer)s") % {"payer": e.payer}))
    if facts.referral:
        r = facts.referral
        lines["reason_for_referral"].append(
            _sentence(
                _("Referred to social work on %(when)s (%(source)s, priority: %(priority)s)")
                % {"when": r.received, "source": r.source_label, "priority": r.priority_label}
            )
        )
        if r.referred_by:
            lines["reason_for_referral"].append(_sentence(_("Referred by: %(name)s") % {"name": r.referred_by}))
        if r.reasons:
            lines["reason_for_referral"].append(
                _sentence(_("Reasons: %(reasons)s") % {"reasons": "; ".join(r.reasons)})
            )
        if r.detail.strip():
            lines["reason_for_referral"].append(_("Referral details: %(detail)s") % {"detail": r.detail.strip()})

    # Language and interpretation.
    lines["culture_spirituality"].append(
        _sentence(_("Preferred language: %(language)s") % {"language": facts.language_label})
    )
    if facts.interpreter_needed:
        lines["culture_spirituality"].append(_("Interpreter needed."))
    if facts.oral_only:
        lines["culture_spirituality"].append(_("Oral interpretation only: no written translations."))

    # Related persons: everyone under family and supports; hospice also asks about caregivers and the proxy.
    for p in facts.persons:
        lines["family_supports"].append(_person_line(p))
    caregivers = [p for p in facts.persons if p.relationship == "caregiver"]
    if caregivers:
        lines["caregiver_capacity"].append(
            _sentence(_("Caregivers on record: %(names)s") % {"names": ", ".join(p.name for p in caregivers)})
        )
    proxies = [p for p in facts.persons if p.relationship in ("proxy", "guardian")]
    for p in proxies:
        lines["mpoa"].append(_person_line(p))
    if not proxies:
        lines["mpoa"].append(_("No health-care proxy (MPOA) or guardian on record."))
    lines["dnr_most"].append(
        _("Advance directive on file: yes.")
        if facts.advance_directive_on_file
        else _("No advance directive on file in the record.")
    )

    # Where the patient lives (never a confidential address), and insurance.
    place = ", ".join(p for p in [facts.city, facts.county] if p)
    if place and not facts.address_confidential:
        lines["housing"].append(_sentence(_("Lives in: %(place)s") % {"place": place}))
    if facts.insurance and facts.insurance != "unknown":
        text = _("Insurance: %(insurance)s") % {"insurance": facts.insurance_label}
        if facts.insurance_plan:
            text += f" ({facts.insurance_plan})"
        lines["finances"].insert(0, _sentence(text))

    # The latest result of each instrument, and the needs it found.
    for s in facts.screens:
        home = INSTRUMENT_SECTIONS.get(s.instrument_id)
        if home:
            lines[home].append(_screen_summary(s))
        by_section: dict[str, list[str]] = defaultdict(list)
        for code, label in s.domains:
            target = DOMAIN_SECTIONS.get(code, DEFAULT_SECTION)
            if target != home:
                by_section[target].append(label)
        for target, labels in by_section.items():
            lines[target].append(
                _sentence(
                    _("%(instrument)s on %(when)s: %(needs)s")
                    % {"instrument": s.title, "when": s.when, "needs": ", ".join(labels)}
                )
            )
        if not home and not s.domains:
            lines[DEFAULT_SECTION].append(_screen_summary(s))

    for c in facts.concerns:
        text = _("Health concern (%(status)s): %(concern)s") % {"status": c.status_label, "concern": c.label}
        if c.icd10_code:
            text += f" — {c.icd10_code}" + (f" {c.icd10_title}" if c.icd10_title else "")
        lines[DOMAIN_SECTIONS.get(c.category, DEFAULT_SECTION)].append(_sentence(text))

    for kind, raised in facts.open_alerts:
        lines["risk"].append(
            _sentence(_("Open crisis alert: %(kind)s, raised %(when)s") % {"kind": kind, "when": raised})
        )

    return {key: "\n".join(lines[key]) for key in section_keys if lines.get(key)}
