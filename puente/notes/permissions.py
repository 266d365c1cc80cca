"""Who may read and write progress notes.

- No access to the patient, or to the note (a draft or a sensitive note for the care team; any note for intake,
  partners and administrators): 404, so that existence is not disclosed.
- Care team: reads signed, non-sensitive notes of their units' patients (coordination); every write is 403.
- Social worker or supervisor: reads; writes need a care relationship too (`get_rw_patient_for_user`), so
  break-the-glass is read-only and shows no sensitive note.
- Signing: the author only. Co-signing: a supervisor of one of the patient's teams (episodes and referrals).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404

from puente.accounts.models import Role, Team
from puente.episodes.models import Episode, SocialWorkReferral
from puente.patients.models import Patient
from puente.patients.permissions import get_patient_for_user, get_rw_patient_for_user

from .models import WRITER_ROLES, ProgressNote

READER_ROLES = (*WRITER_ROLES, Role.CARE_TEAM)


def may_write_notes(user, patient: Patient) -> bool:
    return (
        user.is_authenticated
        and user.role in WRITER_ROLES
        and Patient.objects.visible_to(user, break_glass=False).filter(pk=patient.pk).exists()
    )


def may_sign(user, note: ProgressNote) -> bool:
    return user.pk == note.author_id


def may_cosign(user, note: ProgressNote) -> bool:
    """A supervisor of a team that has an episode or a referral for the note's patient (not the author)."""
    if user.role != Role.SUPERVISOR or user.pk == note.author_id:
        return False
    org = note.organization_id
    team_ids = Episode.objects.filter(organization_id=org, patient_id=note.patient_id).values("team_id")
    referral_team_ids = SocialWorkReferral.objects.filter(organization_id=org, patient_id=note.patient_id).values(
        "team_id"
    )
    return (
        Team.objects.filter(organization_id=org, supervisor=user)
        .filter(Q(id__in=team_ids) | Q(id__in=referral_team_ids))
        .exists()
    )


def get_patient_for_notes(user, patient_pk) -> Patient:
    patient = get_patient_for_user(user, patient_pk)
    if user.role not in READER_ROLES:
        raise PermissionDenied
    return patient


def get_rw_patient_for_notes(user, patient_pk) -> Patient:
    patient = get_rw_patient_for_user(user, patient_pk)
    if user.role not in WRITER_ROLES:
        raise PermissionDenied
    return patient


def get_note_for_user(user, pk) -> ProgressNote:
    try:
        return (
            ProgressNote.objects.visible_to(user)
            .select_related("patient", "author", "updated_by", "signed_by", "cosigned_by", "copied_from", "template")
            .get(pk=pk)
        )
    except (ProgressNote.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None


def get_rw_note_for_user(user, pk) -> ProgressNote:
    note = get_note_for_user(user, pk)
    if not may_write_notes(user, note.patient):
        raise PermissionDenied
    return note
