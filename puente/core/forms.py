"""Form helpers shared by every app."""

import re
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>|[<>]")


def reject_markup(value: str) -> None:
    """Names, phones and short fields never need angle brackets; markup there is a paste error or an attack."""
    if value and _MARKUP.search(value):
        raise ValidationError(_("Remove the < and > characters; HTML is not allowed here."), code="markup")


class PuenteFormMixin:
    """Adds the markup check to every short text field (Django itself marks invalid fields for screen readers)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():  # type: ignore[attr-defined]
            if isinstance(f, forms.CharField) and not isinstance(f.widget, forms.Textarea):
                f.validators.append(reject_markup)


# Django 6.1's empty choice label; its own Spanish catalog leaves it untranslated, so carry it in ours.
EMPTY_CHOICE_LABEL = _("- Select an option -")

_PHONE = re.compile(r"^\+?[0-9()\-.\s]{7,20}(\s*(x|ext\.?)\s*\d{1,6})?$", re.IGNORECASE)


def validate_phone(value: str) -> str:
    value = value.strip()
    if value and not _PHONE.match(value):
        raise ValidationError(_("Enter a phone number, for example 505-555-0123 or 505-555-0123 ext. 12."))
    return value


def add_service_errors(form, errors: dict[str, list[str]], field_for=None) -> None:
    """Put a service's refusal ({field: [messages]}) on the form the user sent, so their input stays: on the field
    when the form has it (after `field_for` maps a service key to a form field name), else at the top."""
    for key, messages in errors.items():
        target = field_for(key) if field_for else key
        if target not in form.fields:
            target = key if key in form.fields else None
        for message in messages:
            form.add_error(target, message)


class DateInput(forms.DateInput):
    """A native date picker. The value must be ISO (yyyy-mm-dd) whatever the user's language: a localized value
    ("22/11/2026" in Spanish) is dropped by the browser and the field comes back empty."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    """A native date-and-time picker, ISO for the same reason as DateInput."""

    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


class IdempotencyField(forms.CharField):
    """The hidden key that makes a double submit create one record (core/idempotency.py). The empty form gets a
    fresh uuid4 each time it is shown; a form shown again after a validation error carries the key it was sent
    with (a bound field shows its data), so correcting and saving still counts as the same submission. Not
    required: an API client that sends no key gets no protection, and no error."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 80)
        kwargs.setdefault("initial", new_idempotency_key)
        super().__init__(**kwargs)


def refuse_idempotency_key(form, message: str) -> None:
    """The key was already used for something else: show why, and give the re-shown form a fresh key so that
    saving it again is a new submission."""
    form.add_error(None, message)
    if form.is_bound and "idempotency_key" in form.fields:
        form.data = form.data.copy()
        form.data["idempotency_key"] = new_idempotency_key()
