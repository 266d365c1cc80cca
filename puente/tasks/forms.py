from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from puente.accounts.models import Role, User
from puente.core.forms import DateTimeInput, IdempotencyField, PuenteFormMixin

from .models import Task


class CompleteTaskForm(forms.Form):
    note = forms.CharField(
        label=_("Completion note"),
        required=False,
        max_length=2000,
        error_messages={"max_length": _("Keep the completion note under %(limit_value)d characters.")},
    )


class NewTaskForm(PuenteFormMixin, forms.Form):
    """A task a worker sets by hand for a patient (clock rules create the automatic ones)."""

    idempotency_key = IdempotencyField()
    title = forms.CharField(label=_("What needs doing"), max_length=200)
    due_at = forms.DateTimeField(label=_("Due"), widget=DateTimeInput())
    priority = forms.ChoiceField(label=_("Priority"), choices=Task.Priority.choices, initial=Task.Priority.ROUTINE)
    assignee = forms.ModelChoiceField(label=_("Who"), queryset=User.objects.none())

    def __init__(self, *args, organization_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            organization_id=organization_id, role__in=[Role.SOCIAL_WORKER, Role.SUPERVISOR], is_active=True
        ).order_by("full_name")

    def clean_due_at(self):
        value = self.cleaned_data["due_at"]
        if value < timezone.now() - timedelta(minutes=5):
            raise forms.ValidationError(_("The due time is in the past."))
        return value
