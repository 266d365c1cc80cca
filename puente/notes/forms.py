"""Note forms: start a note (empty, from a template, or carried forward), edit a draft (one text box per section of
its format), an addendum, a phrase, an agency template."""

import uuid
from datetime import timedelta

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from puente.core.forms import IdempotencyField

from .formats import FORMATS, MAX_ADDENDUM_CHARS, MAX_PHRASE_CHARS, MAX_SECTION_CHARS, NoteFormat
from .models import NoteTemplate, ProgressNote, SensitiveReason

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
    idempotency_key = IdempotencyField()
    format = forms.ChoiceField(
        label=_("Format"), choices=[(f.key, f.title) for f in FORMATS.values()], widget=forms.RadioSelect
    )
    contact_at = forms.DateTimeField(
        label=_("Contact date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    sensitive_reason = _sensitive_field()
    template = forms.ModelChoiceField(
        label=_("Agency template"),
        help_text=_("The sections start with the template's text."),
        queryset=NoteTemplate.objects.none(),
        required=False,
        empty_label=_("No template"),
        error_messages={"invalid_choice": _("Choose an active template of your agency.")},
    )
    copy_from = forms.ModelChoiceField(
        label=_("Start from an earlier note"),
        help_text=_(
            "Carries over the assessment and plan of this patient's latest signed note of that format, for you to "
            "review. Sections about today's contact start empty. Sensitive notes are never carried over."
        ),
        queryset=ProgressNote.objects.none(),
        required=False,
        empty_label=_("Do not carry anything over"),
        error_messages={
            "invalid_choice": _(
                "This note cannot be carried forward. Start from the patient's latest signed note, or empty."
            )
        },
    )

    def __init__(self, *args, templates=None, sources=(), **kwargs):
        """`templates`: the agency templates the user may use; `sources`: the copy-forward source of each format
        (services.copy_forward_sources). The choices offered are the only ids accepted; the service checks again."""
        super().__init__(*args, **kwargs)
        self.fields["contact_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        template_field = self.fields["template"]
        template_field.queryset = templates if templates is not None else NoteTemplate.objects.none()
        template_field.label_from_instance = lambda t: f"{t.name} ({t.get_format_display()})"
        copy_field = self.fields["copy_from"]
        ids = [n.pk for n in sources]
        copy_field.queryset = (
            ProgressNote.objects.filter(organization_id=sources[0].organization_id, pk__in=ids)
            if ids
            else ProgressNote.objects.none()
        )
        copy_field.label_from_instance = lambda n: (
            _("%(format)s note of %(date)s by %(author)s")
            % {
                "format": n.get_format_display(),
                "date": formats.date_format(timezone.localtime(n.contact_at), "SHORT_DATE_FORMAT"),
                "author": n.author,
            }
        )
        if not ids:
            del self.fields["copy_from"]
        if not template_field.queryset.exists():
            del self.fields["template"]

    def clean(self):
        data = super().clean()
        fmt = data.get("format")
        template, copy_from = data.get("template"), data.get("copy_from")
        if template and copy_from:
            raise forms.ValidationError(_("Start from a template or from the last note, not both."))
        if fmt and template and template.format != fmt:
            self.add_error(
                "template", _("This template is for %(format)s notes.") % {"format": template.get_format_display()}
            )
        if fmt and copy_from and copy_from.format != fmt:
            self.add_error(
                "copy_from",
                _("The note to start from is in another format. Choose its format, or start without it."),
            )
        return data

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


class NoteTemplateForm(forms.Form):
    """An agency template: a name and a starter text per section of its format (fixed once created)."""

    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("For example: Hospice initial visit"))

    def __init__(self, *args, note_format: NoteFormat, **kwargs):
        super().__init__(*args, **kwargs)
        self.note_format = note_format
        for section in note_format.sections:
            field = forms.CharField(
                label=section.title,
                required=False,
                max_length=MAX_SECTION_CHARS,
                strip=False,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
            _no_silent_truncation(field)
            self.fields[field_name(section.key)] = field

    def sections(self) -> dict[str, str]:
        return {
            s.key: self.cleaned_data.get(field_name(s.key), "").replace("\r\n", "\n") for s in self.note_format.sections
        }


class TemplateFormatForm(forms.Form):
    """Step one of adding a template: its format."""

    format = forms.ChoiceField(
        label=_("Format"), choices=[(f.key, f.title) for f in FORMATS.values()], widget=forms.RadioSelect
    )
