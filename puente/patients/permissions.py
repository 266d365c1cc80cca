"""Object access for patient records: 404 for no access, 403 for read-only access."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from puente.accounts.models import Role

from .models import Patient

WRITER_ROLES = (Role.SOCIAL_WORKER, Role.SUPERVISOR, Role.INTAKE)


def get_patient_for_user(user, pk) -> Patient:
    """The patient if the user may see it; 404 otherwise, so that existence is not disclosed."""
    try:
        return Patient.objects.visible_to(user).get(pk=pk)
    except (Patient.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_write_patient(user) -> bool:
    return user.role in WRITER_ROLES


def get_rw_patient_for_user(user, pk) -> Patient:
    """Write access needs a writer role and a care relationship: break-the-glass opens a record read-only."""
    patient = get_patient_for_user(user, pk)
    if not can_write_patient(user):
        raise PermissionDenied
    if not Patient.objects.visible_to(user, break_glass=False).filter(pk=patient.pk).exists():
        raise PermissionDenied
    return patient


def can_break_glass(user) -> bool:
    return user.is_authenticated and (user.is_clinical_staff or user.role == Role.ADMIN)
