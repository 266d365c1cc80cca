"""Writing the care plan: concerns, goals, progress, interventions, plan reviews; the patient's printed copy.

Each write is atomic and records one audit row; the audit detail names the fields changed, never their text.
Edits carry the `version` the form was opened at: a save over someone else's newer save is refused (StaleVersion)
and the view keeps what the user typed, so no update is lost silently.
"""

from datetime import date

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from puente.accounts.models import User
from puente.audit.models import AuditAction
from puente.audit.services import acting_user, record_event
from puente.core.idempotency import create_once
from puente.patients.models import Patient
from puente.screening.models import HealthConcern

from . import lifecycle
from .models import PLAN_CONCERN_STATUSES, Goal, GoalProgress, Intervention, PlanReview


class PlanError(Exception):
    """A write the care plan refuses. The message is for the user."""


class StaleVersion(PlanError):
    """Someone saved this item after the form was opened (409). `current` is the item as saved now."""

    def __init__(self, current):
        super().__init__(_("Someone else saved this after you opened it. Your text is kept below."))
        self.current = current


class InvalidPlan(PlanError):
    """Input that does not fit. `errors` maps a field (or "__all__") to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(" ".join(m for ms in errors.values() for m in ms))
        self.errors = errors


def _labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


def _check_status(kind: str, current: str, wanted: str, choices) -> None:
    try:
        lifecycle.check(kind, current, wanted, _labels(choices))
    except lifecycle.IllegalTransition as exc:
        raise InvalidPlan({"status": [str(exc)]}) from None


def _update(request, obj, version: int, changes: dict, *, kind: str, choices, actor, has_updated_by=True):
    """Lock the row, refuse a stale version, check the status rule, save the fields that change, audit them."""
    model = type(obj)
    locked = model.objects.select_for_update().get(organization_id=obj.organization_id, pk=obj.pk)
    changed = [k for k, v in changes.items() if getattr(locked, k) != v]
    if locked.version != version:
        # The same values as saved now (a double submit) change nothing and are no conflict.
        if not changed:
            return locked
        raise StaleVersion(locked)
    if not changed:
        return locked
    before = locked.status
    if "status" in changed:
        _check_status(kind, before, changes["status"], choices)
    for key in changed:
        setattr(locked, key, changes[key])
    locked.version += 1
    fields = [*changed, "version", "updated_at"]
    if has_updated_by:
        locked.updated_by = actor
        fields.append("updated_by")
    locked._history_user = actor
    locked.save(update_fields=fields)
    detail: dict = {"fields": sorted(changed)}
    if "status" in changed:
        detail["status"] = [before, locked.status]
    record_event(request, AuditAction.UPDATE, obj=locked, patient_id=locked.patient_id, user=actor, detail=detail)
    return locked


# Health concerns ---------------------------------------------------------------------------------------------------


@transaction.atomic
def create_concern(
    request: HttpRequest | None,
    patient: Patient,
    *,
    category: str,
    icd10_code: str = "",
    priority: str = "",
    onset: date | None = None,
    note: str = "",
    source_note=None,
    user: User | None = None,
    idempotency_key: str = "",
) -> HealthConcern:
    """A concern entered by hand on the care plan: active at once (the worker is the one deciding). The same
    idempotency key again answers with the first concern (core/idempotency.py)."""
    actor = acting_user(request, user)
    concern, _replayed = create_once(
        patient.organization_id,
        actor,
        idempotency_key,
        HealthConcern,
        lambda: _create_concern(request, patient, category, icd10_code, priority, onset, note, source_note, actor),
        scope=patient.pk,
    )
    return concern


def _create_concern(request, patient, category, icd10_code, priority, onset, note, source_note, actor):
    if source_note is not None and (
        source_note.organization_id != patient.organization_id or source_note.patient_id != patient.pk
    ):
        raise InvalidPlan({"source_note": [_("Choose a note about this patient.")]})
    concern = HealthConcern(
        organization_id=patient.organization_id,
        patient=patient,
        category=category,
        icd10_code=icd10_code.strip().upper(),
        priority=priority,
        onset=onset,
        note=note[:500],
        source_note=source_note,
        status=HealthConcern.Status.ACTIVE,
        created_by=actor,
        decided_by=actor,
        decided_at=timezone.now(),
    )
    concern._history_user = actor
    concern.save()
    record_event(
        request,
        AuditAction.CREATE,
        obj=concern,
        patient_id=patient.pk,
        user=actor,
        detail={"category": category, "source": "note" if source_note else "hand"},
    )
    return concern


@transaction.atomic
def update_concern(
    request: HttpRequest | None,
    concern: HealthConcern,
    *,
    version: int,
    status: str,
    priority: str,
    onset: date | None,
    icd10_code: str,
    note: str,
    user: User | None = None,
) -> HealthConcern:
    actor = acting_user(request, user)
    if status not in PLAN_CONCERN_STATUSES:
        raise InvalidPlan({"status": [_("Choose active, inactive or resolved.")]})
    changes = {
        "status": status,
        "priority": priority,
        "onset": onset,
        "icd10_code": icd10_code.strip().upper(),
        "note": note[:500],
    }
    return _update(
        request,
        concern,
        version,
        changes,
        kind="concern",
        choices=HealthConcern.Status.choices,
        actor=actor,
        has_updated_by=False,
    )


# Goals --------------------------------------------------------------------------------------------------------------


def _plan_concern(patient: Patient, concern_id) -> HealthConcern:
    concern = HealthConcern.objects.filter(
        organization_id=patient.organization_id, patient=patient, pk=concern_id, status__in=PLAN_CONCERN_STATUSES
    ).first()
    if concern is None:
        raise InvalidPlan({"concern": [_("Choose one of this patient's concerns.")]})
    return concern


@transaction.atomic
def create_goal(
    request: HttpRequest | None,
    patient: Patient,
    *,
    concern_id,
    text: str,
    target_date: date | None = None,
    status: str = Goal.Status.PROPOSED,
    user: User | None = None,
    idempotency_key: str = "",
) -> Goal:
    actor = acting_user(request, user)
    goal, _replayed = create_once(
        patient.organization_id,
        actor,
        idempotency_key,
        Goal,
        lambda: _create_goal(request, patient, concern_id, text, target_date, status, actor),
        scope=patient.pk,
    )
    return goal


def _create_goal(request, patient, concern_id, text, target_date, status, actor):
    concern = _plan_concern(patient, concern_id)
    if status not in (Goal.Status.PROPOSED, Goal.Status.ACTIVE):
        raise InvalidPlan({"status": [_("A new goal is proposed or active.")]})
    goal = Goal(
        organization_id=patient.organization_id,
        patient=patient,
        concern=concern,
        text=text.strip(),
        target_date=target_date,
        status=status,
        created_by=actor,
        updated_by=actor,
    )
    goal._history_user = actor
    goal.save()
    record_event(
        request, AuditAction.CREATE, obj=goal, patient_id=patient.pk, user=actor, detail={"concern": str(concern.pk)}
    )
    return goal


@transaction.atomic
def update_goal(
    request: HttpRequest | None,
    goal: Goal,
    *,
    version: int,
    text: str,
    target_date: date | None,
    status: str,
    user: User | None = None,
) -> Goal:
    actor = acting_user(request, user)
    changes = {"text": text.strip(), "target_date": target_date, "status": status}
    return _update(request, goal, version, changes, kind="goal", choices=Goal.Status.choices, actor=actor)


@transaction.atomic
def add_goal_progress(
    request: HttpRequest | None, goal: Goal, *, noted_on: date, text: str, user: User | None = None
) -> GoalProgress:
    actor = acting_user(request, user)
    if noted_on > timezone.localdate():
        raise InvalidPlan({"noted_on": [_("The date cannot be in the future.")]})
    entry = GoalProgress.objects.create(
        organization_id=goal.organization_id,
        patient_id=goal.patient_id,
        goal=goal,
        noted_on=noted_on,
        text=text.strip(),
        author=actor,
    )
    record_event(
        request, AuditAction.CREATE, obj=entry, patient_id=goal.patient_id, user=actor, detail={"goal": str(goal.pk)}
    )
    return entry


# Interventions ------------------------------------------------------------------------------------------------------


def _check_assignee(patient: Patient, assignee) -> None:
    if assignee is not None and assignee.organization_id != patient.organization_id:
        raise InvalidPlan({"assignee": [_("Choose someone from your organization.")]})


@transaction.atomic
def create_intervention(
    request: HttpRequest | None,
    goal: Goal,
    *,
    kind: str,
    description: str,
    assignee=None,
    due_date: date | None = None,
    user: User | None = None,
    idempotency_key: str = "",
) -> Intervention:
    actor = acting_user(request, user)
    item, _replayed = create_once(
        goal.organization_id,
        actor,
        idempotency_key,
        Intervention,
        lambda: _create_intervention(request, goal, kind, description, assignee, due_date, actor),
        scope=goal.pk,
    )
    return item


def _create_intervention(request, goal, kind, description, assignee, due_date, actor):
    _check_assignee(goal.patient, assignee)
    if not goal.is_open:
        raise InvalidPlan({"__all__": [_("This goal is closed; add interventions to an open goal.")]})
    item = Intervention(
        organization_id=goal.organization_id,
        patient_id=goal.patient_id,
        goal=goal,
        kind=kind,
        description=description.strip(),
        assignee=assignee,
        due_date=due_date,
        created_by=actor,
        updated_by=actor,
    )
    item._history_user = actor
    item.save()
    record_event(
        request,
        AuditAction.CREATE,
        obj=item,
        patient_id=goal.patient_id,
        user=actor,
        detail={"goal": str(goal.pk), "kind": kind},
    )
    return item


@transaction.atomic
def update_intervention(
    request: HttpRequest | None,
    item: Intervention,
    *,
    version: int,
    kind: str,
    description: str,
    status: str,
    assignee,
    due_date: date | None,
    user: User | None = None,
) -> Intervention:
    actor = acting_user(request, user)
    _check_assignee(item.patient, assignee)
    changes = {
        "kind": kind,
        "description": description.strip(),
        "status": status,
        "assignee_id": assignee.pk if assignee is not None else None,
        "due_date": due_date,
    }
    return _update(
        request, item, version, changes, kind="intervention", choices=Intervention.Status.choices, actor=actor
    )


# Plan reviews -------------------------------------------------------------------------------------------------------


@transaction.atomic
def record_plan_review(
    request: HttpRequest | None,
    patient: Patient,
    *,
    reviewed_on: date,
    summary: str,
    next_review_due: date,
    user: User | None = None,
) -> PlanReview:
    actor = acting_user(request, user)
    errors: dict[str, list[str]] = {}
    if reviewed_on > timezone.localdate():
        errors["reviewed_on"] = [_("The review date cannot be in the future.")]
    if next_review_due <= reviewed_on:
        errors["next_review_due"] = [_("The next review is due after this review.")]
    if errors:
        raise InvalidPlan(errors)
    review = PlanReview.objects.create(
        organization_id=patient.organization_id,
        patient=patient,
        reviewed_on=reviewed_on,
        reviewer=actor,
        summary=summary.strip(),
        next_review_due=next_review_due,
    )
    record_event(
        request,
        AuditAction.CREATE,
        obj=review,
        patient_id=patient.pk,
        user=actor,
        detail={"next_review_due": next_review_due.isoformat()},
    )
    return review


# The patient's copy -------------------------------------------------------------------------------------------------


def export_care_plan_pdf(request: HttpRequest | None, patient: Patient, *, user: User | None = None) -> bytes:
    """The patient-facing PDF, audited as an export (a disclosure to the patient). Nothing is stored."""
    from .pdf import care_plan_pdf  # WeasyPrint loads Pango on import: only when a PDF is wanted

    actor = acting_user(request, user)
    pdf, language = care_plan_pdf(patient, printed_by=actor)
    record_event(
        request,
        AuditAction.EXPORT,
        obj=patient,
        patient_id=patient.pk,
        user=actor,
        detail={"view": "care_plan_pdf", "language": language},
    )
    return pdf
