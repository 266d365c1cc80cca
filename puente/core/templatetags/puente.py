from django import template
from django.utils.formats import number_format

register = template.Library()


@register.simple_tag
def hours_waiting(referral, now) -> str:
    """Hours since referral (until first contact), one decimal, in the user's number format."""
    return number_format(referral.hours_waiting(now), 1)
