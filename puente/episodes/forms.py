from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from puente.accounts.models import Role, Team, Unit, User
from puente.core.forms import DateTimeInput, IdempotencyField, PuenteFormMixin

from .models import Episode, ReferralReason, SocialWorkReferral

EPISODE_FIELDS = [
    "setting",
    "facility",
    "unit",
    "team",
    "assigned_worker",
    "start",
    "end",
    "status",
    "attending",
    "payer",
    "discharge_disposition",
]


def _limit_to_org(form: forms.ModelForm, organization_id) -> None:
    """Choices never offer another organization's teams, units or staff."""
    for name, qs in (
        ("team", Team.objects.filter(organization_id=organization_id)),
        ("unit", Unit.objects.filter(organization_id=organization_id)),
        (
            "assigned_worker",
            User.objects.filter(
                organization_id=organization_id, role__in=[Role.SOCIAL_WORKER, Role.SUPERVISOR], is_active=True
            ),
        ),
        (
            "assigned_to",
            User.objects.filter(
                organization_id=organization_id, role__in=[Role.SOCIAL_WORKER, Role.SUPERVISOR], is_active=True
            ),
        ),
    ):
        if name in form.fields:
            form.fields[name].queryset = qs  # type: ignore[attr-defined]
    if form.instance._state.adding and form.instance.organization_id is None:
        # So that the model's own validation (foreign keys) is scoped to the organization too.
        form.instance.organization_id = organization_id


class EpisodeForm(PuenteFormMixin, forms.ModelForm):
    class Meta:
        model = Episode
        fields = EPISODE_FIELDS
        widgets = {"start": DateTimeInput(), "end": DateTimeInput()}

    def __init__(self, *args, organization_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        _limit_to_org(self, organization_id)
        if self.instance._state.adding and not self.initial.get("start"):
            # A model form's initial already holds start=None, so setdefault would not fill it.
            self.initial["start"] = timezone.localtime().replace(second=0, microsecond=0)

    def clean(self):
        data = super().clean()
        start, end, status = data.get("start"), data.get("end"), data.get("status")
        if start and end and end < start:
            self.add_error("end", _("The end must be after the start."))
        if start and status != Episode.Status.PLANNED and start > timezone.now() + timedelta(hours=1):
            self.add_error("start", _("Only a planned episode can start in the future."))
        if end and end > timezone.now() + timedelta(hours=1):
            self.add_error("end", _("The end cannot be in the future."))
        return data


class NewEpisodeForm(EpisodeForm):
    """The episode form on its create page (the edit page and the API use EpisodeForm)."""

    idempotency_key = IdempotencyField()


class SocialWorkReferralForm(PuenteFormMixin, forms.ModelForm):
    idempotency_key = IdempotencyField()
    reasons = forms.MultipleChoiceField(
        label=_("Reasons"), choices=ReferralReason.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = SocialWorkReferral
        fields = ["source", "reasons", "reason_detail", "priority", "referred_by", "received_at", "episode", "team"]
        widgets = {"received_at": DateTimeInput(), "reason_detail": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, patient=None, **kwargs):
        super().__init__(*args, **kwargs)
        _limit_to_org(self, patient.organization_id)
        self.fields["episode"].queryset = patient.episodes.all()  # type: ignore[attr-defined]
        if not self.initial.get("received_at"):
            self.initial["received_at"] = timezone.localtime().replace(second=0, microsecond=0)

    def clean_received_at(self):
        value = self.cleaned_data["received_at"]
        if value > timezone.now() + timedelta(minutes=5):
            raise forms.ValidationError(_("The referral cannot have been received in the future."))
        return value


class AssignForm(forms.Form):
    worker = forms.ModelChoiceField(label=_("Assign to"), queryset=User.objects.none())

    def __init__(self, *args, organization_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            organization_id=organization_id, role__in=[Role.SOCIAL_WORKER, Role.SUPERVISOR], is_active=True
        )


class FirstContactForm(forms.Form):
    """When and how the first contact happened; both optional (blank time: now)."""

    at = forms.DateTimeField(label=_("When"), required=False, widget=DateTimeInput())
    method = forms.ChoiceField(
        label=_("How"), choices=[("", "—"), *SocialWorkReferral.ContactMethod.choices], required=False
    )

    def __init__(self, *args, referral: SocialWorkReferral, **kwargs):
        super().__init__(*args, **kwargs)
        self.referral = referral
        self.fields["at"].error_messages["invalid"] = _("Enter a real date and time, for example 2026-03-14 09:30.")

    def clean_at(self):
        at = self.cleaned_data["at"]
        if at is None:
            return None
        now = timezone.now()
        received = self.referral.received_at
        # The input has minute precision: the minute the referral arrived, or the minute now, is not an error.
        if received.replace(second=0, microsecond=0) <= at < received:
            at = received
        elif now < at <= now + timedelta(minutes=1):
            at = now
        self.referral.check_first_contact_time(at, now)
        return at


class QueueFilterForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    mine = forms.BooleanField(label=_("Only mine"), required=False)

    def __init__(self, *args, organization_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(organization_id=organization_id)  # type: ignore[attr-defined]
