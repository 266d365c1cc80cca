"""Time forms: the timer, an entry by hand (start and end, or start and minutes), a CHI/PIN enrolment, a month."""

import re
from datetime import datetime, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from puente.core.forms import DateInput

from .billing import month_bounds
from .models import Activity, BillingCode, ConsentMethod
from .services import MAX_ENTRY_MINUTES, MAX_NOTE_CHARS

BILLING_CHOICES = [("", _("Not billed")), *BillingCode.choices]
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str | None):
    """(first day, last day) of "YYYY-MM", or None when the value is not a month."""
    m = MONTH_RE.match(value or "")
    if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 2000:
        return None
    return month_bounds(int(m.group(1)), int(m.group(2)))


def this_month():
    today = timezone.localdate()
    return month_bounds(today.year, today.month)


class TimerForm(forms.Form):
    activity = forms.ChoiceField(label=_("Activity"), choices=Activity.choices, initial=Activity.HOME_VISIT)
    billing = forms.ChoiceField(label=_("Counts toward"), choices=BILLING_CHOICES, required=False)

    def __init__(self, *args, **kwargs):
        # The entry form is on the same page: its own ids keep every label pointing at its field.
        kwargs.setdefault("auto_id", "timer_%s")
        super().__init__(*args, **kwargs)


class EntryForm(forms.Form):
    """Date, start time, and either the end time or the minutes. The times are local (America/Denver)."""

    activity = forms.ChoiceField(label=_("Activity"), choices=Activity.choices)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    start_time = forms.TimeField(label=_("Start"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end_time = forms.TimeField(
        label=_("End"),
        required=False,
        help_text=_("Give the end or the minutes."),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    minutes = forms.IntegerField(label=_("Minutes"), required=False, min_value=1, max_value=MAX_ENTRY_MINUTES)
    billing = forms.ChoiceField(label=_("Counts toward"), choices=BILLING_CHOICES, required=False)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=MAX_NOTE_CHARS, widget=forms.Textarea(attrs={"rows": 2})
    )

    progress_note = forms.ModelChoiceField(
        label=_("Progress note"),
        queryset=None,
        required=False,
        empty_label=_("None"),
        help_text=_("The note that documents this time."),
    )

    def __init__(self, *args, with_billing: bool = True, progress_notes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].widget.attrs.pop("maxlength", None)  # the server says "too long"; no silent cut
        if not with_billing:
            del self.fields["billing"]
        if progress_notes is None:
            del self.fields["progress_note"]
        else:
            field = self.fields["progress_note"]
            field.queryset = progress_notes
            field.label_from_instance = lambda n: (
                f"{timezone.localtime(n.contact_at):%Y-%m-%d %H:%M} · {n.get_format_display()}"
            )
        if not self.is_bound and "date" not in self.initial:
            self.initial["date"] = timezone.localdate()

    def clean(self):
        data = super().clean()
        day, start, end, minutes = (data.get(k) for k in ("date", "start_time", "end_time", "minutes"))
        if day is None or start is None:
            return data
        if end is None and minutes is None:
            raise forms.ValidationError(_("Give the end time or the minutes."), code="no_end")
        if end is not None and minutes is not None:
            raise forms.ValidationError(_("Give the end time or the minutes, not both."), code="both")
        started_at = timezone.make_aware(datetime.combine(day, start))
        if end is not None:
            ended_at = timezone.make_aware(datetime.combine(day, end))
            if ended_at <= started_at:
                self.add_error("end_time", _("The end must be after the start (an entry past midnight: use minutes)."))
                return data
        else:
            ended_at = started_at + timedelta(minutes=minutes)
        data["started_at"], data["ended_at"] = started_at, ended_at
        return data

    @classmethod
    def initial_for(cls, entry) -> dict:
        start = timezone.localtime(entry.started_at)
        return {
            "activity": entry.activity,
            "date": start.date(),
            "start_time": start.time().replace(second=0, microsecond=0),
            "end_time": timezone.localtime(entry.ended_at).time().replace(second=0, microsecond=0),
            "billing": entry.billing,
            "note": entry.note,
            "progress_note": entry.progress_note_id,
        }


class ProgramForm(forms.Form):
    consent_on = forms.DateField(label=_("Consent date"), required=False, widget=DateInput())
    consent_method = forms.ChoiceField(
        label=_("Consent given"), choices=[("", _("Not documented")), *ConsentMethod.choices], required=False
    )
    consent_obtained_by = forms.CharField(label=_("Consent obtained by"), max_length=200, required=False)
    initiating_visit_on = forms.DateField(
        label=_("Initiating visit date"),
        required=False,
        widget=DateInput(),
    )
    initiating_visit_ref = forms.CharField(
        label=_("Initiating visit"),
        max_length=200,
        required=False,
        help_text=_("The E/M visit or annual wellness visit by the billing practitioner."),
    )
