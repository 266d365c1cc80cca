"""Who may see and write time.

- A patient's time page: social workers and supervisors who may open the patient (else 404); other roles 403.
  Writing (timer, entries, CHI/PIN enrolment) needs a care relationship (`get_rw_patient_for_user`): a record
  opened by breaking the glass is read-only.
- An entry: visible per `TimeEntry.objects.visible_to` (else 404); only its worker changes it.
- "My time": social workers and supervisors. The team month, its export and closing a month: supervisors (their
  teams) and administrators (the whole organization, as the billing office); everyone else 403.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from puente.patients.models import Patient
from puente.patients.permissions import get_patient_for_user, get_rw_patient_for_user

from .models import BILLING_ROLES, TIMEKEEPER_ROLES, TimeEntry


def require_timekeeper(user) -> None:
    if user.role not in TIMEKEEPER_ROLES:
        raise PermissionDenied


def require_billing_role(user) -> None:
    if user.role not in BILLING_ROLES:
        raise PermissionDenied


def get_patient_for_time(user, pk) -> Patient:
    patient = get_patient_for_user(user, pk)
    require_timekeeper(user)
    return patient


def get_rw_patient_for_time(user, pk) -> Patient:
    patient = get_rw_patient_for_user(user, pk)
    require_timekeeper(user)
    return patient


def may_write_time(user, patient: Patient) -> bool:
    return user.role in TIMEKEEPER_ROLES and (
        Patient.objects.visible_to(user, break_glass=False)
        .filter(organization_id=patient.organization_id, pk=patient.pk)
        .exists()
    )


def get_own_entry(user, pk) -> TimeEntry:
    """An entry the user sees (404 otherwise) and entered (403 otherwise)."""
    try:
        entry = TimeEntry.objects.visible_to(user).select_related("patient").get(pk=pk)
    except (TimeEntry.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None
    if entry.worker_id != user.pk:
        raise PermissionDenied
    return entry
