"""Who reaches referrals.

- Workers (social workers, supervisors): the referrals of the patients they may open (404 otherwise); writing
  needs a care relationship (403 when break-the-glass gives read-only access). Care team, intake: 403.
- Partners: only referrals sent to their organization, never a draft (404 otherwise); never a patient page.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from puente.patients.models import Patient
from puente.patients.permissions import get_patient_for_user, get_rw_patient_for_user

from .models import WORKER_ROLES, Referral

_RELATED = ("patient", "service_at_location__service", "service_at_location__location", "recipient_organization")


def may_write_referrals(user, patient) -> bool:
    return (
        user.role in WORKER_ROLES and Patient.objects.visible_to(user, break_glass=False).filter(pk=patient.pk).exists()
    )


def get_patient_for_referrals(user, patient_pk) -> Patient:
    patient = get_patient_for_user(user, patient_pk)
    if user.role not in WORKER_ROLES:
        raise PermissionDenied
    return patient


def get_rw_patient_for_referrals(user, patient_pk) -> Patient:
    patient = get_rw_patient_for_user(user, patient_pk)
    if user.role not in WORKER_ROLES:
        raise PermissionDenied
    return patient


def get_referral_for_user(user, pk) -> Referral:
    try:
        return Referral.objects.visible_to(user).select_related(*_RELATED, "requested_by", "consent").get(pk=pk)
    except (Referral.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None


def get_rw_referral_for_user(user, pk) -> Referral:
    referral = get_referral_for_user(user, pk)
    if not may_write_referrals(user, referral.patient):
        raise PermissionDenied
    return referral


def get_partner_referral(user, pk) -> Referral:
    try:
        return Referral.objects.for_partner(user).select_related(*_RELATED).get(pk=pk)
    except (Referral.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None
