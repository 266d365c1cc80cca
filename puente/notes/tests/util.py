"""Small helpers shared by the note tests."""

from datetime import datetime, timedelta

from django.utils import timezone

from puente.notes import services
from puente.notes.forms import field_name
from puente.notes.models import ProgressNote


def start(patient, user, fmt: str = "dap", *, sensitive_reason: str = "", contact_at: datetime | None = None):
    return services.start_note(None, patient, fmt, user=user, sensitive_reason=sensitive_reason, contact_at=contact_at)


def signed(patient, user, fmt: str = "dap", **kwargs) -> ProgressNote:
    note = start(patient, user, fmt, **kwargs)
    key = note.note_format.keys[0]
    return services.sign_note(None, note, version=note.version, sections={key: "Met with patient."}, user=user)


def form_data(note: ProgressNote, version: int | None = None, editor: str = "", **texts) -> dict:
    """The edit form as the browser sends it: every section, the version it was opened at, the editor token."""
    data = {
        "version": str(version if version is not None else note.version),
        "editor": editor,
        "sensitive_reason": note.sensitive_reason,
    }
    for key in note.note_format.keys:
        data[field_name(key)] = texts.get(key, note.sections.get(key, ""))
    return data


def hours_ago(hours: float) -> datetime:
    return timezone.now() - timedelta(hours=hours)
