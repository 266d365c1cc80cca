"""Who may read and write a care plan.

- No access to the patient (another team, another organization, partners, administrators without break-the-glass):
  404, so that existence is not disclosed.
- Care team: reads a reduced plan (concerns, goals, interventions, when the next review is due; no progress notes,
  review summaries or evidence) of their units' patients; every write is 403. Intake: 403 (they register patients,
  they do not plan care).
- Social workers and supervisors: read; writes need a care relationship too (`get_rw_patient_for_user`), so
  break-the-glass is read-only.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from puente.patients.models import Patient
from puente.patients.permissions import get_patient_for_user, get_rw_patient_for_user
from puente.screening.models import HealthConcern

from .models import READER_ROLES, WRITER_ROLES, Goal, Intervention


def may_write_plan(user, patient: Patient) -> bool:
    return (
        user.is_authenticated
        and user.role in WRITER_ROLES
        and Patient.objects.visible_to(user, break_glass=False).filter(pk=patient.pk).exists()
    )


def sees_full_plan(user) -> bool:
    """Progress notes, review summaries and evidence are for the social-work team; the care team sees the rest."""
    return user.role in WRITER_ROLES


def get_patient_for_plan(user, patient_pk) -> Patient:
    patient = get_patient_for_user(user, patient_pk)
    if user.role not in READER_ROLES:
        raise PermissionDenied
    return patient


def get_rw_patient_for_plan(user, patient_pk) -> Patient:
    patient = get_rw_patient_for_user(user, patient_pk)
    if user.role not in WRITER_ROLES:
        raise PermissionDenied
    return patient


def _rw(user, obj):
    if not may_write_plan(user, obj.patient):
        raise PermissionDenied
    return obj


def get_rw_goal(user, pk) -> Goal:
    try:
        goal = Goal.objects.visible_to(user).select_related("patient", "concern").get(pk=pk)
    except (Goal.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None
    return _rw(user, goal)


def get_rw_intervention(user, pk) -> Intervention:
    try:
        item = Intervention.objects.visible_to(user).select_related("patient", "goal").get(pk=pk)
    except (Intervention.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None
    return _rw(user, item)


def get_rw_concern(user, pk) -> HealthConcern:
    """A concern on a plan this user may write (screening's model has no `visible_to`: the same rule, spelled out)."""
    if not getattr(user, "is_authenticated", False) or user.role not in READER_ROLES:
        raise Http404
    try:
        concern = (
            HealthConcern.objects.filter(
                organization_id=user.organization_id, patient__in=Patient.objects.visible_to(user)
            )
            .select_related("patient")
            .get(pk=pk)
        )
    except (HealthConcern.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None
    return _rw(user, concern)
