"""Who should take a new social-work referral: a ranked suggestion with its reasons. Pure: no ORM.

Three things count, each with points in `DEFAULT_WEIGHTS` and a reason the supervisor reads:
- weighted load: room left under the worker's target (acuity-weighted patients), scaled to `load_points`;
  a worker over the target gets negative points;
- language: the worker speaks the patient's preferred language (a big plus when the patient needs an
  interpreter, since a shared language then replaces one);
- territory: the patient's county (from the ZIP) is one the worker covers (home visits, travel).
The supervisor decides; the suggestion never assigns by itself.
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

DEFAULT_WEIGHTS = {
    "load_points": 10,
    # A worker without a target is compared with this many weighted patients.
    "fallback_capacity": 20,
    "language": 6,
    "language_interpreter": 10,
    "territory": 4,
}


@dataclass(frozen=True)
class Candidate:
    worker_id: object
    name: str
    weighted_load: float
    capacity: int | None  # the ceiling of the worker's target, if any
    languages: frozenset[str] = frozenset()
    counties: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Need:
    language: str = ""
    language_label: str = ""
    interpreter_needed: bool = False
    county: str = ""


@dataclass
class Ranked:
    candidate: Candidate
    points: float
    reasons: list[str] = field(default_factory=list)


def parse_languages(text: str, names: dict[str, str]) -> frozenset[str]:
    """'English, Spanish; Diné' → {'en', 'es', 'nv'}. `names` maps lower-case names and codes to codes."""
    found = set()
    for piece in re.split(r"[,;/]| and | y ", text or ""):
        key = piece.strip().lower()
        if key in names:
            found.add(names[key])
    return frozenset(found)


def parse_counties(text: str) -> frozenset[str]:
    return frozenset(c.strip().removesuffix(" County").lower() for c in re.split(r"[,;]", text or "") if c.strip())


def rank(need: Need, candidates: list[Candidate], weights: dict | None = None) -> list[Ranked]:
    """Best first; ties go to the lighter load, then the name (so the order is stable)."""
    w = weights or DEFAULT_WEIGHTS
    ranked = [_score(need, c, w) for c in candidates]
    ranked.sort(key=lambda r: (-r.points, r.candidate.weighted_load, r.candidate.name))
    return ranked


def _score(need: Need, c: Candidate, w: dict) -> Ranked:
    reasons = []
    capacity = c.capacity or w["fallback_capacity"]
    room = (capacity - c.weighted_load) / capacity
    points = round(room * w["load_points"], 1)
    if c.weighted_load > capacity:
        reasons.append(
            _("Over target: weighted load %(load)s of %(cap)d") % {"load": _num(c.weighted_load), "cap": capacity}
        )
    else:
        reasons.append(_("Weighted load %(load)s of %(cap)d") % {"load": _num(c.weighted_load), "cap": capacity})
    if need.language and need.language in c.languages:
        bonus = w["language_interpreter"] if need.interpreter_needed else w["language"]
        points += bonus
        reasons.append(_("Speaks %(language)s") % {"language": need.language_label or need.language})
    elif need.language and need.interpreter_needed:
        reasons.append(_("Does not speak %(language)s: an interpreter is needed") % {"language": need.language_label})
    county = need.county.strip().removesuffix(" County").lower()
    if county and county in c.counties:
        points += w["territory"]
        reasons.append(_("Covers %(county)s County") % {"county": need.county})
    elif county:
        reasons.append(_("Does not cover %(county)s County") % {"county": need.county})
    return Ranked(c, round(points, 1), reasons)


def _num(value: float) -> str:
    return f"{value:g}"
