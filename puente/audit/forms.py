from django import forms
from django.utils.translation import gettext_lazy as _

from puente.accounts.models import User
from puente.core.forms import DateInput

from .models import AuditAction


class AuditFilterForm(forms.Form):
    user = forms.ModelChoiceField(label=_("User"), queryset=User.objects.none(), required=False)
    patient = forms.UUIDField(label=_("Patient ID"), required=False)
    action = forms.ChoiceField(label=_("Action"), choices=[("", "—"), *AuditAction.choices], required=False)
    start = forms.DateField(label=_("Start date"), required=False, widget=DateInput())
    end = forms.DateField(label=_("End date"), required=False, widget=DateInput())

    def __init__(self, *args, organization_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(organization_id=organization_id)  # type: ignore[attr-defined]

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end date must be on or after the start date."))
        return data
