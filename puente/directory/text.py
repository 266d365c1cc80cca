"""Pure text folding and stemming for directory search (no ORM).

Both databases search the same precomputed document: ``Service.search_document`` holds the folded (lower case, no
accents) English and Spanish Snowball stems of a service's words, separated and surrounded by single spaces.
PostgreSQL matches it with full-text search (``to_tsvector('simple', …)``, GIN index), SQLite with its FTS5
table, and the near-a-ZIP search checks its few candidates in Python with the same rule. Stemming in Python keeps
the engines' answers identical, needs no ``unaccent`` extension (which a hosted PostgreSQL may refuse to create)
and lets one document serve a bilingual network: a listing written in English is found by "pantries" and one
written in Spanish by "viviendas" or "alimentación"."""

import math
import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"[a-z0-9]+")
_ENGLISH = snowballstemmer.stemmer("english")
_SPANISH = snowballstemmer.stemmer("spanish")
# Words too common to narrow a search; dropping them keeps "help with rent" from matching every listing.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "is",
        "it",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
        "de",
        "del",
        "el",
        "la",
        "las",
        "los",
        "en",
        "y",
        "o",
        "para",
        "por",
        "con",
        "un",
        "una",
        "al",
        "que",
        "se",
        "su",
        "sus",
    ]
)


def fold(text: str) -> str:
    """Lower case without accents: "Alimentación Niños" -> "alimentacion ninos"."""
    if not text:
        return ""
    if text.isascii():  # nearly every listing: nothing to decompose (the per-character pass is most of the cost)
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def words(text: str) -> list[str]:
    """The folded words of ``text``, stopwords and anything spelled like a facet word (below) left out."""
    return [w for w in _WORD.findall(fold(text)) if w not in STOPWORDS and not w.startswith(FACET_PREFIX)]


@lru_cache(maxsize=20_000)
def stems(word: str) -> frozenset[str]:
    """The English and Spanish stems of one folded word (often the same string)."""
    if word.isdigit():  # house numbers, ZIP codes, years: no stemmer changes them
        return frozenset((word,))
    return frozenset({_ENGLISH.stemWord(word), _SPANISH.stemWord(word)})


def document(*parts: str, facets=()) -> str:
    """The search document for some texts: every stem once, then the ``facet_words``, space separated, with a
    leading and trailing space."""
    seen: dict[str, None] = {}
    for part in parts:
        for word in words(part):
            for stem in sorted(stems(word)):
                seen.setdefault(stem, None)
    for word in facets:
        seen.setdefault(word, None)
    return f" {' '.join(seen)} " if seen else ""


def query_terms(text: str) -> list[frozenset[str]]:
    """The terms of a query: each term is the set of stems of one word; a document matches a term when it holds
    any of them, and matches the query when it matches every term."""
    out: list[frozenset[str]] = []
    for word in words(text):
        term = stems(word)
        if term not in out:
            out.append(term)
    return out


def tsquery(terms: list[frozenset[str]]) -> str:
    """PostgreSQL ``to_tsquery('simple', …)`` text for ``query_terms`` and ``facet_terms`` (stems and facet words are
    [a-z0-9] only, nothing to quote)."""
    return " & ".join("(" + " | ".join(sorted(term)) + ")" for term in terms)


# SQLite's full-text table over Service.search_document (migration 0005; services.refresh_search_documents).
SQLITE_FTS_TABLE = "directory_service_fts"


def fts5_query(terms: list[frozenset[str]]) -> str:
    """SQLite FTS5 ``MATCH`` text for ``query_terms``: the same rule as ``tsquery`` (every term, any of its
    stems). Stems are quoted so a stem that happens to spell ``and``/``or``/``not`` stays a word."""
    return " AND ".join("(" + " OR ".join(f'"{stem}"' for stem in sorted(term)) + ")" for term in terms)


