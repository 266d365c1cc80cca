"""Form helpers shared by every app."""

import re

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
