"""Name matching for the duplicate check. Pure: no ORM, no Django.

Catches what registration clerks actually get wrong: accents (José/Jose), nicknames (Bill/William,
Pepe/José), given and family name swapped, one of two hyphenated or compound surnames, and typos.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from nicknames import NickNamer
from rapidfuzz import fuzz

# Common Spanish hypocorisms the English nickname table lacks (normalized, accent-free).
SPANISH_NICKNAMES: dict[str, set[str]] = {
    "pepe": {"jose"},
    "chepe": {"jose"},
    "paco": {"francisco"},
    "pancho": {"francisco"},
    "kiko": {"francisco", "enrique"},
    "beto": {"alberto", "roberto", "humberto", "gilberto"},
    "chuy": {"jesus"},
    "lupe": {"guadalupe"},
    "lupita": {"guadalupe"},
    "nacho": {"ignacio"},
    "memo": {"guillermo"},
    "lalo": {"eduardo"},
    "tono": {"antonio"},
    "tonio": {"antonio"},
    "concha": {"concepcion"},
    "chayo": {"rosario"},
    "chela": {"graciela", "marcela"},
    "quique": {"enrique"},
    "rafa": {"rafael"},
    "chente": {"vicente"},
    "tere": {"teresa"},
    "licha": {"alicia"},
    "lencho": {"lorenzo"},
    "fito": {"adolfo", "rodolfo"},
    "chabela": {"isabel"},
    "toni": {"antonio", "antonia"},
    "manolo": {"manuel"},
    "juanita": {"juana"},
    "nena": {"elena"},
    "meche": {"mercedes"},
    "charo": {"rosario"},
    "cuca": {"refugio"},
    "pili": {"pilar"},
}

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_namer = NickNamer()
MATCH_THRESHOLD = 82


def normalize(text: str) -> str:
    """Lower-case, accents removed, punctuation turned into single spaces."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_ALNUM.sub(" ", ascii_only.lower()).strip()


def tokens(text: str) -> set[str]:
    """Words of a name; a hyphenated or compound surname gives each part ("Garcia-Lopez" -> garcia, lopez)."""
    return {t for t in normalize(text).split() if t not in {"de", "del", "la", "las", "los", "y"}}


@lru_cache(maxsize=4096)
def given_name_forms(given: str) -> frozenset[str]:
    """A first name plus the formal names it may be short for and the short forms it may have."""
    base = normalize(given)
    forms = {base} if base else set()
    for word in base.split():
        forms.add(word)
        forms |= SPANISH_NICKNAMES.get(word, set())
        forms |= {k for k, v in SPANISH_NICKNAMES.items() if word in v}
        forms |= {normalize(n) for n in _namer.canonicals_of(word)}
        forms |= {normalize(n) for n in _namer.nicknames_of(word)}
    return frozenset(forms)


@dataclass(frozen=True)
class NameParts:
    given: str
    family: str


@dataclass
class MatchResult:
    score: int
    reasons: list[str] = field(default_factory=list)

    @property
    def is_match(self) -> bool:
        return self.score >= MATCH_THRESHOLD


def _given_score(a: str, b: str) -> tuple[int, str | None]:
    na, nb = normalize(a), normalize(b)
    if not na or not nb:
        return 0, None
    if na == nb:
        return 100, None
    if given_name_forms(a) & given_name_forms(b):
        return 95, "nickname"
    if tokens(a) & tokens(b):
        return 90, None
    return int(fuzz.ratio(na, nb)), None


def _family_score(a: str, b: str) -> tuple[int, str | None]:
    na, nb = normalize(a), normalize(b)
    if not na or not nb:
        return 0, None
    if na.replace(" ", "") == nb.replace(" ", ""):
        return 100, None
    if tokens(a) & tokens(b):
        return 92, "shared_surname"
    return int(fuzz.ratio(na, nb)), None


def compare_names(new: NameParts, existing: NameParts) -> MatchResult:
    """How alike two people's names are (0–100), trying both the given order and swapped names."""
    g, g_reason = _given_score(new.given, existing.given)
    f, f_reason = _family_score(new.family, existing.family)
    direct = MatchResult(min(g, f), [r for r in (g_reason, f_reason) if r])
    g2, _ = _given_score(new.given, existing.family)
    f2, _ = _family_score(new.family, existing.given)
    swapped = MatchResult(min(g2, f2), ["names_swapped"])
    best = direct if direct.score >= swapped.score else swapped
    return best
