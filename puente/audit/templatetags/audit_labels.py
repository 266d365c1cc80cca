from django import template

from puente.audit import labels

register = template.Library()


@register.filter
def object_type_label(code) -> str:
    """`{{ event.object_type|object_type_label }}`: "patients.patient" → "Patient record"."""
    return labels.object_type_label(code or "")


@register.filter
def view_label(code) -> str:
    """`{{ event.detail.view|view_label }}`: "edit" → "Edit demographics"."""
    return labels.view_label(code or "")
