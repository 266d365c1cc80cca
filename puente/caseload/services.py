"""Writes for caseload configuration. Each is atomic and audited. Assignment itself is episodes' service."""

from django.db import transaction

from puente.audit.models import AuditAction
from puente.audit.services import record_event

from .models import CaseloadTarget, WorkerProfile


@transaction.atomic
def set_caseload_target(request, team, low: int | None, high: int | None) -> CaseloadTarget:
    target, created = CaseloadTarget.objects.select_for_update().get_or_create(
        organization_id=team.organization_id, team=team, defaults={"low": low, "high": high}
    )
    if not created:
        target.low, target.high = low, high
        target.full_clean(exclude=["organization", "team"])
        target.save(update_fields=["low", "high", "updated_at"])
    record_event(
        request,
        AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=target,
        detail={"team": str(team.pk), "low": low, "high": high},
    )
    return target


@transaction.atomic
def set_territory(request, worker, counties: str) -> WorkerProfile:
    profile, created = WorkerProfile.objects.select_for_update().get_or_create(
        organization_id=worker.organization_id, user=worker, defaults={"counties": counties}
    )
    if not created:
        profile.counties = counties
        profile.save(update_fields=["counties", "updated_at"])
    record_event(
        request,
        AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=profile,
        detail={"worker": worker.email, "counties": counties},
    )
    return profile
