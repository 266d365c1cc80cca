"""Writing time: the timer (start, stop, discard), entries by hand (create, update, delete), a patient's CHI/PIN
enrolment, closing a month, and the audit row of an export.

Each write is atomic and records one audit row. Writes of one worker's time are serialized by locking the
worker's row, so two tabs cannot create overlapping entries or two running timers.
"""

from datetime import date, datetime, timedelta

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from puente.accounts.models import User
from puente.audit.models import AuditAction
from puente.audit.services import acting_user, record_event
from puente.episodes.models import Episode
from puente.patients.models import Patient

from . import billing
from .models import Activity, BillingCode, BillingProgram, ClosedMonth, ProgramFamily, TimeEntry

MAX_ENTRY_MINUTES = 12 * 60
MAX_NOTE_CHARS = 2000
# A clock a few minutes fast on the worker's phone is not "the future".
FUTURE_SLACK = timedelta(minutes=5)


class TimeError(Exception):
    """A write the rules refuse. `errors` maps a field (or "__all__") to messages for the user."""

    def __init__(self, errors: dict[str, list[str]] | str):
        if isinstance(errors, str):
            errors = {"__all__": [errors]}
        super().__init__(" ".join(m for ms in errors.values() for m in ms))
        self.errors = errors


def local_date(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def month_has_ended(first: date) -> bool:
    return first < first_of_month(local_date(timezone.now()))


def month_is_closed(organization_id, day: date) -> bool:
    return ClosedMonth.objects.filter(organization_id=organization_id, month=first_of_month(day)).exists()


def _refuse_closed(organization_id, *days: date) -> None:
    for day in {first_of_month(d) for d in days}:
        if month_is_closed(organization_id, day):
            raise TimeError(
                _("%(month)s is closed for billing; its time can no longer change.") % {"month": f"{day:%Y-%m}"}
            )


def _lock_worker(worker: User) -> None:
    User.objects.select_for_update().filter(pk=worker.pk).values_list("pk", flat=True).first()


def _overlapping(worker: User, start: datetime, end: datetime | None, exclude_pk=None) -> TimeEntry | None:
    """An entry of this worker that shares time with [start, end) (end None: still running)."""
    qs = TimeEntry.objects.filter(organization_id=worker.organization_id, worker=worker).exclude(pk=exclude_pk)
    finished = qs.filter(ended_at__isnull=False, ended_at__gt=start)
    if end is not None:
        finished = finished.filter(started_at__lt=end)
    hit = finished.order_by("started_at").first()
    if hit is None and end is not None:
        hit = qs.filter(ended_at__isnull=True, started_at__lt=end).first()
    return hit


def _overlap_error(hit: TimeEntry) -> TimeError:
    if hit.is_running:
        return TimeError(
            _("This time overlaps your running timer (started %(start)s). Stop it first.")
            % {"start": timezone.localtime(hit.started_at).strftime("%Y-%m-%d %H:%M")}
        )
    return TimeError(
        _("This time overlaps your entry of %(start)s–%(end)s (%(activity)s).")
        % {
            "start": timezone.localtime(hit.started_at).strftime("%Y-%m-%d %H:%M"),
            "end": timezone.localtime(hit.ended_at).strftime("%H:%M"),  # type: ignore[arg-type]
            "activity": hit.get_activity_display(),
        }
    )


BILLING_MESSAGES = {
    "g0155_setting": _(
        "G0155 is for social work in home health or hospice; this patient has no active home health or hospice episode."
    ),
    "g0155_activity": _(
        "G0155 counts visits (and, in hospice, phone calls); choose another activity or another billing code."
    ),
    "g0136_ended": _("G0136 is offered only for dates of service before 1 January 2026."),
}


def _check_fields(*, patient, activity: str, code: str, note: str, setting: str, service_date: date) -> None:
    errors: dict[str, list[str]] = {}
    if activity not in Activity.values:
        errors["activity"] = [_("Choose an activity from the list.")]
    if code and code not in BillingCode.values:
        errors["billing"] = [_("Choose a billing code from the list.")]
    elif code and patient is None:
        errors["billing"] = [_("Only time with a patient counts toward a billing code.")]
    elif code:
        problems = billing.entry_problems(code, activity=activity, setting=setting, service_date=service_date)
        if problems:
            errors["billing"] = [BILLING_MESSAGES[p] for p in problems]
    if len(note) > MAX_NOTE_CHARS:
        errors["note"] = [
            _("The note is too long: %(length)s characters; the limit is %(limit)s.")
            % {"length": len(note), "limit": MAX_NOTE_CHARS}
        ]
    if errors:
        raise TimeError(errors)


def _check_times(started_at: datetime, ended_at: datetime, now: datetime) -> int:
    """The whole minutes between start and end, or the reason they do not make an entry."""
    if ended_at <= started_at:
        raise TimeError({"end_time": [_("The end must be after the start.")]})
    if started_at > now + FUTURE_SLACK or ended_at > now + FUTURE_SLACK:
        raise TimeError({"__all__": [_("Time cannot be entered for the future.")]})
    minutes = round((ended_at - started_at).total_seconds() / 60)
    if minutes < 1:
        raise TimeError({"end_time": [_("An entry is at least one minute long.")]})
    if minutes > MAX_ENTRY_MINUTES:
        raise TimeError(
            {
                "end_time": [
                    _("An entry is at most %(hours)s hours long; split longer work.")
                    % {"hours": MAX_ENTRY_MINUTES // 60}
                ]
            }
        )
    return minutes


def _check_progress_note(progress_note, patient: Patient | None) -> None:
    """A linked note is a note of the same patient (the form offers only those; the API may not)."""
    if progress_note is None:
        return
    if (
        patient is None
        or progress_note.patient_id != patient.pk
        or progress_note.organization_id != patient.organization_id
    ):
        raise TimeError({"progress_note": [_("Choose a note of this patient.")]})


def current_setting(patient: Patient | None) -> str:
    """The setting of the patient's active episode (G0155 depends on it), or "" when there is none."""
    if patient is None:
        return ""
    setting = (
        Episode.objects.filter(organization_id=patient.organization_id, patient=patient, status=Episode.Status.ACTIVE)
        .order_by("-start")
        .values_list("setting", flat=True)
        .first()
    )
    return setting or ""


@transaction.atomic
def start_timer(
    request: HttpRequest | None,
    patient: Patient,
    activity: str,
    *,
    billing_code: str = "",
    user: User | None = None,
    now: datetime | None = None,
) -> TimeEntry:
    """Start the worker's timer on a patient. One running timer per worker."""
    actor = acting_user(request, user)
    now = now or timezone.now()
    _lock_worker(actor)
    if TimeEntry.objects.filter(organization_id=actor.organization_id, worker=actor).running().exists():
        raise TimeError(_("Your timer is already running. Stop it before starting another."))
    setting = current_setting(patient)
    day = local_date(now)
    _check_fields(patient=patient, activity=activity, code=billing_code, note="", setting=setting, service_date=day)
    _refuse_closed(actor.organization_id, day)
    hit = _overlapping(actor, now, None)
    if hit is not None:
        raise _overlap_error(hit)
    entry = TimeEntry.objects.create(
        organization_id=actor.organization_id,
        patient=patient,
        worker=actor,
        activity=activity,
        started_at=now,
        service_date=day,
        setting=setting,
        billing=billing_code,
        updated_by=actor,
    )
    record_event(request, AuditAction.CREATE, obj=entry, patient_id=patient.pk, user=actor, detail={"timer": "start"})
    return entry


def running_timer(user: User) -> TimeEntry | None:
    return (
        TimeEntry.objects.filter(organization_id=user.organization_id, worker=user)
        .running()
        .select_related("patient")
        .first()
    )


@transaction.atomic
def stop_timer(request: HttpRequest | None, *, user: User | None = None, now: datetime | None = None) -> TimeEntry:
    """Stop the worker's running timer: the entry gets its end and its minutes (at least one)."""
    actor = acting_user(request, user)
    now = now or timezone.now()
    _lock_worker(actor)
    entry = running_timer(actor)
    if entry is None:
        raise TimeError(_("No timer is running."))
    _refuse_closed(actor.organization_id, entry.service_date)
    entry.ended_at = max(now, entry.started_at)
    entry.minutes = max(1, round((entry.ended_at - entry.started_at).total_seconds() / 60))
    entry.updated_by = actor
    entry._history_user = actor  # type: ignore[attr-defined]
    entry.save(update_fields=["ended_at", "minutes", "updated_by", "updated_at"])
    record_event(
        request,
        AuditAction.UPDATE,
        obj=entry,
        patient_id=entry.patient_id,
        user=actor,
        detail={"timer": "stop", "minutes": entry.minutes},
    )
    return entry


@transaction.atomic
def discard_timer(request: HttpRequest | None, *, user: User | None = None) -> None:
    """Throw away the running timer (started by mistake)."""
    actor = acting_user(request, user)
    _lock_worker(actor)
    entry = running_timer(actor)
    if entry is None:
        raise TimeError(_("No timer is running."))
    record_event(
        request, AuditAction.DELETE, obj=entry, patient_id=entry.patient_id, user=actor, detail={"timer": "discard"}
    )
    entry._history_user = actor  # type: ignore[attr-defined]
    entry.delete()


@transaction.atomic
def create_time_entry(
    request: HttpRequest | None,
    *,
    patient: Patient | None,
    activity: str,
    started_at: datetime,
    ended_at: datetime,
    billing_code: str = "",
    note: str = "",
    progress_note=None,
    user: User | None = None,
    now: datetime | None = None,
) -> TimeEntry:
    """An entry typed by hand, for a patient or not. Refuses overlaps with the worker's other entries."""
    actor = acting_user(request, user)
    now = now or timezone.now()
    minutes = _check_times(started_at, ended_at, now)
    day = local_date(started_at)
    setting = current_setting(patient)
    _check_fields(patient=patient, activity=activity, code=billing_code, note=note, setting=setting, service_date=day)
    _check_progress_note(progress_note, patient)
    _lock_worker(actor)
    _refuse_closed(actor.organization_id, day)
    hit = _overlapping(actor, started_at, ended_at)
    if hit is not None:
        raise _overlap_error(hit)
    entry = TimeEntry.objects.create(
        organization_id=actor.organization_id,
        patient=patient,
        worker=actor,
        activity=activity,
        started_at=started_at,
        ended_at=ended_at,
        minutes=minutes,
        service_date=day,
        setting=setting,
        billing=billing_code,
        note=note,
        progress_note=progress_note,
        updated_by=actor,
    )
    record_event(
        request,
        AuditAction.CREATE,
        obj=entry,
        patient_id=patient.pk if patient else None,
        user=actor,
        detail={"minutes": minutes, "activity": activity, "billing": billing_code},
    )
    return entry


@transaction.atomic
def update_time_entry(
    request: HttpRequest | None,
    entry: TimeEntry,
    *,
    activity: str,
    started_at: datetime,
    ended_at: datetime,
    billing_code: str = "",
    note: str = "",
    progress_note=None,
    user: User | None = None,
    now: datetime | None = None,
) -> TimeEntry:
    """Change a finished entry of one's own. The audit row names the fields changed; the history keeps the old
    values. Neither the old nor the new date may be in a closed month."""
    actor = acting_user(request, user)
    now = now or timezone.now()
    _lock_worker(actor)
    locked = TimeEntry.objects.select_for_update().get(organization_id=entry.organization_id, pk=entry.pk)
    if locked.worker_id != actor.pk:
        raise TimeError(_("Only the worker who entered this time can change it."))
    if locked.is_running:
        raise TimeError(_("Stop the timer before editing this entry."))
    minutes = _check_times(started_at, ended_at, now)
    day = local_date(started_at)
    _check_fields(
        patient=locked.patient,
        activity=activity,
        code=billing_code,
        note=note,
        setting=locked.setting,
        service_date=day,
    )
    _check_progress_note(progress_note, locked.patient)
    _refuse_closed(actor.organization_id, locked.service_date, day)
    hit = _overlapping(actor, started_at, ended_at, exclude_pk=locked.pk)
    if hit is not None:
        raise _overlap_error(hit)
    changes = {
        "activity": activity,
        "started_at": started_at,
        "ended_at": ended_at,
        "minutes": minutes,
        "service_date": day,
        "billing": billing_code,
        "note": note,
        "progress_note_id": progress_note.pk if progress_note else None,
    }
    changed = sorted(k for k, v in changes.items() if getattr(locked, k) != v)
    if not changed:
        return locked
    for key in changed:
        setattr(locked, key, changes[key])
    locked.updated_by = actor
    locked._history_user = actor  # type: ignore[attr-defined]
    locked.save(update_fields=[*changed, "updated_by", "updated_at"])
    record_event(
        request, AuditAction.UPDATE, obj=locked, patient_id=locked.patient_id, user=actor, detail={"fields": changed}
    )
    return locked


@transaction.atomic
def delete_time_entry(request: HttpRequest | None, entry: TimeEntry, *, user: User | None = None) -> None:
    """Remove an entry of one's own (the history keeps it)."""
    actor = acting_user(request, user)
    _lock_worker(actor)
    locked = TimeEntry.objects.select_for_update().get(organization_id=entry.organization_id, pk=entry.pk)
    if locked.worker_id != actor.pk:
        raise TimeError(_("Only the worker who entered this time can remove it."))
    _refuse_closed(actor.organization_id, locked.service_date)
    record_event(
        request,
        AuditAction.DELETE,
        obj=locked,
        patient_id=locked.patient_id,
        user=actor,
        detail={"minutes": locked.minutes, "service_date": locked.service_date.isoformat()},
    )
    locked._history_user = actor  # type: ignore[attr-defined]
    locked.delete()


PROGRAM_FIELDS = ("consent_on", "consent_method", "consent_obtained_by", "initiating_visit_on", "initiating_visit_ref")


@transaction.atomic
def save_billing_program(
    request: HttpRequest | None, patient: Patient, family: str, *, user: User | None = None, **values
) -> BillingProgram:
    """Record (or correct) a patient's CHI or PIN consent and initiating visit."""
    actor = acting_user(request, user)
    if family not in ProgramFamily.values:
        raise TimeError({"family": [_("Choose CHI or PIN.")]})
    unknown = set(values) - set(PROGRAM_FIELDS)
    if unknown:  # a programming error in the caller, not user input
        raise TypeError(f"unknown program fields: {sorted(unknown)}")
    today = local_date(timezone.now())
    errors = {}
    for key in ("consent_on", "initiating_visit_on"):
        if values.get(key) and values[key] > today:
            errors[key] = [_("The date cannot be in the future.")]
    if values.get("consent_on") and not values.get("consent_method"):
        errors["consent_method"] = [_("Say whether consent was written or verbal.")]
    if errors:
        raise TimeError(errors)
    program, created = BillingProgram.objects.select_for_update().get_or_create(
        organization_id=patient.organization_id, patient=patient, family=family
    )
    changed = sorted(k for k, v in values.items() if getattr(program, k) != v)
    for key in changed:
        setattr(program, key, values[key])
    program._history_user = actor  # type: ignore[attr-defined]
    if changed:
        program.save(update_fields=[*changed, "updated_at"])
    if created or changed:
        record_event(
            request,
            AuditAction.CREATE if created else AuditAction.UPDATE,
            obj=program,
            patient_id=patient.pk,
            user=actor,
            detail={"family": family, "fields": changed},
        )
    return program


@transaction.atomic
def close_month(request: HttpRequest | None, month: date, *, user: User | None = None) -> ClosedMonth:
    """Close a month that has ended, for the whole organization; its entries are locked from then on."""
    actor = acting_user(request, user)
    first = first_of_month(month)
    if not month_has_ended(first):
        raise TimeError(_("A month can be closed once it has ended."))
    if ClosedMonth.objects.filter(organization_id=actor.organization_id, month=first).exists():
        raise TimeError(_("%(month)s is already closed.") % {"month": f"{first:%Y-%m}"})
    closed = ClosedMonth.objects.create(organization_id=actor.organization_id, month=first, closed_by=actor)
    record_event(request, AuditAction.CREATE, obj=closed, user=actor, detail={"month": f"{first:%Y-%m}"})
    return closed


def record_export(request: HttpRequest, month: date, patient_ids: list[str], rows: int) -> None:
    """The audit row of a billing export: who, which month, which patients."""
    record_event(
        request,
        AuditAction.EXPORT,
        object_type="timekeeping.month",
        detail={"month": f"{month:%Y-%m}", "patients": sorted(patient_ids), "rows": rows},
    )
