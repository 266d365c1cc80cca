from django import forms
from django.utils.translation import gettext_lazy as _

from puente.core.forms import PuenteFormMixin


class CaseloadTargetForm(PuenteFormMixin, forms.Form):
    low = forms.IntegerField(
        label=_("At least (weighted patients)"),
        required=False,
        min_value=0,
        max_value=500,
        error_messages={
            "invalid": _("Enter a whole number of patients."),
            "min_value": _("The target cannot be negative."),
            "max_value": _("Enter at most %(limit_value)s patients."),
        },
    )
    high = forms.IntegerField(
        label=_("At most (weighted patients)"),
        required=False,
        min_value=1,
        max_value=500,
        error_messages={
            "invalid": _("Enter a whole number of patients."),
            "min_value": _("The upper bound must be at least %(limit_value)s."),
            "max_value": _("Enter at most %(limit_value)s patients."),
        },
    )

    def clean(self):
        data = super().clean()
        low, high = data.get("low"), data.get("high")
        if low is not None and high is not None and low > high:
            self.add_error("high", _("The upper bound must not be below the lower bound."))
        return data


class TerritoryForm(PuenteFormMixin, forms.Form):
    counties = forms.CharField(
        label=_("Counties covered"),
        required=False,
        max_length=300,
        help_text=_("Comma-separated, e.g. Bernalillo, Sandoval, Valencia"),
        error_messages={"max_length": _("Keep the list under %(limit_value)d characters.")},
    )


class AssignForm(forms.Form):
    worker = forms.IntegerField(error_messages={"required": _("Choose a social worker to assign.")})
