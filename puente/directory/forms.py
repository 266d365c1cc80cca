"""Directory forms: the search filters, the curation actions and the listing editor. Error messages are
translated; the user's input is kept on error (Django re-renders bound forms)."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from puente.core.forms import PuenteFormMixin, validate_phone

from .geo import zip_point
from .hsds_spec import SPEC
from .imports import ZIP_FORMATS, ZIP_MAGIC, PackageError, check_package, detect_format
from .models import CapacityStatus, ImportFormat, ListingReport, SdohCategory
from .search import SearchCriteria
from .services import import_max_bytes

RADIUS_CHOICES = [
    ("5", _("5 miles")),
    ("10", _("10 miles")),
    ("15", _("15 miles")),
    ("25", _("25 miles")),
    ("50", _("50 miles")),
    ("100", _("100 miles")),
    ("any", _("Any distance")),
]
# ISO 639-1 codes; the directory's Language rows are matched by code or by name.
LANGUAGE_CHOICES = [
    ("", _("Any language")),
    ("en", _("English")),
    ("es", _("Spanish")),
    ("nv", _("Navajo (Diné)")),
    ("vi", _("Vietnamese")),
    ("zh", _("Chinese")),
    ("ar", _("Arabic")),
    ("ase", _("American Sign Language")),
]
COST_CHOICES = [("", _("Any cost")), ("free", _("Free")), ("sliding", _("Sliding scale"))]
OPEN_CHOICES = [
    ("", _("Any time")),
    ("now", _("Open now")),
    ("MO", _("Open on Monday")),
    ("TU", _("Open on Tuesday")),
    ("WE", _("Open on Wednesday")),
    ("TH", _("Open on Thursday")),
    ("FR", _("Open on Friday")),
    ("SA", _("Open on Saturday")),
    ("SU", _("Open on Sunday")),
]
CAPACITY_CHOICES = [
    ("", _("Any capacity")),
    ("open", _("Accepting or waitlist")),
    *CapacityStatus.choices,
]


class SearchForm(PuenteFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    need = forms.ChoiceField(
        label=_("Need"),
        required=False,
        choices=[("", _("Any need"))] + [(c.value, c.label) for c in SdohCategory if c != SdohCategory.UNSPECIFIED],
    )
    zip = forms.CharField(
        label=_("ZIP code"),
        required=False,
        max_length=10,
        help_text=_("Sorts by distance from this ZIP code."),
        error_messages={"max_length": _("Enter a 5-digit ZIP code.")},
    )
    radius = forms.ChoiceField(label=_("Within"), required=False, choices=RADIUS_CHOICES, initial="25")
    language = forms.ChoiceField(label=_("Language spoken"), required=False, choices=LANGUAGE_CHOICES)
    age = forms.IntegerField(
        label=_("Client's age"),
        required=False,
        min_value=0,
        max_value=120,
        error_messages={
            "invalid": _("Enter the age as a whole number of years."),
            "min_value": _("Enter an age between 0 and 120."),
            "max_value": _("Enter an age between 0 and 120."),
        },
    )
    cost = forms.ChoiceField(label=_("Cost"), required=False, choices=COST_CHOICES)
    open = forms.ChoiceField(label=pgettext_lazy("opening hours", "Hours"), required=False, choices=OPEN_CHOICES)
    capacity = forms.ChoiceField(label=_("Capacity"), required=False, choices=CAPACITY_CHOICES)
    accessible = forms.BooleanField(label=_("Wheelchair accessible"), required=False)
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean_zip(self):
        value = (self.cleaned_data.get("zip") or "").strip()
        if value and zip_point(value) is None:
            raise forms.ValidationError(
                _("“%(zip)s” is not a ZIP code we know. Enter a 5-digit ZIP code."), params={"zip": value}
            )
        return value[:5]

    def criteria(self, **extra) -> SearchCriteria:
        """The search criteria of a valid form."""
        d = self.cleaned_data
        radius = d.get("radius") or "25"
        capacity = d.get("capacity") or ""
        if capacity == "open":
            statuses: tuple[str, ...] = (CapacityStatus.ACCEPTING, CapacityStatus.WAITLIST)
        else:
            statuses = (capacity,) if capacity else ()
        return SearchCriteria(
            text=d.get("q") or "",
            need=d.get("need") or "",
            zip_code=d.get("zip") or "",
            radius_miles=None if radius == "any" else float(radius),
            language=d.get("language") or "",
            age=d.get("age"),
            cost=d.get("cost") or "",
            open_now=d.get("open") == "now",
            open_on=d.get("open") if d.get("open") not in ("", "now", None) else "",
            accessible=bool(d.get("accessible")),
            capacity=statuses,
            page=d.get("page") or 1,
            **extra,
        )


class CapacityForm(PuenteFormMixin, forms.Form):
    capacity_status = forms.ChoiceField(
        label=_("Capacity"),
        choices=CapacityStatus.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the capacity status."),
            "invalid_choice": _("Choose the capacity status."),
        },
    )


class ReportForm(PuenteFormMixin, forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong?"),
        choices=ListingReport.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what is wrong."), "invalid_choice": _("Choose what is wrong.")},
    )
    details = forms.CharField(
        label=_("Details"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("What you found, e.g. the right phone number. Do not include patient information."),
        error_messages={
            "required": _("Describe what is wrong so the curators can fix it."),
            "max_length": _("Keep the details under 2,000 characters."),
        },
    )


class ResolveForm(PuenteFormMixin, forms.Form):
    resolution = forms.CharField(
        label=_("What was done"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": _("Say what was done about this report."),
            "max_length": _("Keep it under 1,000 characters."),
        },
    )


# A language code as HSDS stores it (ISO 639-1 or 639-3: "es", "nv", "ase").
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
LISTING_TEXT_LIMIT = 4000


def _text(label, *, required=False, rows=None, max_length=LISTING_TEXT_LIMIT, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        strip=True,
        widget=forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput,
        error_messages={
            "required": _("Enter the service's name."),
            "max_length": _("Keep this under %(limit_value)s characters."),
        },
    )


class ListingForm(PuenteFormMixin, forms.Form):
    """A curator's edit of a listing's main fields (``services.edit_listing`` applies and audits it)."""

    name = _text(_("Name"), required=True, max_length=300)
    description = _text(_("Description (English)"), rows=4)
    description_es = _text(_("Description (Spanish)"), rows=4)
    description_es.widget.attrs["lang"] = "es"
    phone = _text(_("Phone"), max_length=40)
    hours_note = _text(
        _("Hours note"), rows=2, max_length=1000, help_text=_("For example: closed on holidays; call first.")
    )
    eligibility_description = _text(_("Eligibility"), rows=2)
    fees_description = _text(_("Fees"), rows=2, max_length=1000)
    languages = _text(
        _("Languages"),
        max_length=200,
        help_text=_("Language codes separated by commas, for example: en, es, nv."),
    )

    def clean_phone(self):
        return validate_phone(self.cleaned_data["phone"])

    def clean_languages(self):
        codes: list[str] = []
        for part in self.cleaned_data["languages"].split(","):
            code = part.strip().lower()
            if not code:
                continue
            if not _LANGUAGE_CODE.match(code):
                raise forms.ValidationError(
                    _("“%(code)s” is not a language code. Use two or three letters, for example: en, es, nv."),
                    params={"code": part.strip()},
                    code="language",
                )
            if code not in codes:
                codes.append(code)
        return codes


class ImportForm(PuenteFormMixin, forms.Form):
    """An administrator's upload of directory data. Valid: ``cleaned_data`` also holds the bytes (``data``) and the
    format to import them as (the user's choice, else the one recognised from the content)."""

    file = forms.FileField(
        label=_("File to import"),
        help_text=_("An HSDS 3.0 JSON file, or a zip of CSV files (HSDS 3.0, HSDS 1.x or Ohana)."),
        error_messages={"required": _("Choose the file to import."), "empty": _("The file is empty.")},
    )
    data_format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[("", _("Recognize from the file"))] + list(ImportFormat.choices),
    )
    object_type = forms.ChoiceField(
        label=_("Object type (HSDS 3.0 JSON)"),
        required=False,
        choices=[("", _("From the file name"))] + [(t, t) for t in sorted(SPEC)],
        help_text=_("Only when the file name does not say it, as service_list.json does."),
    )
    full = forms.BooleanField(
        label=_("Mark services missing from this file inactive"),
        required=False,
        help_text=_("Only for a complete export of the directory. Services are never deleted."),
    )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if not upload:
            return cleaned
        limit = import_max_bytes()
        if upload.size > limit:
            self.add_error(
                "file",
                _("The file is too large: %(size).1f MB, the limit is %(limit).1f MB. Split it into smaller files.")
                % {"size": upload.size / 1024 / 1024, "limit": limit / 1024 / 1024},
            )
            return cleaned
        data = upload.read()
        data_format = cleaned.get("data_format") or detect_format(data)
        is_zip = data.startswith(ZIP_MAGIC)
        if not data_format:
            self.add_error("data_format", _("This file's format could not be recognized. Choose it from the list."))
        elif data_format in ZIP_FORMATS and not is_zip:
            self.add_error("file", _("This format is uploaded as a zip of its CSV files."))
        elif data_format == ImportFormat.HSDS_JSON and is_zip:
            self.add_error("file", _("This is a zip file: choose one of the CSV package formats."))
        elif is_zip:
            try:
                check_package(data, limit)
            except PackageError as exc:
                self.add_error("file", str(exc))
        cleaned["data"], cleaned["data_format"] = data, data_format
        return cleaned
