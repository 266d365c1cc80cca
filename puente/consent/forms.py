"""The consent form: recipient (named or class), purpose, scope, how it was given, dates, Part 2; and revocation."""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from puente.accounts.models import Organization
from puente.core.forms import EMPTY_CHOICE_LABEL, DateInput, IdempotencyField, PuenteFormMixin

from . import documents, rules
from .models import DataClass, Method, RecipientClass

NAMED = "named"
CLASS = "class"
DEFAULT_DAYS = 365  # a year unless the worker sets another date
DEFAULT_SCOPE = [rules.DEMOGRAPHICS, rules.CONTACT, rules.CONCERNS]


def form_max_bytes() -> int:
    """Setting PUENTE_CONSENT_UPLOAD_MAX_MB (default 10): the largest signed form accepted."""
    mb = getattr(settings, "PUENTE_CONSENT_UPLOAD_MAX_MB", documents.DEFAULT_FORM_MAX_MB)
    return int(float(mb) * 1024 * 1024)


def form_max_mb() -> str:
    return f"{form_max_bytes() / (1024 * 1024):g}"


def _document_error(kind: str, code: str) -> str:
    if kind == documents.SIGNATURE:
        return {
            "empty": _("The signature is empty. Sign in the box again."),
            "too_big": _("The signature is too large (over 300 KB). Clear it and sign again."),
        }.get(code, _("The signature could not be read. Clear it and sign again."))
    return {
        "empty": _("The file is empty. Choose the scanned or photographed signed form."),
        "too_big": _("The file is larger than %(max)s MB. Scan it at a lower resolution or as a PDF.")
        % {"max": form_max_mb()},
    }.get(code, _("The file must be a PDF, JPEG or PNG of the signed form."))


