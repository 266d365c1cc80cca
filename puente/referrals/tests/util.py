"""Builders for referral tests: a directory listing run by a partner, a consent, a concern, a referral."""

import itertools
from datetime import timedelta

from django.utils import timezone

from puente.consent import rules
from puente.consent.models import Consent
from puente.directory import models as d
from puente.screening.models import HealthConcern

from ..models import Referral, ReferralConcern, ReferralEvent

_seq = itertools.count(1)


def make_listing(partner_org, name: str = "Emergency food boxes") -> d.ServiceAtLocation:
    """A service at a location whose directory organization is kept by `partner_org` (None = no partner account)."""
    n = next(_seq)
    org = d.Organization.objects.create(name=f"Directory org {n}", description="Synthetic", curated_by=partner_org)
    service = d.Service.objects.create(organization=org, name=name, status="active")
    location = d.Location.objects.create(organization=org, name=f"Main pantry {n}", location_type="physical")
    return d.ServiceAtLocation.objects.create(service=service, location=location)


def make_consent(patient, user, recipient=None, *, classes=None, days_ago: int = 1, **extra) -> Consent:
    extra.setdefault("method", "signed_on_screen")
    extra.setdefault("signature", "María García")
    extra.setdefault("expires_on", timezone.localdate() + timedelta(days=365))
    return Consent.objects.create(
        organization_id=patient.organization_id,
        patient=patient,
        recipient_organization=recipient,
        recipient_class="" if recipient is not None else rules.CLASS_SOCIAL_SERVICES,
        purpose="Help with food",
        data_classes=list(classes if classes is not None else [rules.DEMOGRAPHICS, rules.CONTACT, rules.CONCERNS]),
        effective_on=timezone.localdate() - timedelta(days=days_ago),
        created_by=user,
        **extra,
    )


def make_concern(patient, category: str = "food-insecurity", **extra) -> HealthConcern:
    return HealthConcern.objects.create(
        organization_id=patient.organization_id, patient=patient, category=category, status="active", **extra
    )


def make_referral(patient, user, listing, status: str = "draft", concerns=(), **extra) -> Referral:
    """A referral straight in the database (for tests of other things than the services)."""
    now = timezone.now()
    if status != "draft":
        extra.setdefault("requested_at", now)
    referral = Referral.objects.create(
        organization_id=patient.organization_id,
        patient=patient,
        service_at_location=listing,
        recipient_organization=listing.service.organization.curated_by,
        requested_by=user,
        status=status,
        **extra,
    )
    for c in concerns:
        ReferralConcern.objects.create(organization_id=patient.organization_id, referral=referral, concern=c)
    ReferralEvent.objects.create(
        organization_id=patient.organization_id, referral=referral, actor=user, from_status="", to_status=status
    )
    return referral
