"""Caseload targets and where a worker's acuity-weighted load stands against them. Pure: no ORM.

Targets (workflows.md §6): hospital up to 20 patients per case manager; hospice 20–30 per FTE (NHO). No source
gives a home-health social-work caseload (a gap), so home health has no default target until an agency sets one.
A team's own row (`caseload.CaseloadTarget`) wins over these defaults; `settings.PUENTE_CASELOAD_TARGETS`
replaces the defaults.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

HOSPITAL, HOSPICE, HOME_HEALTH = "hospital", "hospice", "home_health"

# Episode settings → the caseload kind whose ratio applies.
SETTING_GROUP = {
    "inpatient": HOSPITAL,
    "emergency": HOSPITAL,
    "outpatient": HOSPITAL,
    "hospice": HOSPICE,
    "home_health": HOME_HEALTH,
}

# (low, high): low is the ratio's floor (None: none), high its ceiling.
DEFAULT_TARGETS: dict[str, tuple[int | None, int | None]] = {
    HOSPITAL: (None, 20),
    HOSPICE: (20, 30),
    HOME_HEALTH: (None, None),
}


@dataclass(frozen=True)
class Target:
    low: int | None
    high: int | None

    def describe(self) -> str:
        if self.low is not None and self.high is not None:
            return _("%(low)d–%(high)d") % {"low": self.low, "high": self.high}
        if self.high is not None:
            return _("up to %(high)d") % {"high": self.high}
        if self.low is not None:
            return _("at least %(low)d") % {"low": self.low}
        return _("no target set")


def main_group(settings_seen: list[str]) -> str | None:
    """The caseload kind of a team: the group most of its active episodes belong to (ties: hospital first)."""
    counts: dict[str, int] = {}
    for s in settings_seen:
        group = SETTING_GROUP.get(s)
        if group:
            counts[group] = counts.get(group, 0) + 1
    if not counts:
        return None
    order = [HOSPITAL, HOSPICE, HOME_HEALTH]
    return max(counts, key=lambda g: (counts[g], -order.index(g)))


def default_target(group: str | None, defaults: dict | None = None) -> Target:
    low, high = (defaults or DEFAULT_TARGETS).get(group or "", (None, None))
    return Target(low, high)


OVER, WITHIN, UNDER, UNSET = "over", "within", "under", "unset"


def standing(load: float, target: Target) -> str:
    """Over the ceiling, under the floor, within, or no target. The boundary itself is within."""
    if target.high is None and target.low is None:
        return UNSET
    if target.high is not None and load > target.high:
        return OVER
    if target.low is not None and load < target.low:
        return UNDER
    return WITHIN


def standing_label(value: str) -> str:
    return {
        OVER: _("Over target"),
        WITHIN: _("Within target"),
        UNDER: _("Under target"),
        UNSET: _("No target set"),
    }[value]