class ConsentForm(PuenteFormMixin, forms.Form):
    idempotency_key = IdempotencyField()
    recipient_kind = forms.ChoiceField(
        label=_("Who may receive the information"),
        choices=[(NAMED, _("One named partner organization")), (CLASS, _("A class of recipients"))],
        widget=forms.RadioSelect,
        initial=NAMED,
    )
    recipient_organization = forms.ModelChoiceField(
        label=_("Partner organization"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=EMPTY_CHOICE_LABEL,
    )
    recipient_class = forms.ChoiceField(
        label=_("Class of recipients"),
        choices=[("", EMPTY_CHOICE_LABEL), *RecipientClass.choices],
        required=False,
    )
    purpose = forms.CharField(
        label=_("Purpose"), max_length=300, help_text=_("For example: help with food, housing or benefits.")
    )
    data_classes = forms.MultipleChoiceField(
        label=_("What may be shared"),
        help_text=_("Progress notes are never shared."),
        choices=[(c, label) for c, label in DataClass.choices if c in rules.SHAREABLE],
        widget=forms.CheckboxSelectMultiple,
        initial=DEFAULT_SCOPE,
        error_messages={"required": _("Choose at least one kind of information.")},
    )
    part2 = forms.BooleanField(
        label=_("This consent meets 42 CFR Part 2 (substance use information)"),
        required=False,
    )
    method = forms.ChoiceField(label=_("How consent was given"), choices=Method.choices, widget=forms.RadioSelect)
    # The signature pad's PNG as a data URL, filled in by static/js/puente.js; rendered by the template.
    signature_image = forms.CharField(required=False, widget=forms.HiddenInput)
    signature = forms.CharField(
        label=_("Or type the signer's full name (for keyboard and screen reader users)"),
        help_text=_("Use this instead of drawing when the signer cannot use the signature box."),
        max_length=200,
        required=False,
    )
    witness_name = forms.CharField(label=_("Witness (for verbal consent)"), max_length=200, required=False)
    signed_form = forms.FileField(
        label=_("Signed form (PDF, JPEG or PNG)"),
        required=False,
        error_messages={"empty": _("The file is empty. Choose the scanned or photographed signed form.")},
    )
    document_reference = forms.CharField(
        label=_("Signed form reference (scan or document number, optional)"), max_length=200, required=False
    )
    signed_by_name = forms.CharField(
        label=_("Signed by someone else for the patient"),
        help_text=_("Leave empty when the patient gave consent."),
        max_length=200,
        required=False,
    )
    signer_relationship = forms.CharField(label=_("Their relationship to the patient"), max_length=100, required=False)
    effective_on = forms.DateField(label=_("Effective from"), widget=DateInput())
    expires_on = forms.DateField(label=_("Expires on"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient_organization"].queryset = Organization.objects.filter(kind=Organization.Kind.PARTNER)
        today = timezone.localdate()
        self.fields["effective_on"].initial = today
        self.fields["expires_on"].initial = today + timedelta(days=DEFAULT_DAYS)
        self.fields["signed_form"].help_text = _(
            "Up to %(max)s MB. If the form comes back with an error, choose the file again."
        ) % {"max": form_max_mb()}
        self.fields["signed_form"].widget.attrs["accept"] = "application/pdf,image/jpeg,image/png"
        self.documents: list[tuple[str, str, bytes]] = []

    def clean(self):
        data = super().clean()
        kind = data.get("recipient_kind")
        if kind == NAMED and not data.get("recipient_organization"):
            self.add_error("recipient_organization", _("Choose the partner organization."))
        if kind == CLASS and not data.get("recipient_class"):
            self.add_error("recipient_class", _("Choose the class of recipients."))
        method = data.get("method")
        self.documents = []
        if method == Method.SIGNED_ON_SCREEN:
            self._clean_signature(data)
        if method == Method.VERBAL and not data.get("witness_name"):
            self.add_error("witness_name", _("Verbal consent needs a witness."))
        if method == Method.UPLOADED:
            self._clean_signed_form(data)
        if data.get("signed_by_name") and not data.get("signer_relationship"):
            self.add_error("signer_relationship", _("Say how the signer is related to the patient."))
        start, end = data.get("effective_on"), data.get("expires_on")
        if start and end and end < start:
            self.add_error("expires_on", _("The expiry date cannot be before the effective date."))
        if end and end < timezone.localdate():
            self.add_error("expires_on", _("The expiry date cannot be in the past."))
        if rules.SUBSTANCE_USE in (data.get("data_classes") or []):
            if not data.get("part2"):
                self.add_error("part2", _("Substance use information can only be shared under a Part 2 consent."))
            if kind != NAMED:
                self.add_error(
                    "recipient_kind", _("A Part 2 consent must name the organization that receives the information.")
                )
        return data

    def _clean_signature(self, data) -> None:
        drawn = data.get("signature_image") or ""
        if drawn:
            try:
                png = documents.decode_signature(drawn)
            except documents.DocumentError as e:
                self.add_error("signature_image", _document_error(documents.SIGNATURE, e.code))
                return
            self.documents.append((documents.SIGNATURE, documents.PNG, png))
        elif not data.get("signature"):
            self.add_error("signature", _("Sign in the box, or type the signer's full name."))

    def _clean_signed_form(self, data) -> None:
        upload = data.get("signed_form")
        if not upload:
            if "signed_form" not in self.errors:
                self.add_error("signed_form", _("Choose the file of the signed form (PDF, JPEG or PNG)."))
            return
        limit = form_max_bytes()
        try:
            # The size is known before reading: an oversized file is refused without loading it.
            if upload.size > limit:
                raise documents.DocumentError("too_big")
            content = upload.read(limit + 1)
            content_type = documents.check(documents.FORM, content, limit)
        except documents.DocumentError as e:
            self.add_error("signed_form", _document_error(documents.FORM, e.code))
            return
        self.documents.append((documents.FORM, content_type, content))

    def consent_fields(self) -> dict:
        d = self.cleaned_data
        named = d["recipient_kind"] == NAMED
        return {
            "recipient_organization": d["recipient_organization"] if named else None,
            "recipient_class": "" if named else d["recipient_class"],
            "purpose": d["purpose"],
            "data_classes": [c for c in rules.SHAREABLE if c in d["data_classes"]],
            "part2": d["part2"],
            "method": d["method"],
            "signature": d["signature"] if d["method"] == Method.SIGNED_ON_SCREEN else "",
            "witness_name": d["witness_name"] if d["method"] == Method.VERBAL else "",
            "document_reference": d["document_reference"] if d["method"] == Method.UPLOADED else "",
            "signed_by_name": d["signed_by_name"],
            "signer_relationship": d["signer_relationship"] if d["signed_by_name"] else "",
            "effective_on": d["effective_on"],
            "expires_on": d["expires_on"],
        }


class RevokeForm(PuenteFormMixin, forms.Form):
    by_name = forms.CharField(
        label=_("Who revoked it"), help_text=_("The patient, or who asked on their behalf."), max_length=200
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
