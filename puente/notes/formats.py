"""Progress-note formats as data: each format is an ordered list of sections with translated titles. No ORM."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

MAX_SECTION_CHARS = 20_000
MAX_ADDENDUM_CHARS = 10_000
MAX_PHRASE_CHARS = 2_000


@dataclass(frozen=True)
class Section:
    key: str
    title: str | Promise


@dataclass(frozen=True)
class NoteFormat:
    key: str
    title: str | Promise
    sections: tuple[Section, ...]

    @property
    def keys(self) -> list[str]:
        return [s.key for s in self.sections]

    def get(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)


_DATA = Section("data", _("Data"))
_ASSESSMENT = Section("assessment", _("Assessment"))
_PLAN = Section("plan", _("Plan"))

FORMATS: dict[str, NoteFormat] = {
    f.key: f
    for f in (
        NoteFormat("dap", _("DAP (Data, Assessment, Plan)"), (_DATA, _ASSESSMENT, _PLAN)),
        NoteFormat(
            "soap",
            _("SOAP (Subjective, Objective, Assessment, Plan)"),
            (Section("subjective", _("Subjective")), Section("objective", _("Objective")), _ASSESSMENT, _PLAN),
        ),
        NoteFormat(
            "birp",
            _("BIRP (Behavior, Intervention, Response, Plan)"),
            (
                Section("behavior", _("Behavior")),
                Section("intervention", _("Intervention")),
                Section("response", _("Response")),
                _PLAN,
            ),
        ),
        NoteFormat("narrative", _("Narrative"), (Section("narrative", _("Note")),)),
    )
}


def get_format(key: str) -> NoteFormat:
    return FORMATS[key]
