"""Forms built from an instrument's data file, in the language of the administration."""

from django import forms
from django.utils.translation import gettext_lazy as _

from puente.core.forms import PuenteFormMixin

from .models import CrisisAlert, Mode, SafetyPlan

FIELD_PREFIX = "q:"


def field_name(item_code: str) -> str:
    return FIELD_PREFIX + item_code


def _label(text: dict, language: str) -> str:
    return text.get(language) or text.get("en", "")


class InstrumentForm(forms.Form):
    """One field per item. Every item is optional here: the score says what is missing, never guesses it."""

    mode = forms.ChoiceField(label=_("How it was done"), choices=Mode.choices, initial=Mode.IN_PERSON)
    proxy_name = forms.CharField(label=_("Caregiver who answered (if a proxy)"), max_length=200, required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=80, required=False)

    def __init__(self, *args, instrument: dict, language: str = "en", staff: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not staff:
            # The patient's own link: no administration details to fill in.
            for name in ("mode", "proxy_name", "idempotency_key"):
                del self.fields[name]
        self.instrument = instrument
        self.language = language
        options = instrument["answer_lists"]
        for number, item in enumerate(instrument["items"], start=1):
            label = f"{number}. {_label(item['text'], language)}"
            choices = [
                (o["code"], _label(o["text"], language))
                for o in list(options.get(item.get("answer_list", ""), [])) + item.get("extra_answers", [])
            ]
            kind = item["type"]
            if kind in ("choice", "boolean-choice"):
                field = forms.ChoiceField(label=label, choices=choices, widget=forms.RadioSelect, required=False)
            elif kind == "multi":
                field = forms.MultipleChoiceField(
                    label=label, choices=choices, widget=forms.CheckboxSelectMultiple, required=False
                )
            elif kind == "integer":
                field = forms.IntegerField(
                    label=label, min_value=item.get("min"), max_value=item.get("max"), required=False
                )
            else:
                field = forms.CharField(label=label, max_length=2000, required=False)
            conditions = item.get("enable_when", [])
            if conditions:
                # puente.js hides the item until its condition holds; the server re-checks it.
                field.widget.attrs["data-enable-item"] = self.add_prefix(field_name(conditions[0]["item"]))
                field.widget.attrs["data-enable-answer"] = conditions[0]["answer"]
            field.item = item  # type: ignore[attr-defined]
            self.fields[field_name(item["code"])] = field

    def item_fields(self):
        return [self[name] for name in self.fields if name.startswith(FIELD_PREFIX)]

    def answers(self) -> dict:
        data = self.cleaned_data
        return {
            name.removeprefix(FIELD_PREFIX): value
            for name, value in data.items()
            if name.startswith(FIELD_PREFIX) and value not in (None, "", [])
        }


class ConcernDecisionForm(PuenteFormMixin, forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("dismiss", _("Dismiss"))])
    icd10_code = forms.RegexField(
        label=_("ICD-10-CM code"),
        regex=r"^[A-Za-z]\d{2}(\.[0-9A-Za-z]{1,4})?$",
        required=False,
        max_length=10,
        error_messages={"invalid": _("Enter an ICD-10-CM code such as Z59.41.")},
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class ResolveAlertForm(forms.Form):
    action = forms.ChoiceField(label=_("What was done"), choices=[("", "—"), *CrisisAlert.Action.choices])
    note = forms.CharField(label=_("Describe it"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)


class SafetyPlanForm(forms.ModelForm):
    complete = forms.BooleanField(label=_("The plan is complete and the patient has a copy"), required=False)

    class Meta:
        model = SafetyPlan
        fields = ["warning_signs", "coping_strategies", "distractions", "people_to_ask", "professionals", "environment"]
        widgets = {f: forms.Textarea(attrs={"rows": 3}) for f in fields}


class SelfLinkForm(forms.Form):
    instruments = forms.MultipleChoiceField(label=_("Questionnaires"), widget=forms.CheckboxSelectMultiple)
    language = forms.ChoiceField(label=_("Language of the questions"), choices=[("en", "English"), ("es", "Español")])
    hours = forms.IntegerField(label=_("Link works for (hours)"), min_value=1, max_value=24 * 14, initial=72)
    send_by = forms.ChoiceField(label=_("Send it"), widget=forms.RadioSelect, initial="show", required=False)

    def __init__(self, *args, instruments: list[dict], patient=None, language: str = "en", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instruments"].choices = [(i["id"], _label(i["title"], language)) for i in instruments]
        # Only the channels the patient agreed to.
        choices = [("show", _("Don't send: I will show the link or its QR code"))]
        if patient is not None and patient.phone and patient.phone_may_text:
            choices.append(("sms", _("By text message to the patient's phone")))
        if patient is not None and patient.email and patient.email_ok:
            choices.append(("email", _("By email to the patient")))
        self.fields["send_by"].choices = choices
