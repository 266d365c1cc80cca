"""Referral forms: the worker's referral (with a preview, and a service preselected from a search), the search for
resources for a patient, a status change with a reason, the outcome, and the patient's check-back answer."""

from dataclasses import replace

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from puente.core.forms import EMPTY_CHOICE_LABEL, IdempotencyField, PuenteFormMixin
from puente.directory.forms import LANGUAGE_CHOICES as DIRECTORY_LANGUAGES
from puente.directory.forms import SearchForm
from puente.directory.models import Phone, SdohCategory, ServiceAtLocation
from puente.screening.models import HealthConcern

from . import resources
from .models import CheckBackAnswer, NotMetReason, Outcome, Priority
from .partner_view import service_place

MAX_MESSAGE = 2000


class ServiceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        service = obj.service.name if obj.service else ""
        location = obj.location.name if obj.location else ""
        org = obj.service.organization.name if obj.service and obj.service.organization else ""
        label = service_place(service, location)
        # The provider's name only when it adds something ("Food Bank — Food Bank" reads like an error).
        return f"{label} — {org}" if org and org.casefold() not in label.casefold() else label


class ConcernChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        from puente.directory.models import SdohCategory

        label = dict(SdohCategory.choices).get(obj.category, obj.category)
        return f"{label} ({obj.icd10_code})" if obj.icd10_code else str(label)


def referable_services():
    """Active services whose directory organization has a partner account (only those can receive referrals)."""
    return (
        ServiceAtLocation.objects.filter(service__active=True, service__organization__curated_by__isnull=False)
        .select_related("service", "service__organization", "location")
        .order_by("service__name", "location__name")
    )


