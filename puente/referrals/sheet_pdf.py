"""The patient's referral sheet as a PDF (WeasyPrint), in the patient's language.

What the sheet holds, on purpose: where to go (the service, the organization that runs it, and the address of
the SERVICE's location), when it is open (HSDS weekly schedules in plain words, else the listing's own
description, else "call for hours"), the phone number, what to bring (the service's required documents), what
happens next (what the worker told the patient), the needs in plain words, the worker's name and the care
organization's name. What it never holds: any code (no SDOH category or Z code, no status code), the patient's
own address, the message to the partner, and needs about safety at home (`careplans.categories.NOT_PRINTED`),
because someone else in the household may read it — the same rule as the care plan PDF.
"""

from datetime import time

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.dates import WEEKDAYS
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from puente.audit.models import AuditAction
from puente.audit.services import acting_user, record_event
from puente.careplans.categories import NOT_PRINTED, plain_words
from puente.directory import hours
from puente.directory.models import Address, Phone, RequiredDocument, Schedule

from .models import Referral
from .services import referral_concerns

# --- opening hours in plain words (pure) ------------------------------------------------------------------------


def _day_name(code: str) -> str:
    return str(WEEKDAYS[hours.DAYS.index(code)])


def days_in_words(days: tuple[str, ...]) -> str:
    """("MO","TU","WE","TH","FR") → "Monday to Friday"; ("MO","WE") → "Monday, Wednesday". Runs of three or more
    consecutive days read as a range."""
    indexes = sorted(hours.DAYS.index(d) for d in days)
    runs: list[list[int]] = []
    for i in indexes:
        if runs and i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(
                _("%(first)s to %(last)s")
                % {"first": _day_name(hours.DAYS[run[0]]), "last": _day_name(hours.DAYS[run[-1]])}
            )
        else:
            parts.extend(_day_name(hours.DAYS[i]) for i in run)
    return ", ".join(parts)


def _clock_words(value: str) -> str:
    h, m, _s = (int(x) for x in value.split(":"))
    if h == 24:
        h, m = 23, 59
    return time_format(time(h, m), "TIME_FORMAT")


def hours_in_words(openings: list[hours.Opening]) -> list[str]:
    """One line per weekly opening, e.g. "Monday to Friday: 9 a.m. to 5 p.m.", in the active language."""
    return [
        _("%(days)s: %(opens)s to %(closes)s")
        % {"days": days_in_words(o.days), "opens": _clock_words(o.opens), "closes": _clock_words(o.closes)}
        for o in openings
    ]


# --- reading the listing ------------------------------------------------------------------------------------------


def _address_lines(location) -> list[str]:
    if location is None:
        return []
    addresses = list(Address.objects.filter(location=location).exclude(address_type="virtual").order_by("id"))
    if not addresses:
        return []
    address = next((a for a in addresses if a.address_type == "physical"), addresses[0])
    city_line = " ".join(p for p in (f"{address.city}," if address.city else "", address.state_province) if p)
    city_line = f"{city_line} {address.postal_code}".strip()
    return [line for line in (address.address_1, address.address_2, city_line) if line]


def _phone(sal) -> str:
    """The most specific number: the service at this location, the service, the location, the organization."""
    service, location = sal.service, sal.location
    for kwargs in (
        {"service_at_location": sal},
        {"service": service} if service else None,
        {"location": location} if location else None,
        {"organization": service.organization} if service and service.organization_id else None,
    ):
        if kwargs:
            phone = Phone.objects.filter(**kwargs).order_by("id").first()
            if phone and phone.extension:
                return _("%(number)s, extension %(extension)s") % {
                    "number": phone.number,
                    "extension": int(phone.extension),
                }
            if phone:
                return phone.number
    return ""


def _schedules(sal) -> list:
    q = Schedule.objects.filter(service_at_location=sal)
    if sal.service_id:
        q = q | Schedule.objects.filter(service_id=sal.service_id)
    if sal.location_id:
        q = q | Schedule.objects.filter(location_id=sal.location_id)
    return list(q.order_by("id"))


def sheet_context(referral: Referral) -> dict:
    """Everything the sheet shows (call inside the patient's language)."""
    sal = referral.service_at_location
    service, location = sal.service, sal.location
    schedules = _schedules(sal)
    openings = hours.openings(schedules, timezone.localdate())
    described = [s.description for s in schedules if s.description and not openings]
    documents = (
        list(
            RequiredDocument.objects.filter(service=service)
            .exclude(document="")
            .order_by("id")
            .values_list("document", flat=True)
        )
        if service
        else []
    )
    needs = []
    for concern in referral_concerns(referral):
        if concern.category not in NOT_PRINTED:
            words = plain_words(concern.category)
            if words not in needs:
                needs.append(words)
    return {
        "name": referral.patient.display_name,
        "service_name": service.name if service else "",
        "provider_name": service.organization.name if service and service.organization_id else "",
        "location_name": location.name if location else "",
        "address_lines": _address_lines(location),
        "hours_lines": hours_in_words(openings) or described,
        "phone": _phone(sal),
        "documents": documents,
        "needs": needs,
        "next_steps": referral.patient_told,
        "worker": referral.requested_by.full_name,
        "care_organization": referral.organization.name,
        "printed_on": timezone.localdate(),
    }


def referral_sheet_pdf(referral: Referral) -> tuple[bytes, str]:
    """(PDF bytes, language code)."""
    from weasyprint import HTML  # loads Pango: only when a PDF is wanted

    language = referral.patient.message_language
    with translation.override(language):
        html = render_to_string("referrals/sheet_pdf.html", {**sheet_context(referral), "language": language})
    # No base_url: the template has no links, images or remote fonts to fetch.
    return HTML(string=html).write_pdf(), language


def export_referral_sheet(request, referral: Referral, *, user=None) -> bytes:
    """The sheet handed to the patient, audited as an export (a disclosure to the patient). Nothing is stored."""
    actor = acting_user(request, user)
    pdf, language = referral_sheet_pdf(referral)
    record_event(
        request,
        AuditAction.EXPORT,
        obj=referral,
        patient_id=referral.patient_id,
        user=actor,
        detail={"view": "referral_sheet_pdf", "language": language},
    )
    return pdf
