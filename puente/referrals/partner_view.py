"""What a partner sees of a referral. The same function builds the worker's preview before sending and the partner's
page, so the preview is exactly what the partner will see. Every class of information goes through
`consent.decide.may_share`; a class the consent does not allow is left out and listed as withheld."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone

from puente.consent import rules
from puente.consent.decide import reason_text, shareable_classes
from puente.consent.models import DataClass
from puente.directory.models import SdohCategory
from puente.screening.models import ScreeningResponse

# The order classes are shown in; notes are always withheld and named so, so nobody wonders.
SHOWN_ORDER = (rules.DEMOGRAPHICS, rules.CONTACT, rules.CONCERNS, rules.SCREENING, rules.NOTES)


@dataclass
class PartnerView:
    service_name: str
    location_name: str
    priority_label: str
    message: str
    sent_at: datetime | None
    name: str = ""
    birth_date: date | None = None
    language: str = ""
    interpreter_needed: bool = False
    phone: str = ""
    email: str = ""
    address: str = ""
    address_withheld: bool = False
    concerns: list[str] = field(default_factory=list)
    screenings: list[dict] = field(default_factory=list)
    shared: list[str] = field(default_factory=list)  # data class codes shown
    withheld: list[tuple[str, str]] = field(default_factory=list)  # (label, reason)
    decisions: dict = field(default_factory=dict)

    @property
    def service_label(self) -> str:
        return service_place(self.service_name, self.location_name)

    @property
    def shares_anything(self) -> bool:
        return bool(self.shared)


def service_place(service_name: str, location_name: str) -> str:
    """The service and its location as "Service — Location", without saying a name twice: listings often name
    the location after the service ("Westside Pantry" at "Westside Pantry", or "Westside Pantry — Belen"), and
    "X — X" reads like an error."""
    service, location = (service_name or "").strip(), (location_name or "").strip()
    if not location or location.casefold() == service.casefold():
        return service
    if not service or location.casefold().startswith(service.casefold()):
        return location
    return f"{service} — {location}"


def _service_names(sal) -> tuple[str, str]:
    service = sal.service
    location = sal.location
    return (service.name if service else ""), (location.name if location else "")


def build_partner_view(
    *,
    patient,
    concerns,
    service_at_location,
    recipient_org,
    priority_label: str,
    message: str,
    sent_at: datetime | None = None,
    at: datetime | None = None,
) -> PartnerView:
    """The partner's view of a referral (sent or not yet), filtered by the consent decision for each class."""
    at = at or timezone.now()
    decisions = shareable_classes(patient, recipient_org, at)
    service_name, location_name = _service_names(service_at_location)
    view = PartnerView(service_name, location_name, priority_label, message, sent_at, decisions=decisions)
    labels = dict(DataClass.choices)
    for data_class in SHOWN_ORDER:
        decision = decisions[data_class]
        if not decision.allowed:
            view.withheld.append((str(labels[data_class]), reason_text(decision.reason)))
            continue
        view.shared.append(data_class)
        if data_class == rules.DEMOGRAPHICS:
            preferred = f" ({patient.preferred_name})" if patient.preferred_name else ""
            view.name = f"{patient.legal_given_name} {patient.legal_family_name}{preferred}"
            view.birth_date = patient.birth_date
            view.language = str(patient.get_preferred_language_display())
            view.interpreter_needed = patient.interpreter_needed
        elif data_class == rules.CONTACT:
            view.phone = patient.phone
            view.email = patient.email
            if patient.address_confidential:
                # A confidential address is never shared, whatever the consent says.
                view.address_withheld = True
            else:
                parts = [patient.address_line1, patient.address_line2, patient.city, patient.state, patient.postal_code]
                view.address = ", ".join(p for p in parts if p)
        elif data_class == rules.CONCERNS:
            categories = dict(SdohCategory.choices)
            view.concerns = [str(categories.get(c.category, c.category)) for c in concerns]
        elif data_class == rules.SCREENING:
            response_ids = [c.source_response_id for c in concerns if c.source_response_id]
            responses = ScreeningResponse.objects.filter(
                organization_id=patient.organization_id, patient=patient, id__in=response_ids
            ).order_by("-effective_at")
            categories = dict(SdohCategory.choices)
            view.screenings = [
                {
                    "instrument": r.instrument_id.upper(),
                    "date": r.effective_at,
                    # Social-need domains only: a clinical finding (depression, substance use) is not a social
                    # need, and substance use would need a Part 2 consent.
                    "positive": [str(categories[d]) for d in r.positive_domains if d in categories],
                }
                for r in responses
            ]
    return view


def for_referral(referral, concerns, at: datetime | None = None) -> PartnerView:
    return build_partner_view(
        patient=referral.patient,
        concerns=concerns,
        service_at_location=referral.service_at_location,
        recipient_org=referral.recipient_organization,
        priority_label=str(referral.get_priority_display()),
        message=referral.message_to_partner,
        sent_at=referral.requested_at,
        at=at,
    )