class ReferralForm(PuenteFormMixin, forms.Form):
    idempotency_key = IdempotencyField()
    service_at_location = ServiceChoiceField(
        label=_("Service"),
        queryset=ServiceAtLocation.objects.none(),
        empty_label=EMPTY_CHOICE_LABEL,
        help_text=_(
            "Only services kept by a partner organization in Puente are listed: the referral goes to that partner. "
            "For any other service, call them instead."
        ),
    )
    concerns = ConcernChoiceField(
        label=_("Needs this referral addresses"),
        queryset=HealthConcern.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.ROUTINE)
    message_to_partner = forms.CharField(
        label=_("Message to the partner"),
        help_text=_("The partner reads this. Do not add anything the consent does not cover."),
        max_length=MAX_MESSAGE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    patient_told = forms.CharField(
        label=_("What the patient was told"),
        help_text=_("For example: they will call you within a week; bring proof of address."),
        max_length=MAX_MESSAGE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_at_location"].queryset = referable_services()
        self.fields["concerns"].queryset = open_concerns_queryset(patient)

    @property
    def recipient(self):
        """The partner organization the chosen service's referral goes to (its directory organization's
        ``curated_by``, as ``services.partner_org_for``), or None while no referable service is chosen. Read from
        the submitted or preselected choice, so the page can name it before anything is sent."""
        key = self["service_at_location"].value()
        if not key:
            return None
        try:
            sal = self.fields["service_at_location"].queryset.select_related("service__organization__curated_by")
            chosen = sal.filter(pk=key).first()
        except (ValueError, ValidationError):
            return None
        org = chosen.service.organization if chosen is not None and chosen.service is not None else None
        return org.curated_by if org is not None else None


def open_concerns_queryset(patient):
    return HealthConcern.objects.filter(
        organization_id=patient.organization_id, patient=patient, status__in=resources.OPEN_CONCERN_STATUSES
    ).order_by("category")


class PreselectForm(forms.Form):
    """The referral form's ``?service=…&concern=…`` from a search result, checked as strictly as a submitted
    referral: a service at location that can receive referrals (``referable_services``) and the patient's own open
    concerns. Anything else is dropped, never trusted."""

    service = forms.ModelChoiceField(queryset=ServiceAtLocation.objects.none(), required=False)
    concern = forms.ModelMultipleChoiceField(queryset=HealthConcern.objects.none(), required=False)

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = referable_services()
        self.fields["concern"].queryset = open_concerns_queryset(patient)

    def initial_for_referral(self) -> dict:
        """The ``ReferralForm`` initial data of the valid parts."""
        self.is_valid()
        initial = {}
        data = getattr(self, "cleaned_data", {})
        if data.get("service") is not None:
            initial["service_at_location"] = data["service"].pk
        if data.get("concern"):
            initial["concerns"] = [c.pk for c in data["concern"]]
        return initial

    @property
    def service_refused(self) -> bool:
        """A service was asked for and is not one that can receive referrals."""
        return bool(self.data.get("service")) and "service" in self.errors

    @property
    def refused_listing(self):
        """The active service at location the link named when it was refused only for having no partner
        organization in Puente (so the page can say what to do instead), else None."""
        if not self.service_refused:
            return None
        try:
            sal = (
                ServiceAtLocation.objects.filter(pk=self.data.get("service"), service__active=True)
                .filter(Q(service__organization__isnull=True) | Q(service__organization__curated_by__isnull=True))
                .select_related("service", "location")
                .first()
            )
        except (ValueError, ValidationError):
            return None
        if sal is not None:
            # The number to call instead: this site's, else the service's, else the location's.
            where = Q(service_at_location=sal) | Q(service_id=sal.service_id)
            if sal.location_id is not None:
                where |= Q(location_id=sal.location_id)
            phone = Phone.objects.filter(where).order_by("id").first()
            sal.phone_number = phone.number if phone else ""
            sal.label = service_place(sal.service.name, sal.location.name if sal.location else "")
        return sal


NEED_CHOICES = [(c.value, c.label) for c in SdohCategory if c != SdohCategory.UNSPECIFIED]


class PatientResourceForm(SearchForm):
    """The directory's search filters, for one patient: several needs at once (the patient's open concerns), the
    patient's language even when the directory's list lacks it, and, for a confidential address, "from the
    patient's home" instead of the ZIP itself."""

    need = forms.MultipleChoiceField(
        label=_("Needs"), required=False, choices=NEED_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    near_home = forms.BooleanField(
        label=_("Distance from the patient's home (confidential address: not shown)"),
        required=False,
        help_text=_("Used when no ZIP code is entered."),
    )
    field_order = ["q", "need", "zip", "near_home", "radius"]

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.home_zip = resources.home_zip(patient)
        self.fields["radius"].initial = resources.DEFAULT_RADIUS
        lang = resources.search_language(patient)
        if lang and lang not in dict(DIRECTORY_LANGUAGES):
            self.fields["language"].choices = [*DIRECTORY_LANGUAGES, (lang, patient.get_preferred_language_display())]
        if not (patient.address_confidential and self.home_zip):
            del self.fields["near_home"]

    @property
    def from_home(self) -> bool:
        """The distance is measured from the patient's (confidential) home ZIP, which the page does not show."""
        d = getattr(self, "cleaned_data", {})
        return bool(d.get("near_home")) and not d.get("zip")

    def criteria(self, **extra):
        c = super().criteria(**extra)
        return replace(
            c,
            need=tuple(self.cleaned_data.get("need") or ()),
            zip_code=self.home_zip if self.from_home else c.zip_code,
        )


class StatusForm(PuenteFormMixin, forms.Form):
    status = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class OutcomeForm(PuenteFormMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome for the patient"), choices=Outcome.choices, widget=forms.RadioSelect)
    reason = forms.ChoiceField(
        label=_("Why the need was not (fully) met"),
        choices=[("", EMPTY_CHOICE_LABEL), *NotMetReason.choices],
        required=False,
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def clean(self):
        data = super().clean()
        if data.get("outcome") == Outcome.NOT_MET and not data.get("reason"):
            self.add_error("reason", _("Say why the need was not met."))
        return data


# The same reasons as NotMetReason, in the patient's words.
PATIENT_REASONS = [
    (NotMetReason.UNREACHABLE, _("We could not reach each other")),
    (NotMetReason.INELIGIBLE, _("They said I do not qualify")),
    (NotMetReason.NO_CAPACITY, _("They had no money or no space")),
    (NotMetReason.WAITLISTED, _("I am on a waiting list")),
    (NotMetReason.DECLINED, _("I decided not to go")),
    (NotMetReason.WRONG_INFO, _("The information was wrong (address, phone or hours)")),
    (NotMetReason.OTHER, _("Something else")),
]


class CheckBackForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Did you get the help?"),
        choices=CheckBackAnswer.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose an answer.")},
    )
    reason = forms.ChoiceField(
        label=_("If not, or only partly, why?"),
        choices=[("", EMPTY_CHOICE_LABEL), *PATIENT_REASONS],
        required=False,
    )
