"""An explainable acuity score for one patient on a caseload. Pure: no ORM, no database.

The score is the sum of six parts; each part carries its points and a translated reason, and the pages show
every part that adds to a score with its points, so nobody has to trust a number they cannot read. All weights
and thresholds are in `DEFAULT_WEIGHTS` (the one place to change them); `settings.PUENTE_ACUITY_WEIGHTS`
overrides single entries.

The weights are a first local proposal, not a validated instrument: crisis first (a suicide or safety alert must
dominate), then the setting's intensity (workflows.md §6: hospice and hospital caseloads are the heavy ones),
readmission risk (LACE/HOSPITAL bands), social needs, overdue work and time since the last contact.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

DEFAULT_WEIGHTS: dict = {
    "crisis_per_alert": 10,
    "crisis_max": 20,
    "domain_each": 2,
    "domain_max": 10,
    "readmission": {"high": 6, "moderate": 3, "intermediate": 3, "low": 0},
    "setting": {"hospice": 4, "inpatient": 3, "emergency": 3, "home_health": 2, "outpatient": 1},
    "overdue_each": 3,
    "overdue_max": 9,
    # (at least this many days since the last contact, points), highest first; never contacted gets `never`.
    "contact_days": [(14, 4), (7, 2)],
    "contact_never": 5,
    # Tiers by total (lowest total of the tier) and the workload weight of a patient in each tier.
    "tiers": [(20, "high"), (10, "moderate"), (0, "low")],
    "tier_weight": {"high": 2.0, "moderate": 1.5, "low": 1.0},
}


def load_weights(overrides: dict | None = None) -> dict:
    weights = dict(DEFAULT_WEIGHTS)
    for key, value in (overrides or {}).items():
        if key not in weights:
            raise ValueError(f"unknown acuity weight: {key}")
        weights[key] = value
    return weights


@dataclass(frozen=True)
class AcuityInput:
    """What the score reads about one patient (the caseload query gathers it for a whole list at once)."""

    open_crisis_alerts: int = 0
    positive_domains: int = 0
    readmission_band: str | None = None
    setting: str | None = None
    setting_label: str = ""
    overdue_items: int = 0
    days_since_contact: int | None = None


@dataclass(frozen=True)
class Part:
    """One part of the score. Its reason is worded only when a page shows it (``reason``): the team page scores
    every patient of a team to count tiers and shows no reason, and wording six translated reasons per patient
    cost more than the scoring (docs/performance.md)."""

    key: str
    points: int
    explain: Callable[[], str] = field(repr=False, compare=False)

    @property
    def reason(self) -> str:
        return self.explain()


TIER_BADGES = {"high": "alert", "moderate": "warn", "low": "ok"}


@dataclass
class Acuity:
    total: int
    tier: str
    weight: float
    parts: list[Part] = field(default_factory=list)

    @property
    def scored_parts(self) -> list[Part]:
        return [p for p in self.parts if p.points]

    @property
    def tier_label(self) -> str:
        if self.tier == "high":
            return _("High acuity")
        if self.tier == "moderate":
            return _("Moderate acuity")
        return _("Low acuity")

    @property
    def tier_badge(self) -> str:
        """The badge's CSS class: alert, warn or ok."""
        return TIER_BADGES.get(self.tier, "ok")


def _crisis(i: AcuityInput, w: dict) -> Part:
    points = min(i.open_crisis_alerts * w["crisis_per_alert"], w["crisis_max"])
    if not i.open_crisis_alerts:
        return Part("crisis", 0, lambda: _("No open crisis alert"))
    n = i.open_crisis_alerts
    return Part("crisis", points, lambda: ngettext("%(n)d open crisis alert", "%(n)d open crisis alerts", n) % {"n": n})


def _domains(i: AcuityInput, w: dict) -> Part:
    points = min(i.positive_domains * w["domain_each"], w["domain_max"])
    if not i.positive_domains:
        return Part("domains", 0, lambda: _("No active social need"))
    n = i.positive_domains
    return Part(
        "domains", points, lambda: ngettext("%(n)d active social need", "%(n)d active social needs", n) % {"n": n}
    )


def _readmission(i: AcuityInput, w: dict) -> Part:
    if not i.readmission_band:
        return Part("readmission", 0, lambda: _("No readmission risk score"))
    points = w["readmission"].get(i.readmission_band, 0)
    band = i.readmission_band
    return Part("readmission", points, lambda: _readmission_label(band))


def _readmission_label(band: str) -> str:
    labels = {
        "high": _("High readmission risk"),
        "moderate": _("Moderate readmission risk"),
        "intermediate": _("Intermediate readmission risk"),
        "low": _("Low readmission risk"),
    }
    return labels.get(band, band)


def _setting(i: AcuityInput, w: dict) -> Part:
    if not i.setting:
        return Part("setting", 0, lambda: _("No active episode"))
    points = w["setting"].get(i.setting, 0)
    label = i.setting_label or i.setting
    return Part("setting", points, lambda: _("Setting: %(setting)s") % {"setting": label})


def _overdue(i: AcuityInput, w: dict) -> Part:
    if not i.overdue_items:
        return Part("overdue", 0, lambda: _("Nothing overdue"))
    points = min(i.overdue_items * w["overdue_each"], w["overdue_max"])
    n = i.overdue_items
    return Part("overdue", points, lambda: ngettext("%(n)d overdue item", "%(n)d overdue items", n) % {"n": n})


def _contact(i: AcuityInput, w: dict) -> Part:
    if i.days_since_contact is None:
        return Part("contact", w["contact_never"], lambda: _("No contact recorded yet"))
    points = next((p for days, p in w["contact_days"] if i.days_since_contact >= days), 0)
    n = i.days_since_contact
    return Part(
        "contact", points, lambda: ngettext("Last contact %(n)d day ago", "Last contact %(n)d days ago", n) % {"n": n}
    )


PARTS = (_crisis, _domains, _readmission, _setting, _overdue, _contact)


def score(i: AcuityInput, weights: dict | None = None) -> Acuity:
    w = weights or DEFAULT_WEIGHTS
    parts = [f(i, w) for f in PARTS]
    total = sum(p.points for p in parts)
    tier = next(name for low, name in w["tiers"] if total >= low)
    return Acuity(total=total, tier=tier, weight=w["tier_weight"][tier], parts=parts)
