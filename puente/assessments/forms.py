"""Assessment forms: choose the setting, edit a draft (one text box per section of its template), write an addendum."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Mode, Setting
from .sections import MAX_ADDENDUM_CHARS, MAX_SECTION_CHARS, Template

FIELD_PREFIX = "s_"


def field_name(section_key: str) -> str:
    return FIELD_PREFIX + section_key


class StartAssessmentForm(forms.Form):
    setting = forms.ChoiceField(label=_("Setting"), choices=Setting.choices, widget=forms.RadioSelect)
    mode = forms.ChoiceField(
        label=_("How the assessment is done"), choices=Mode.choices, widget=forms.RadioSelect, initial=Mode.IN_PERSON
    )


def _no_silent_truncation(field: forms.Field) -> None:
    # A browser's maxlength cuts a paste short without a word; the server says so instead.
    field.widget.attrs.pop("maxlength", None)


class AssessmentForm(forms.Form):
    """The draft's sections. `version` is the version the form was opened at; `editor` names this open form."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    editor = forms.CharField(widget=forms.HiddenInput, max_length=32, required=False)
    mode = forms.ChoiceField(label=_("How the assessment is done"), choices=Mode.choices)

    def __init__(self, *args, template: Template, **kwargs):
        super().__init__(*args, **kwargs)
        self.template = template
        self.fields["editor"].initial = uuid.uuid4().hex
        for section in template.sections:
            field = forms.CharField(
                label=section.title,
                help_text=section.prompt,
                required=False,
                max_length=MAX_SECTION_CHARS,
                strip=False,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
            _no_silent_truncation(field)
            field.section = section  # type: ignore[attr-defined]
            self.fields[field_name(section.key)] = field

    def section_fields(self) -> list[forms.BoundField]:
        return [self[field_name(s.key)] for s in self.template.sections]

    def sections(self) -> dict[str, str]:
        """The texts sent, by section key; a section missing from the request is left as saved. Browsers send a
        text box's line breaks as CRLF: stored as LF, so that the same text compares equal however it came."""
        return {
            s.key: self.cleaned_data[field_name(s.key)].replace("\r\n", "\n")
            for s in self.template.sections
            if field_name(s.key) in self.data or self.add_prefix(field_name(s.key)) in self.data
        }


class AddendumForm(forms.Form):
    text = forms.CharField(
        label=_("Addendum"),
        help_text=_("What was learned or changed after signing. It is added below the signed text, with your name."),
        max_length=MAX_ADDENDUM_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _no_silent_truncation(self.fields["text"])
