"""Who may read and record consents: social workers and supervisors with access to the patient (404 without it).
Recording or revoking needs a care relationship (`get_rw_patient_for_user`, so break-the-glass is read-only)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from puente.accounts.models import Role
from puente.patients.models import Patient
from puente.patients.permissions import get_patient_for_user, get_rw_patient_for_user

from .models import Consent, ConsentDocument

CONSENT_ROLES = (Role.SOCIAL_WORKER, Role.SUPERVISOR)


def may_write_consents(user, patient) -> bool:
    return (
        user.role in CONSENT_ROLES
        and Patient.objects.visible_to(user, break_glass=False).filter(pk=patient.pk).exists()
    )


def get_patient_for_consent(user, patient_pk):
    patient = get_patient_for_user(user, patient_pk)
    if user.role not in CONSENT_ROLES:
        raise PermissionDenied
    return patient


def get_rw_patient_for_consent(user, patient_pk):
    patient = get_rw_patient_for_user(user, patient_pk)
    if user.role not in CONSENT_ROLES:
        raise PermissionDenied
    return patient


def get_rw_consent_for_user(user, pk) -> Consent:
    try:
        consent = Consent.objects.visible_to(user).select_related("patient").get(pk=pk)
    except (Consent.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None
    get_rw_patient_for_consent(user, consent.patient_id)
    return consent


def get_document_for_user(user, pk) -> ConsentDocument:
    """A consent document for those who may read the patient's consents: 404 without access to the patient (and
    for partners, always), 403 for roles that do not read consents (care team, intake), like the consent list."""
    if not getattr(user, "is_authenticated", False) or not user.organization_id or user.is_partner:
        raise Http404
    try:
        document = (
            ConsentDocument.objects.filter(organization_id=user.organization_id, pk=pk).select_related("consent").get()
        )
    except (ConsentDocument.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None
    get_patient_for_consent(user, document.consent.patient_id)
    return document
