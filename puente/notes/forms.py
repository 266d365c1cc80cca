"""Note forms: start a note, edit a draft (one text box per section of its format), an addendum, a phrase."""

import uuid
from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .formats import FORMATS, MAX_ADDENDUM_CHARS, MAX_PHRASE_CHARS, MAX_SECTION_CHARS, NoteFormat
from .models import SensitiveReason

FIELD_PREFIX = "s_"
SENSITIVE_CHOICES = [("", _("Not sensitive")), *SensitiveReason.choices]


def field_name(section_key: str) -> str:
    return FIELD_PREFIX + section_key


def _no_silent_truncation(field: forms.Field) -> None:
    # A browser's maxlength cuts a paste short without a word; the server says so instead.
    field.widget.attrs.pop("maxlength", None)


def _sensitive_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Sensitive content"),
        help_text=_("A sensitive note is hidden from the care team, partners and intake."),
        choices=SENSITIVE_CHOICES,
        required=False,
    )


class StartNoteForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"), choices=[(f.key, f.title) for f in FORMATS.values()], widget=forms.RadioSelect
    )
    contact_at = forms.DateTimeField(
        label=_("Contact date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    sensitive_reason = _sensitive_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_at"].initial = timezone.localtime().replace(second=0, microsecond=0)

    def clean_contact_at(self):
        value = self.cleaned_data["contact_at"]
        if value > timezone.now() + timedelta(minutes=5):
            raise forms.ValidationError(_("The contact cannot be in the future."))
        return value


class NoteForm(forms.Form):
    """The draft's sections. `version` is the version the form was opened at; `editor` names this open form."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    editor = forms.CharField(widget=forms.HiddenInput, max_length=32, required=False)
    sensitive_reason = _sensitive_field()

    def __init__(self, *args, note_format: NoteFormat, **kwargs):
        super().__init__(*args, **kwargs)
        self.note_format = note_format
        self.fields["editor"].initial = uuid.uuid4().hex
        for section in note_format.sections:
            field = forms.CharField(
                label=section.title,
                required=False,
                max_length=MAX_SECTION_CHARS,
                strip=False,
                widget=forms.Textarea(attrs={"rows": 5, "class": "note-text"}),
            )
            _no_silent_truncation(field)
            field.section = section  # type: ignore[attr-defined]
            self.fields[field_name(section.key)] = field

    def section_fields(self) -> list[forms.BoundField]:
        return [self[field_name(s.key)] for s in self.note_format.sections]

    def sections(self) -> dict[str, str]:
        """The texts sent, by section key (CRLF stored as LF); a section missing from the request is left as is."""
        return {
            s.key: self.cleaned_data[field_name(s.key)].replace("\r\n", "\n")
            for s in self.note_format.sections
            if field_name(s.key) in self.data
        }

    def sent_sensitive_reason(self) -> str | None:
        return self.cleaned_data["sensitive_reason"] if "sensitive_reason" in self.data else None


class AddendumForm(forms.Form):
    text = forms.CharField(
        label=_("Addendum"),
        help_text=_("What was learned or changed after signing. It is added below the signed note, with your name."),
        max_length=MAX_ADDENDUM_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _no_silent_truncation(self.fields["text"])


class PhraseForm(forms.Form):
    shortcut = forms.CharField(label=_("Shortcut"), help_text=_("For example .hv"), max_length=20)
    text = forms.CharField(label=_("Text"), max_length=MAX_PHRASE_CHARS, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _no_silent_truncation(self.fields["text"])
