"""`may_share`: the one function every disclosure path calls (the referral preview, sending a referral, the partner
portal). It loads the patient's consents in one query and applies the pure rule in `rules.py`."""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from puente.accounts.models import Organization

from . import rules
from .models import Consent

REASONS = {
    rules.OK_NAMED: _("Allowed by a consent naming this organization."),
    rules.OK_CLASS: _("Allowed by a consent for social services providers."),
    rules.NO_CONSENT: _("There is no consent to share with this organization."),
    rules.NOT_YET_EFFECTIVE: _("The consent is not in effect yet."),
    rules.EXPIRED: _("The consent has expired."),
    rules.REVOKED: _("The consent was revoked."),
    rules.OTHER_RECIPIENT: _("The consent names another recipient."),
    rules.NOT_IN_SCOPE: _("The consent does not cover this information."),
    rules.PART2_NEEDS_FLAG: _("Substance use information needs a 42 CFR Part 2 consent."),
    rules.PART2_NEEDS_NAMED: _("Substance use information needs a consent that names the organization."),
    rules.NOTES_NEVER: _("Progress notes are never shared with partners."),
    rules.NOT_A_PARTNER: _("Only partner organizations receive shared information."),
    rules.UNKNOWN_CLASS: _("Unknown kind of information."),
}


def reason_text(code: str) -> str:
    return str(REASONS.get(code, code))


def _recipient(org: Organization) -> rules.RecipientFacts:
    return rules.RecipientFacts(org_id=org.pk, is_partner=org.kind == Organization.Kind.PARTNER)


def load_consents(patient) -> list[rules.ConsentFacts]:
    return [c.facts() for c in Consent.objects.for_patient(patient).select_related("recipient_organization")]


def may_share(
    patient, recipient_org: Organization, data_class: str, at: datetime | None = None, *, consents=None
) -> rules.Decision:
    """Whether `data_class` of `patient` may go to `recipient_org` at `at` (now by default).

    `consents` (from `load_consents`) lets a caller deciding several classes at once read the consents once.
    """
    at = at or timezone.now()
    facts = load_consents(patient) if consents is None else consents
    return rules.decide(facts, _recipient(recipient_org), data_class, at, timezone.localdate(at))


def shareable_classes(patient, recipient_org: Organization, at: datetime | None = None) -> dict[str, rules.Decision]:
    """The decision for every class (notes included, always refused), reading the consents once."""
    consents = load_consents(patient)
    return {c: may_share(patient, recipient_org, c, at, consents=consents) for c in rules.ALL_CLASSES}
