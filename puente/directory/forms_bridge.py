"""Forms of the taxonomy bridge editor: the list's filters and the category to add or remove."""

from django import forms
from django.utils.translation import gettext_lazy as _

from puente.core.forms import EMPTY_CHOICE_LABEL, PuenteFormMixin

from .models import SdohCategory, Taxonomy

CATEGORY_CHOICES = [(c.value, c.label) for c in SdohCategory]


class BridgeFilterForm(PuenteFormMixin, forms.Form):
    taxonomy = forms.ModelChoiceField(
        label=_("Taxonomy"),
        queryset=Taxonomy.objects.order_by("name", "id"),
        required=False,
        empty_label=_("Every taxonomy"),
        error_messages={"invalid_choice": _("Choose a taxonomy from the list.")},
    )
    q = forms.CharField(label=_("Term name or code"), required=False, max_length=200)
    unmapped = forms.BooleanField(label=_("Only terms used by services and bridged to no category"), required=False)


class BridgeCategoryForm(PuenteFormMixin, forms.Form):
    sdoh_category = forms.ChoiceField(
        label=_("SDOH category"),
        choices=[("", EMPTY_CHOICE_LABEL), *CATEGORY_CHOICES],
        error_messages={
            "required": _("Choose an SDOH category from the list."),
            "invalid_choice": _("Choose an SDOH category from the list."),
        },
    )


class BridgePrefixForm(PuenteFormMixin, forms.Form):
    prefix = forms.CharField(
        label=_("Code starts with"),
        max_length=100,
        help_text=_("For example BD-1875 for every food pantry term of AIRS/211 LA."),
        error_messages={"required": _("Enter the beginning of the code.")},
    )
    sdoh_category = forms.ChoiceField(
        label=_("SDOH category to add"),
        choices=[("", EMPTY_CHOICE_LABEL), *CATEGORY_CHOICES],
        error_messages={
            "required": _("Choose an SDOH category from the list."),
            "invalid_choice": _("Choose an SDOH category from the list."),
        },
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "bulk_%s")  # the list's filter form has its own id_… fields
        super().__init__(*args, **kwargs)
