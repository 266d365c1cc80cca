"""Demo referrals for `seed_demo`: a consent and a referral in a few lifecycle states for some hospital patients,
so the worker's list, the partner portal and the check-back have something to show. Synthetic data only;
idempotent (does nothing once the hospital has referrals)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from puente.accounts.models import Organization, Role, User
from puente.consent.models import Consent
from puente.patients.models import Patient

from . import lifecycle, services
from .forms import referable_services
from .models import Referral

HOSPITAL_SLUG = "sandia-regional"
# (status to reach, days ago it was accepted, outcome)
PLAN = [
    (lifecycle.REQUESTED, None, ""),
    (lifecycle.ACCEPTED, 9, ""),
    (lifecycle.IN_PROGRESS, 3, ""),
    (lifecycle.COMPLETED, 20, "met"),
    (lifecycle.REJECTED, None, ""),
]


@transaction.atomic
def load_demo_referrals() -> int:
    hospital = Organization.objects.filter(slug=HOSPITAL_SLUG).first()
    if hospital is None or Referral.objects.filter(organization_id=hospital.pk).exists():
        return 0
    listings = [sal for sal in referable_services() if services.partner_org_for(sal) is not None]
    worker = User.objects.filter(organization=hospital, role=Role.SOCIAL_WORKER).order_by("email").first()
    if not listings or worker is None:
        return 0
    patients = list(Patient.objects.filter(organization_id=hospital.pk).order_by("legal_family_name")[: len(PLAN)])
    made = 0
    now = timezone.now()
    for (target, accepted_days, outcome), patient, listing in zip(PLAN, patients, listings * len(PLAN), strict=False):
        partner = services.partner_org_for(listing)
        partner_user = User.objects.filter(organization=partner, role=Role.PARTNER).first()
        if partner_user is None:
            continue
        Consent.objects.create(
            organization_id=hospital.pk,
            patient=patient,
            recipient_organization=partner,
            purpose="Help with food or housing (demo)",
            data_classes=["demographics", "contact", "concerns"],
            method="verbal",
            witness_name="Demo witness",
            effective_on=timezone.localdate() - timedelta(days=30),
            expires_on=timezone.localdate() + timedelta(days=335),
            created_by=worker,
        )
        referral = services.make_referral(
            None,
            patient,
            send=True,
            service_at_location=listing,
            message="Demo referral: please call the patient.",
            patient_told="The organization will call within a week.",
            user=worker,
        )
        steps = {
            lifecycle.ACCEPTED: [lifecycle.ACCEPTED],
            lifecycle.IN_PROGRESS: [lifecycle.ACCEPTED, lifecycle.IN_PROGRESS],
            lifecycle.COMPLETED: [lifecycle.ACCEPTED, lifecycle.IN_PROGRESS, lifecycle.COMPLETED],
            lifecycle.REJECTED: [lifecycle.REJECTED],
        }.get(target, [])
        for step in steps:
            reason = "Outside our service area (demo)" if step == lifecycle.REJECTED else ""
            referral = services.change_status(
                None, referral, step, side=lifecycle.TARGET, reason=reason, user=partner_user
            )
        if accepted_days is not None:
            Referral.objects.filter(organization_id=hospital.pk, pk=referral.pk).update(
                accepted_at=now - timedelta(days=accepted_days)
            )
        if outcome:
            services.record_outcome(None, referral, outcome=outcome, user=worker)
        made += 1
    return made
