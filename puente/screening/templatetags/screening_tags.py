from django import template

from puente.screening import labels

register = template.Library()


@register.filter
def domain_label(code: str) -> str:
    return labels.domain_label(code)


@register.filter
def band_label(code: str) -> str:
    return labels.band_label(code) if code else ""


@register.filter
def i18n_text(text: dict, language: str) -> str:
    """Pick the language from an instrument's {"en": …, "es": …} text."""
    return text.get(language) or text.get("en", "") if isinstance(text, dict) else str(text)
