from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from puente.core.forms import DateInput, IdempotencyField, PuenteFormMixin, validate_phone

from .models import Patient, PatientIdentifier, RelatedPerson
from .services import lookup_zip

PATIENT_FIELDS = [
    "legal_given_name",
    "legal_middle_name",
    "legal_family_name",
    "preferred_name",
    "birth_date",
    "sex_at_birth",
    "gender_identity",
    "pronouns",
    "preferred_language",
    "interpreter_needed",
    "oral_interpretation_only",
    "phone",
    "phone_may_text",
    "email",
    "email_ok",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "address_confidential",
    "insurance",
    "insurance_plan",
    "insurance_member_id",
    "advance_directive_on_file",
    "deceased_date",
]

MAX_AGE_YEARS = 125


class PatientForm(PuenteFormMixin, forms.ModelForm):
    class Meta:
        model = Patient
        fields = PATIENT_FIELDS
        widgets = {"birth_date": DateInput(), "deceased_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["birth_date"].error_messages["invalid"] = _("Enter a real date, for example 1958-03-14.")
        self.fields["deceased_date"].error_messages["invalid"] = _("Enter a real date, for example 2026-03-14.")
        self.fields["state"].widget.attrs["maxlength"] = 2

    def clean_birth_date(self) -> date:
        value = self.cleaned_data["birth_date"]
        today = timezone.localdate()
        if value > today:
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        if today.year - value.year > MAX_AGE_YEARS:
            raise forms.ValidationError(_("Check the year: that would make the patient older than 125."))
        return value

    def clean_postal_code(self) -> str:
        value = self.cleaned_data["postal_code"].strip()
        if value and lookup_zip(value) is None:
            raise forms.ValidationError(_("%(zip)s is not a US ZIP code."), params={"zip": value})
        return value

    def clean_phone(self) -> str:
        return validate_phone(self.cleaned_data["phone"])

    def clean_state(self) -> str:
        return self.cleaned_data["state"].strip().upper()

    def clean(self):
        data = super().clean()
        deceased = data.get("deceased_date")
        born = data.get("birth_date")
        if deceased and deceased > timezone.localdate():
            self.add_error("deceased_date", _("The date of death cannot be in the future."))
        elif deceased and born and deceased < born:
            self.add_error("deceased_date", _("The date of death cannot be before the date of birth."))
        if data.get("oral_interpretation_only") and not data.get("interpreter_needed"):
            data["interpreter_needed"] = True
        return data


class NewPatientForm(PatientForm):
    idempotency_key = IdempotencyField()
    mrn_facility = forms.CharField(label=_("MRN issuing facility"), max_length=120, required=False)
    mrn = forms.CharField(label=_("MRN"), max_length=40, required=False)
    confirm_new = forms.BooleanField(label=_("None of these is the same person: create a new record"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("mrn") and not data.get("mrn_facility"):
            self.add_error("mrn_facility", _("Say which facility issued this MRN."))
        return data


class IdentifierForm(PuenteFormMixin, forms.ModelForm):
    class Meta:
        model = PatientIdentifier
        fields = ["facility", "value"]

    def __init__(self, *args, organization_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization_id = organization_id

    def clean(self):
        data = super().clean()
        facility, value = data.get("facility"), data.get("value")
        if facility and value:
            taken = PatientIdentifier.objects.filter(
                organization_id=self.organization_id, facility=facility, value=value
            )
            if self.instance.pk is not None:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("value", _("This MRN is already on a record from that facility."))
        return data


class RelatedPersonForm(PuenteFormMixin, forms.ModelForm):
    class Meta:
        model = RelatedPerson
        fields = ["relationship", "name", "relation_detail", "phone", "may_receive_information"]

    def clean_phone(self) -> str:
        return validate_phone(self.cleaned_data["phone"])


class BreakGlassForm(PuenteFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why do you need this record now?"),
        min_length=15,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Your reason, your name and everything you open are recorded and shown to your supervisor."),
    )


class PatientSearchForm(forms.Form):
    q = forms.CharField(label=_("Name, MRN or date of birth"), required=False, max_length=100)
