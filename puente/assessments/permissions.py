"""Who may read and write assessments.

- No access to the patient (other team, other organization, partners, administrators without break-the-glass): 404,
  as everywhere, so that existence is not disclosed.
- Access to the patient but not a social-work role (care team, intake, an administrator who broke the glass): 403.
  The care team has a reduced view of the record; the psychosocial narrative is for the social-work team.
- Social worker or supervisor: reads. Writes (start, edit, sign, addendum) need a care relationship too, as
  `get_rw_patient_for_user` decides: break-the-glass opens assessments read-only (403 on writes).
- Signing: the author or a supervisor only.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from puente.accounts.models import Role
from puente.patients.models import Patient
from puente.patients.permissions import can_write_patient, get_patient_for_user

from .models import READER_ROLES, Assessment


def may_read_assessments(user) -> bool:
    return user.is_authenticated and user.role in READER_ROLES


def may_write_assessments(user, patient: Patient) -> bool:
    return (
        may_read_assessments(user)
        and can_write_patient(user)
        and Patient.objects.visible_to(user, break_glass=False).filter(pk=patient.pk).exists()
    )


def may_sign(user, assessment: Assessment) -> bool:
    return user.pk == assessment.author_id or user.role == Role.SUPERVISOR


def get_patient_for_assessments(user, patient_pk) -> Patient:
    patient = get_patient_for_user(user, patient_pk)
    if not may_read_assessments(user):
        raise PermissionDenied
    return patient


def get_rw_patient_for_assessments(user, patient_pk) -> Patient:
    patient = get_patient_for_assessments(user, patient_pk)
    if not may_write_assessments(user, patient):
        raise PermissionDenied
    return patient


def get_assessment_for_user(user, pk) -> Assessment:
    try:
        assessment = (
            Assessment.objects.filter(
                organization_id=user.organization_id, patient__in=Patient.objects.visible_to(user)
            )
            .select_related("patient", "author", "updated_by", "signed_by", "episode")
            .get(pk=pk)
        )
    except (Assessment.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None
    if not may_read_assessments(user):
        raise PermissionDenied
    return assessment


def get_rw_assessment_for_user(user, pk) -> Assessment:
    assessment = get_assessment_for_user(user, pk)
    if not may_write_assessments(user, assessment.patient):
        raise PermissionDenied
    return assessment
