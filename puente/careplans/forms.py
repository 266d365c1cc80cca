"""Care plan forms. Edit forms carry the `version` they were opened at (optimistic concurrency)."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from puente.accounts.models import Role, User
from puente.core.forms import EMPTY_CHOICE_LABEL, DateInput, IdempotencyField, PuenteFormMixin
from puente.screening.models import HealthConcern

from . import lifecycle
from .categories import category_choices, category_label
from .models import PLAN_CONCERN_STATUSES, Goal, Intervention

MAX_TEXT = 2000
DATE = DateInput()
ICD10_RE = r"^[A-Za-z]\d{2}(\.[0-9A-Za-z]{1,4})?$"
PRIORITY_CHOICES = [("", _("Not set")), *HealthConcern.Priority.choices]


def _text(label, help_text="", rows=3, max_length=MAX_TEXT, required=True) -> forms.CharField:
    field = forms.CharField(
        label=label,
        help_text=help_text,
        max_length=max_length,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
    )
    # A browser's maxlength cuts a paste short without a word; the server says so instead.
    field.widget.attrs.pop("maxlength", None)
    return field


def _status_choices(kind: str, current: str, choices) -> list[tuple[str, str]]:
    """Only the statuses the rule allows from here (the current one first)."""
    labels = dict(choices)
    return [(s, labels[s]) for s in lifecycle.next_statuses(kind, current) if s in labels]


class VersionedForm(PuenteFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ConcernForm(PuenteFormMixin, forms.Form):
    idempotency_key = IdempotencyField()
    category = forms.ChoiceField(label=_("Social need (SDOH category)"))
    icd10_code = forms.RegexField(
        label=_("ICD-10-CM Z code"),
        regex=ICD10_RE,
        required=False,
        max_length=10,
        help_text=_("For example Z59.41. Leave empty if none fits."),
        error_messages={"invalid": _("Enter an ICD-10-CM code such as Z59.41.")},
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=PRIORITY_CHOICES, required=False)
    onset = forms.DateField(label=_("Since when"), required=False, widget=DATE)
    source_note = forms.ChoiceField(label=_("Found in the progress note"), required=False)
    note = forms.CharField(label=_("Evidence or note"), max_length=500, required=False)

    def __init__(self, *args, notes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", EMPTY_CHOICE_LABEL), *category_choices()]
        # The patient's notes this user can read (the view passes them), newest first.
        self.notes = {str(n.pk): n for n in notes}
        self.fields["source_note"].choices = [("", _("None"))] + [
            (key, f"{n.contact_at:%Y-%m-%d} · {n.get_format_display()}") for key, n in self.notes.items()
        ]

    def clean_source_note(self):
        return self.notes.get(self.cleaned_data["source_note"])

    def clean_onset(self):
        value = self.cleaned_data["onset"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return value


class ConcernEditForm(VersionedForm):
    status = forms.ChoiceField(label=_("Status"))
    icd10_code = ConcernForm.base_fields["icd10_code"]
    priority = ConcernForm.base_fields["priority"]
    onset = ConcernForm.base_fields["onset"]
    note = ConcernForm.base_fields["note"]

    def __init__(self, *args, concern: HealthConcern, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(v, label) for v, label in HealthConcern.Status.choices if v in PLAN_CONCERN_STATUSES]
        self.fields["status"].choices = _status_choices("concern", concern.status, choices)

    clean_onset = ConcernForm.clean_onset


class GoalForm(PuenteFormMixin, forms.Form):
    idempotency_key = IdempotencyField()
    concern = forms.ChoiceField(label=_("For which need"))
    text = _text(_("Goal, in the patient's own words"), _("For example: “I want to stay in my apartment.”"))
    target_date = forms.DateField(label=_("Target date"), required=False, widget=DATE)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(Goal.Status.PROPOSED, Goal.Status.PROPOSED.label), (Goal.Status.ACTIVE, Goal.Status.ACTIVE.label)],
        initial=Goal.Status.ACTIVE,
    )

    def __init__(self, *args, concerns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["concern"].choices = [("", EMPTY_CHOICE_LABEL)] + [
            (str(c.pk), category_label(c.category)) for c in concerns
        ]


class GoalEditForm(VersionedForm):
    text = GoalForm.base_fields["text"]
    target_date = GoalForm.base_fields["target_date"]
    status = forms.ChoiceField(label=_("Status"))

    def __init__(self, *args, goal: Goal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = _status_choices("goal", goal.status, Goal.Status.choices)


class ProgressForm(PuenteFormMixin, forms.Form):
    noted_on = forms.DateField(label=_("Date"), widget=DATE)
    text = _text(_("Progress"), rows=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["noted_on"].initial = timezone.localdate()


def assignee_queryset(organization_id):
    return User.objects.filter(
        organization_id=organization_id,
        is_active=True,
        role__in=[Role.SOCIAL_WORKER, Role.SUPERVISOR, Role.CARE_TEAM],
    ).order_by("full_name")


class InterventionForm(PuenteFormMixin, forms.Form):
    idempotency_key = IdempotencyField()
    kind = forms.ChoiceField(label=_("Type"), choices=[("", EMPTY_CHOICE_LABEL), *Intervention.Kind.choices])
    description = _text(_("What will be done"), rows=2)
    assignee = forms.ModelChoiceField(label=_("Who"), queryset=User.objects.none(), required=False)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DATE)

    def __init__(self, *args, organization_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignee_queryset(organization_id)
        self.fields["assignee"].error_messages["invalid_choice"] = _("Choose someone from the list.")


class InterventionEditForm(VersionedForm):
    kind = InterventionForm.base_fields["kind"]
    description = InterventionForm.base_fields["description"]
    status = forms.ChoiceField(label=_("Status"))
    assignee = forms.ModelChoiceField(label=_("Who"), queryset=User.objects.none(), required=False)
    due_date = InterventionForm.base_fields["due_date"]

    def __init__(self, *args, item: Intervention, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = _status_choices("intervention", item.status, Intervention.Status.choices)
        self.fields["assignee"].queryset = assignee_queryset(item.organization_id)
        self.fields["assignee"].error_messages["invalid_choice"] = _("Choose someone from the list.")


class ReviewForm(PuenteFormMixin, forms.Form):
    reviewed_on = forms.DateField(label=_("Review date"), widget=DATE)
    summary = _text(_("Summary"), _("What changed, what is next. The patient's copy does not include it."), rows=4)
    next_review_due = forms.DateField(
        label=_("Next review due"), widget=DATE, help_text=_("Hospice: within 15 days of this review.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["reviewed_on"].initial = today
        self.fields["next_review_due"].initial = today + timedelta(days=15)
