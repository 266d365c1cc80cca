"""The Spanish catalog: complete, not fuzzy, placeholders intact, compiled, and actually used by the pages.

The .po is parsed here with a few lines of Python (no polib), so these checks also run where GNU gettext is
not installed. `scripts/check_translations.sh` re-runs makemessages and msgfmt for a quick check by hand.
"""

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import TestCase
from django.urls import reverse

from puente.core.testing import make_org, make_user

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES"
PO_PATH = LOCALE_DIR / "django.po"
MO_PATH = LOCALE_DIR / "django.mo"
PASSWORD = "correct horse battery"  # what make_user gives every user

# printf-style conversions as Python's % operator reads them; "%%" is a literal percent sign.
PY_FORMAT = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0\- +]*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?P<conv>[diouxXeEfFgGcrsa%])")
BRACE_FORMAT = re.compile(r"(?<!\{)\{(?!\{)([^{}]*)\}(?!\})")
HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def label(self) -> str:
        return f"line {self.line}: {self.msgid[:60]!r}"


def parse_po(text: str) -> list[Entry]:
    """Entries of a .po file: flags, msgctxt, msgid, msgid_plural and msgstr / msgstr[n]. Obsolete (#~) skipped."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None  # the string that continuation lines extend
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            target = None
            continue
        # A comment or msgctxt/msgid after a msgstr starts the next entry (blank lines are optional).
        if entry is None or (line.startswith(("#", "msgctxt ", "msgid ")) and entry.msgstr):
            entry = Entry(line=lineno)
            entries.append(entry)
        if line.startswith("#,"):
            entry.flags.update(f.strip() for f in line[2:].split(",") if f.strip())
            continue
        if line.startswith("#"):
            continue
        match = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")$", line)
        if match:
            target, literal = (match[1], int(match[2] or 0)), match[3]
            keyword, n = target
            if keyword == "msgstr":
                entry.msgstr.extend([""] * (n + 1 - len(entry.msgstr)))
            else:
                setattr(entry, keyword, "")
                entry.line = lineno if keyword == "msgid" else entry.line
        elif line.startswith('"') and target is not None:
            literal = line
        else:
            raise AssertionError(f"{PO_PATH.name}:{lineno}: cannot parse {raw!r}")
        value = ast.literal_eval(literal)  # PO escapes (\\n, \\t, \\", \\\\) are Python's
        keyword, n = target
        if keyword == "msgstr":
            entry.msgstr[n] += value
        else:
            setattr(entry, keyword, getattr(entry, keyword) + value)
    # Comment lines that only belonged to obsolete (#~) entries make entries without any msgstr: drop them.
    return [e for e in entries if e.msgstr]


def header_fields(entries: list[Entry]) -> dict[str, str]:
    header = next(e for e in entries if e.is_header)
    pairs = (line.split(":", 1) for line in header.msgstr[0].splitlines() if ":" in line)
    return {k.strip(): v.strip() for k, v in pairs}


def py_placeholders(text: str) -> tuple[list[str], list[str]]:
    """(sorted named placeholders, ordered positional conversions) of a python-format string."""
    named, positional = [], []
    for m in PY_FORMAT.finditer(text):
        if m["conv"] == "%":
            continue
        if m["name"] is not None:
            named.append(f"%({m['name']}){m['conv']}")
        else:
            positional.append(m["conv"])
    return sorted(named), positional


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    assert PO_PATH.exists(), f"{PO_PATH} is missing: run makemessages -l es"
    return parse_po(PO_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def messages(entries) -> list[Entry]:
    return [e for e in entries if not e.is_header]


def test_the_catalog_has_a_spanish_utf8_header(entries):
    header = header_fields(entries)
    assert header.get("Language") == "es"
    assert "charset=UTF-8" in header.get("Content-Type", "")
    assert header.get("Plural-Forms", "").startswith("nplurals=")


def test_the_parser_reads_the_whole_catalog(messages):
    assert len(messages) > 300
    assert len({(e.msgctxt, e.msgid) for e in messages}) == len(messages), "duplicate msgids"
    by_id = {e.msgid: e for e in messages}
    assert by_id["My work"].msgstr == ["Mi trabajo"]
    assert "python-format" in by_id["%(zip)s is not a US ZIP code."].flags


def test_nothing_is_untranslated(messages):
    untranslated = [e.label for e in messages if not e.msgstr or any(not s.strip() for s in e.msgstr)]
    assert not untranslated, f"{len(untranslated)} untranslated entries:\n" + "\n".join(untranslated)


def test_nothing_is_fuzzy(entries):
    fuzzy = [e.label if not e.is_header else "the header" for e in entries if "fuzzy" in e.flags]
    assert not fuzzy, "fuzzy entries (check each translation, then delete its '#, fuzzy' line):\n" + "\n".join(fuzzy)


def test_plural_entries_have_every_form(entries, messages):
    nplurals = int(re.search(r"nplurals\s*=\s*(\d+)", header_fields(entries)["Plural-Forms"])[1])
    wrong = [e.label for e in messages if e.msgid_plural is not None and len(e.msgstr) != nplurals]
    assert not wrong, f"plural entries without {nplurals} forms:\n" + "\n".join(wrong)


def test_placeholders_survive_translation(messages):
    problems = []
    for e in messages:
        sources = [e.msgid] if e.msgid_plural is None else [e.msgid] + [e.msgid_plural] * (len(e.msgstr) - 1)
        for source, translated in zip(sources, e.msgstr, strict=False):
            # A named placeholder that is lost (or invented) breaks the sentence or raises KeyError.
            lost = set(re.findall(r"%\([^)]*\)\w", source)) - set(re.findall(r"%\([^)]*\)\w", translated))
            if lost:
                problems.append(f"{e.label}: lost {sorted(lost)}")
            if "python-format" in e.flags and py_placeholders(source) != py_placeholders(translated):
                problems.append(f"{e.label}: {py_placeholders(source)} != {py_placeholders(translated)}")
            if "python-brace-format" in e.flags and sorted(BRACE_FORMAT.findall(source)) != sorted(
                BRACE_FORMAT.findall(translated)
            ):
                problems.append(f"{e.label}: brace placeholders differ")
            # Markup must come through unchanged (scripts find elements by these ids and classes).
            if sorted(HTML_TAG.findall(source)) != sorted(HTML_TAG.findall(translated)):
                problems.append(f"{e.label}: HTML differs: {HTML_TAG.findall(translated)}")
    assert not problems, "\n".join(problems)


def test_the_compiled_catalog_matches_the_po(messages):
    """The committed .mo must be compiled from the current .po (run compilemessages after every edit).

    File times are useless for this after a git checkout, so compare the contents instead.
    """
    assert MO_PATH.exists(), f"{MO_PATH} is missing: run compilemessages -l es"
    with MO_PATH.open("rb") as fh:
        mo = gettext.GNUTranslations(fh)
    stale = []
    for e in messages:
        if e.msgid_plural is None:
            got = mo.pgettext(e.msgctxt, e.msgid) if e.msgctxt is not None else mo.gettext(e.msgid)
            if got != e.msgstr[0]:
                stale.append(f"{e.label}: .mo has {got!r}, .po has {e.msgstr[0]!r}")
            continue
        for form, expected in enumerate(e.msgstr):
            n = next((n for n in (1, 2, 0, 3, 5, 11, 21, 1_000_000) if mo.plural(n) == form), None)
            if n is None:
                continue
            if e.msgctxt is not None:
                got = mo.npgettext(e.msgctxt, e.msgid, e.msgid_plural, n)
            else:
                got = mo.ngettext(e.msgid, e.msgid_plural, n)
            if got != expected:
                stale.append(f"{e.label} [form {form}]: .mo has {got!r}, .po has {expected!r}")
    assert not stale, "the .mo is older than the .po; run compilemessages -l es:\n" + "\n".join(stale[:20])
    # And nothing left over from an older .po (the .mo holds the header plus one key per form).
    expected_keys = sum(len(e.msgstr) if e.msgid_plural is not None else 1 for e in messages)
    assert len([k for k in mo._catalog if k != ""]) == expected_keys


class SpanishPages(TestCase):
    """A user who has chosen Spanish gets Spanish pages."""

    @classmethod
    def setUpTestData(cls):
        cls.org = make_org()
        cls.worker = make_user(cls.org, name="Rosa Worker")

    def setUp(self):
        response = self.client.post(reverse("accounts:login"), {"username": self.worker.email, "password": PASSWORD})
        self.assertEqual(response.status_code, 302, "sign-in failed")
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"

    def test_the_dashboard_is_in_spanish(self):
        response = self.client.get("/dashboard/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'lang="es"')
        self.assertContains(response, "Mi trabajo")
        self.assertContains(response, "Hola, Rosa")
        self.assertContains(response, "Cerrar sesión")
        self.assertNotContains(response, "My work")

    def test_the_new_patient_form_is_in_spanish(self):
        response = self.client.get("/patients/new/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'lang="es"')
        for text in (
            "Nuevo paciente",
            "Nombre legal",
            "Fecha de nacimiento",
            "Código postal",
            "Necesita intérprete",
            "Solo interpretación oral",
            "navajo (diné bizaad)",
        ):
            self.assertContains(response, text)
        self.assertNotContains(response, "Date of birth")

    def test_english_stays_english(self):
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = self.client.get("/dashboard/")
        self.assertContains(response, 'lang="en"')
        self.assertContains(response, "My work")
        self.assertNotContains(response, "Mi trabajo")
