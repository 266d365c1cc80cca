"""Writes for episodes and the social-work referral queue. Each is atomic and audited."""

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from puente.accounts.models import Role, User
from puente.audit.models import AuditAction
from puente.audit.services import acting_user, record_event, save_changes
from puente.core.idempotency import create_once
from puente.patients.models import Patient

from .models import Episode, SocialWorkReferral


class QueueConflict(Exception):
    """The referral changed under the user (someone else took it first)."""


_actor = acting_user


@transaction.atomic
def create_episode(
    request: HttpRequest | None,
    patient: Patient,
    data: dict[str, Any],
    *,
    user: User | None = None,
    idempotency_key: str = "",
) -> Episode:
    """A new episode of care. The same idempotency key again answers with the first one (core/idempotency.py)."""
    actor = _actor(request, user)
    episode, _replayed = create_once(
        patient.organization_id,
        actor,
        idempotency_key,
        Episode,
        lambda: _create_episode(request, patient, data, actor),
        scope=patient.pk,
    )
    return episode


def _create_episode(request, patient: Patient, data: dict[str, Any], actor) -> Episode:
    episode = Episode(organization_id=patient.organization_id, patient=patient, created_by=actor, **data)
    episode.full_clean(exclude=["organization", "patient", "created_by"])
    episode.save()
    record_event(request, AuditAction.CREATE, obj=episode, patient_id=patient.pk, user=actor)
    return episode


@transaction.atomic
def update_episode(
    request: HttpRequest | None, episode: Episode, changes: dict[str, Any], *, user: User | None = None
) -> Episode:
    actor = _actor(request, user)
    save_changes(
        request,
        episode,
        changes,
        actor=actor,
        patient_id=episode.patient_id,
        clean_exclude=["organization", "patient", "created_by"],
    )
    return episode


@transaction.atomic
def create_sw_referral(
    request: HttpRequest | None,
    patient: Patient,
    data: dict[str, Any],
    *,
    user: User | None = None,
    idempotency_key: str = "",
) -> SocialWorkReferral:
    """A referral to social work. The same idempotency key again answers with the first one."""
    actor = _actor(request, user)
    referral, _replayed = create_once(
        patient.organization_id,
        actor,
        idempotency_key,
        SocialWorkReferral,
        lambda: _create_sw_referral(request, patient, data, actor),
        scope=patient.pk,
    )
    return referral


def _create_sw_referral(request, patient: Patient, data: dict[str, Any], actor) -> SocialWorkReferral:
    referral = SocialWorkReferral(organization_id=patient.organization_id, patient=patient, created_by=actor, **data)
    if referral.team_id is None and referral.episode_id is not None:
        referral.team_id = referral.episode.team_id
    if referral.assigned_to_id is not None:
        referral.status = SocialWorkReferral.Status.ASSIGNED
        referral.assigned_at = timezone.now()
    referral.full_clean(exclude=["organization", "patient", "created_by"])
    referral.save()
    record_event(request, AuditAction.CREATE, obj=referral, patient_id=patient.pk, user=actor)
    return referral


def _locked(referral: SocialWorkReferral) -> SocialWorkReferral:
    return SocialWorkReferral.objects.select_for_update().get(organization_id=referral.organization_id, pk=referral.pk)


@transaction.atomic
def assign_sw_referral(request: HttpRequest, referral: SocialWorkReferral, worker: User) -> SocialWorkReferral:
    """A supervisor or intake coordinator assigns (or reassigns) a referral to a worker."""
    referral = _locked(referral)
    if worker.organization_id != referral.organization_id or worker.role not in (
        Role.SOCIAL_WORKER,
        Role.SUPERVISOR,
    ):
        raise ValueError(_("Choose a social worker of this organization."))
    previous = referral.assigned_to_id
    referral.assigned_to = worker
    referral.assigned_at = timezone.now()
    if referral.status == SocialWorkReferral.Status.NEW:
        referral.status = SocialWorkReferral.Status.ASSIGNED
    referral.save(update_fields=["assigned_to", "assigned_at", "status", "updated_at"])
    record_event(
        request,
        AuditAction.UPDATE,
        obj=referral,
        patient_id=referral.patient_id,
        detail={"assigned_to": worker.email, "previous": previous},
    )
    return referral


@transaction.atomic
def take_sw_referral(request: HttpRequest, referral: SocialWorkReferral) -> SocialWorkReferral:
    """A worker takes an unassigned referral. Two workers clicking at once: exactly one wins."""
    referral = _locked(referral)
    if referral.assigned_to_id is not None and referral.assigned_to_id != request.user.pk:
        raise QueueConflict(_("%(name)s has already taken this referral.") % {"name": referral.assigned_to})
    referral.assigned_to = request.user
    referral.assigned_at = timezone.now()
    referral.status = SocialWorkReferral.Status.ASSIGNED
    referral.save(update_fields=["assigned_to", "assigned_at", "status", "updated_at"])
    record_event(request, AuditAction.UPDATE, obj=referral, patient_id=referral.patient_id, detail={"taken": True})
    return referral


@transaction.atomic
def record_first_contact(
    request: HttpRequest | None,
    referral: SocialWorkReferral,
    at=None,
    method: str = "",
    *,
    user: User | None = None,
) -> SocialWorkReferral:
    """When (default: now) and how (SocialWorkReferral.ContactMethod, optional) social work first reached the
    patient. A time before the referral was received or in the future raises ValidationError."""
    actor = _actor(request, user)
    referral = _locked(referral)
    if referral.first_contact_at is None:
        if at is not None:
            referral.check_first_contact_time(at)
        if method and method not in SocialWorkReferral.ContactMethod.values:
            raise ValueError(f"unknown contact method: {method}")
        referral.first_contact_at = at or timezone.now()
        referral.first_contact_method = method
        if referral.assigned_to_id is None:
            referral.assigned_to = actor
            referral.assigned_at = referral.first_contact_at
        referral.status = SocialWorkReferral.Status.CONTACTED
        referral.save(
            update_fields=[
                "first_contact_at",
                "first_contact_method",
                "assigned_to",
                "assigned_at",
                "status",
                "updated_at",
            ]
        )
        record_event(
            request,
            AuditAction.UPDATE,
            obj=referral,
            patient_id=referral.patient_id,
            detail={"first_contact_at": referral.first_contact_at.isoformat(), "method": method},
        )
    return referral


@transaction.atomic
def close_sw_referral(request: HttpRequest, referral: SocialWorkReferral, cancelled: bool = False):
    referral = _locked(referral)
    referral.status = SocialWorkReferral.Status.CANCELLED if cancelled else SocialWorkReferral.Status.CLOSED
    referral.save(update_fields=["status", "updated_at"])
    record_event(
        request, AuditAction.UPDATE, obj=referral, patient_id=referral.patient_id, detail={"status": referral.status}
    )
    return referral