# Facet words: a service's languages (codes and names, its own and its locations') and taxonomy term ids, written
# into its search document as words no text can produce (``words`` drops anything with the prefix), so the need,
# the language and the text are one full-text query over one index on both engines, and one substring test per
# candidate near a ZIP. Term ids rather than SDOH categories: editing the taxonomy bridge then rewrites no
# document; the need is turned into its bridged terms' words at search time (one small query).
FACET_PREFIX = "zzf"


def language_word(language: str) -> str:
    """The facet word of a language code or name ("es", "Spanish", "Español" -> "zzflespanol"), case and accents
    folded. A name with no Latin letter or digit ("Русский", "中文") is spelled in hex of its lower-case UTF-8
    ("zzfu…"), so it still names that language rather than nothing. "" for a blank value."""
    value = (language or "").strip()
    latin = "".join(_WORD.findall(fold(value)))
    if latin:
        return f"{FACET_PREFIX}l{latin}"
    return f"{FACET_PREFIX}u{value.lower().encode().hex()}" if value else ""


def term_word(term_id) -> str:
    """The facet word of a taxonomy term id (a UUID or its string)."""
    return f"{FACET_PREFIX}t{str(term_id).replace('-', '').lower()}"


# Place words: the grid cells (CELL_DEGREES of latitude by CELL_DEGREES of longitude, about 17 by 14 miles in New
# Mexico) of a service's located sites. A search within a radius asks the full-text index for the cells its
# bounding box touches together with its other terms, so the services it then measures exactly are those matching
# everything with a site near the origin: the work follows the results, not the size of the directory nor the
# density of a city (search.distances_from).
CELL_DEGREES = 0.25
# A box touching more cells (a radius of hundreds of miles) is searched without them: every site is then near.
MAX_CELLS = 400


def _cell(degrees: float) -> int:
    return math.floor(degrees / CELL_DEGREES)


def _cell_word(row: int, column: int) -> str:
    def signed(n: int) -> str:
        return f"m{-n}" if n < 0 else str(n)

    return f"{FACET_PREFIX}g{signed(row)}x{signed(column)}"


def cell_word(latitude: float, longitude: float) -> str:
    """The place word of a point ("zzfg140xm427" for Albuquerque)."""
    return _cell_word(_cell(latitude), _cell(longitude))


def box_cells(min_lat: float, max_lat: float, min_lon: float, max_lon: float) -> frozenset[str] | None:
    """The place words of every cell a bounding box touches (a point in the box lies in one of them: ``floor``
    keeps the order of the coordinates); None when there are more than ``MAX_CELLS`` or a bound is not finite."""
    if not all(map(math.isfinite, (min_lat, max_lat, min_lon, max_lon))):
        return None
    rows = range(_cell(min_lat), _cell(max_lat) + 1)
    columns = range(_cell(min_lon), _cell(max_lon) + 1)
    if (rows.stop - rows.start) * (columns.stop - columns.start) > MAX_CELLS:
        return None
    return frozenset(_cell_word(row, column) for row in rows for column in columns)


def facet_words(languages, term_ids, sites=()) -> list[str]:
    """The facet words of some language codes and names, taxonomy term ids and sites ((latitude, longitude)), each
    once, blanks left out."""
    found = [word for word in map(language_word, languages) if word]
    found += [term_word(pk) for pk in term_ids if pk]
    found += [cell_word(lat, lon) for lat, lon in sites if lat is not None and lon is not None]
    return list(dict.fromkeys(found))


def facet_terms(language: str = "", term_ids=None) -> list[frozenset[str]]:
    """Query terms (as ``query_terms`` gives) for "speaks ``language``" and "has any of ``term_ids``"; None = no
    need given. An empty ``term_ids`` gives an empty term, which nothing matches (a need no term is bridged to)."""
    terms = []
    if word := language_word(language):
        terms.append(frozenset({word}))
    if term_ids is not None:
        terms.append(frozenset(term_word(pk) for pk in term_ids))
    return terms
