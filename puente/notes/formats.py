"""Progress-note formats as data: each format is an ordered list of sections with translated titles. No ORM.

A section marked `fresh` is never carried forward from an earlier note (copy-forward): it describes today's contact
(what was said, seen, done and how the patient responded), and text copied from another day would be a cloned
record of a contact that did not happen that way. The assessment, the intervention approach and the plan usually
continue from one contact to the next, so they are carried forward for the worker to review.
"""

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
    fresh: bool = False  # written anew for each contact; never copied forward


@dataclass(frozen=True)
class NoteFormat:
    key: str
    title: str | Promise
    sections: tuple[Section, ...]

    @property
    def keys(self) -> list[str]:
        return [s.key for s in self.sections]

    @property
    def carried_keys(self) -> list[str]:
        """The sections copy-forward carries over; empty means the format offers no copy-forward."""
        return [s.key for s in self.sections if not s.fresh]

    def get(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)


# DAP "Data": what was observed and said at this contact.
_DATA = Section("data", _("Data"), fresh=True)
_ASSESSMENT = Section("assessment", _("Assessment"))
_PLAN = Section("plan", _("Plan"))

FORMATS: dict[str, NoteFormat] = {
    f.key: f
    for f in (
        NoteFormat("dap", _("DAP (Data, Assessment, Plan)"), (_DATA, _ASSESSMENT, _PLAN)),
        NoteFormat(
            "soap",
            _("SOAP (Subjective, Objective, Assessment, Plan)"),
            # Subjective (the patient's words today) and Objective (what the worker observed today) are fresh.
            (
                Section("subjective", _("Subjective"), fresh=True),
                Section("objective", _("Objective"), fresh=True),
                _ASSESSMENT,
                _PLAN,
            ),
        ),
        NoteFormat(
            "birp",
            _("BIRP (Behavior, Intervention, Response, Plan)"),
            (
                # Behavior (presentation today) and Response (to today's intervention) are fresh; the
                # intervention approach often continues and is carried for review.
                Section("behavior", _("Behavior"), fresh=True),
                Section("intervention", _("Intervention")),
                Section("response", _("Response"), fresh=True),
                _PLAN,
            ),
        ),
        # A narrative note is one account of one contact: copying it would clone the whole note, so its only section
        # is fresh and the narrative format offers no copy-forward.
        NoteFormat("narrative", _("Narrative"), (Section("narrative", _("Note"), fresh=True),)),
    )
}


def get_format(key: str) -> NoteFormat:
    return FORMATS[key]
