"""The background sweeps: clock tasks from events, reminders before a deadline, escalation after it.

Both are idempotent. A clock task is keyed by (organization, "clock:<rule>", "<trigger id>[:<cycle>]") with a
unique constraint, so a second sweep (or two at once) creates nothing new. A reminder and an escalation are sent
once per task (`Task.reminded_at`, `Task.escalated_at`, claimed with a conditional UPDATE before notifying).
Run by `manage.py run_clocks` and the `clock_sweep` job (jobs.py); see the README for the schedule.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from puente.accounts.models import Organization, Team, TeamMembership
from puente.audit.models import AuditAction
from puente.audit.services import record_event
from puente.core.idempotency import purge_expired_keys
from puente.episodes.models import Episode, Setting, SocialWorkReferral
from puente.patients.models import Insurance

from . import clocks
from .models import Task
from .services import notify

SYSTEM = "system:clocks"
HOSPITAL_SETTINGS = (Setting.INPATIENT, Setting.EMERGENCY, Setting.OUTPATIENT)
NOT_MEDICARE = (Insurance.MEDICAID, Insurance.PRIVATE, Insurance.VA_IHS, Insurance.UNINSURED)


def _config(name: str, default):
    return getattr(settings, name, default)


def clock_rules() -> dict[str, clocks.Rule]:
    return clocks.load_rules(_config("PUENTE_CLOCK_RULES", {}))


@dataclass
class SweepResult:
    created: int = 0
    reassigned: int = 0
    reminded: int = 0
    escalated: int = 0
    cancelled: int = 0


@dataclass
class _Trigger:
    trigger: str
    object_id: str
    start: datetime
    patient: object
    assignee: object
    until: datetime | None = None


def _responsible(worker, team):
    """The assigned worker; while nobody is assigned, the team's supervisor owns the deadline."""
    if worker is not None:
        return worker
    return team.supervisor if team is not None else None


def _triggers(org_id, now: datetime) -> list[_Trigger]:
    lookback = now - timedelta(days=_config("PUENTE_CLOCK_LOOKBACK_DAYS", 30))
    found: list[_Trigger] = []
    referrals = (
        SocialWorkReferral.objects.filter(organization_id=org_id, received_at__gte=lookback)
        .open()
        .select_related("patient", "episode", "team__supervisor", "assigned_to")
    )
    for r in referrals:
        setting = r.episode.setting if r.episode_id else None
        if setting is None or setting in HOSPITAL_SETTINGS:
            trigger = clocks.SW_REFERRAL_HOSPITAL
        elif setting == Setting.HOME_HEALTH:
            trigger = clocks.SW_REFERRAL_HOME_HEALTH
        else:
            continue  # hospice clocks run from the election, not from a referral
        found.append(_Trigger(trigger, str(r.pk), r.received_at, r.patient, _responsible(r.assigned_to, r.team)))

    episodes = Episode.objects.filter(organization_id=org_id).select_related(
        "patient", "team__supervisor", "assigned_worker"
    )
    # The Important Message is a Medicare notice (Original, Advantage, dual); unknown coverage is kept, so a
    # deadline is never missed for want of registration data.
    admissions = episodes.filter(status=Episode.Status.ACTIVE, setting=Setting.INPATIENT, start__gte=lookback)
    for e in admissions.exclude(patient__insurance__in=NOT_MEDICARE):
        found.append(
            _Trigger(clocks.INPATIENT_ADMISSION, str(e.pk), e.start, e.patient, _responsible(e.assigned_worker, e.team))
        )
    for e in episodes.filter(status=Episode.Status.ACTIVE, setting=Setting.HOSPICE):
        found.append(
            _Trigger(
                clocks.HOSPICE_ELECTION,
                str(e.pk),
                e.start,
                e.patient,
                _responsible(e.assigned_worker, e.team),
                until=e.end,
            )
        )
    # The whole bereavement year is scheduled at once, so look back past its last follow-up. One plan per death
    # (keyed by the patient), owned by the worker of the latest hospice episode.
    death_lookback = timezone.localdate(now) - timedelta(days=_config("PUENTE_BEREAVEMENT_LOOKBACK_DAYS", 400))
    bereaved: set = set()
    for e in (
        episodes.filter(
            setting=Setting.HOSPICE, patient__deceased_date__gte=death_lookback, patient__organization_id=org_id
        )
        .exclude(status=Episode.Status.CANCELLED)
        .order_by("patient_id", "-start")
    ):
        if e.patient_id in bereaved:
            continue
        bereaved.add(e.patient_id)
        found.append(
            _Trigger(
                clocks.HOSPICE_DEATH,
                str(e.patient_id),
                e.patient.deceased_date,
                e.patient,
                _responsible(e.assigned_worker, e.team),
            )
        )
    return found


def _title(rule: clocks.Rule, assignee) -> str:
    with translation.override(getattr(assignee, "language", None) or settings.LANGUAGE_CODE):
        return str(rule.title)


def run_clocks(now: datetime | None = None) -> SweepResult:
    """Create the missing clock tasks of every organization, and hand open ones to a newly assigned worker."""
    now = now or timezone.now()
    rules = clock_rules()
    result = SweepResult()
    for org_id in Organization.objects.exclude(kind=Organization.Kind.PARTNER).values_list("id", flat=True):
        wanted: dict[tuple[str, str], tuple[clocks.Due, _Trigger]] = {}
        for trig in _triggers(org_id, now):
            for rule in clocks.rules_for(trig.trigger, rules):
                for due in clocks.dues_for(rule, trig.start, now, until=trig.until):
                    source_id = trig.object_id + due.key[len(rule.key) :]
                    wanted[(f"clock:{rule.key}", source_id)] = (due, trig)
        result.cancelled += _cancel_withdrawn(org_id, rules)
        if not wanted:
            continue
        existing = {
            (t.source, t.source_id): t
            for t in Task.objects.filter(
                organization_id=org_id,
                source__in={s for s, _ in wanted},
                source_id__in={i for _, i in wanted},
            )
        }
        for key, (due, trig) in wanted.items():
            task = existing.get(key)
            if task is None:
                if _create_clock_task(org_id, key, due, trig):
                    result.created += 1
            elif task.status == Task.Status.OPEN and trig.assignee is not None and task.assignee_id != trig.assignee.pk:
                _reassign(task, trig.assignee)
                result.reassigned += 1
    return result


REFERRAL_TRIGGERS = (clocks.SW_REFERRAL_HOSPITAL, clocks.SW_REFERRAL_HOME_HEALTH)
# Bereavement (HOSPICE_DEATH) is keyed by the patient and is never withdrawn.
EPISODE_TRIGGERS = (clocks.INPATIENT_ADMISSION, clocks.HOSPICE_ELECTION)


def _cancel_withdrawn(org_id, rules: dict[str, clocks.Rule]) -> int:
    """Cancel the open clock tasks of a referral or episode that was cancelled (entered in error, withdrawn).

    A closed referral or a finished episode keeps its open tasks: the work may still be owed (a bereavement
    year runs after the episode ends), and the worker closes them.
    """
    by_model = (
        (REFERRAL_TRIGGERS, SocialWorkReferral, SocialWorkReferral.Status.CANCELLED),
        (EPISODE_TRIGGERS, Episode, Episode.Status.CANCELLED),
    )
    cancelled = 0
    for triggers, model, status in by_model:
        sources = [f"clock:{r.key}" for r in rules.values() if r.trigger in triggers]
        open_tasks = list(Task.objects.filter(organization_id=org_id, source__in=sources).open())
        if not open_tasks:
            continue
        object_ids = {t.source_id.split(":", 1)[0] for t in open_tasks}
        withdrawn = {
            str(pk)
            for pk in model.objects.filter(organization_id=org_id, pk__in=object_ids, status=status).values_list(
                "pk", flat=True
            )
        }
        for task in open_tasks:
            if task.source_id.split(":", 1)[0] in withdrawn:
                _cancel(task)
                cancelled += 1
    return cancelled


@transaction.atomic
def _cancel(task: Task) -> None:
    task.status = Task.Status.CANCELLED
    task.save(update_fields=["status", "updated_at"])
    record_event(
        None,
        AuditAction.UPDATE,
        obj=task,
        patient_id=task.patient_id,
        actor_label=SYSTEM,
        detail={"status": "cancelled", "reason": "trigger cancelled"},
    )


def _create_clock_task(org_id, key, due: clocks.Due, trig: _Trigger) -> bool:
    source, source_id = key
    try:
        with transaction.atomic():
            task = Task.objects.create(
                organization_id=org_id,
                title=_title(due.rule, trig.assignee)[:200],
                patient=trig.patient,
                assignee=trig.assignee,
                due_at=due.due_at,
                priority=due.rule.priority,
                source=source,
                source_id=source_id,
            )
            record_event(
                None,
                AuditAction.CREATE,
                obj=task,
                patient_id=trig.patient.pk,
                actor_label=SYSTEM,
                detail={"rule": due.rule.key, "due_at": due.due_at.isoformat()},
            )
    except IntegrityError:
        return False  # another sweep created it a moment ago
    return True


@transaction.atomic
def _reassign(task: Task, assignee) -> None:
    previous = task.assignee_id
    task.assignee = assignee
    task.save(update_fields=["assignee", "updated_at"])
    record_event(
        None,
        AuditAction.UPDATE,
        obj=task,
        patient_id=task.patient_id,
        actor_label=SYSTEM,
        detail={"assignee": assignee.email, "previous": previous},
    )


def _supervisors_of(task: Task) -> list:
    """The supervisors of the assignee's teams (the escalation path), never the assignee themself."""
    if task.assignee_id is None:
        return []
    org = task.organization_id
    teams = (
        Team.objects.filter(organization_id=org, supervisor__isnull=False)
        .filter(
            Q(id__in=TeamMembership.objects.filter(organization_id=org, user_id=task.assignee_id).values("team_id"))
        )
        .exclude(supervisor_id=task.assignee_id)
        .select_related("supervisor")
    )
    return list({t.supervisor_id: t.supervisor for t in teams}.values())


def _when(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _safe_title(task: Task) -> str:
    # Notifications carry no PHI: a clock's title is a rule name; a hand-written title might name someone.
    return task.title if task.is_clock else _("a task")


def send_reminders(now: datetime | None = None) -> SweepResult:
    """Due soon → remind the assignee (in-app + email without PHI); overdue → tell the team supervisor. Once each."""
    now = now or timezone.now()
    soon = timedelta(hours=_config("PUENTE_TASK_REMINDER_HOURS", 4))
    result = SweepResult()
    dashboard = reverse("episodes:dashboard")
    for org_id in Organization.objects.exclude(kind=Organization.Kind.PARTNER).values_list("id", flat=True):
        due_soon = (
            Task.objects.filter(organization_id=org_id, reminded_at__isnull=True, assignee__isnull=False)
            .due_between(now, now + soon)
            .select_related("assignee")
        )
        for task in due_soon:
            with transaction.atomic():
                # The conditional update claims the reminder: a concurrent sweep finds nothing to claim.
                if not Task.objects.filter(organization_id=org_id, pk=task.pk, reminded_at__isnull=True).update(
                    reminded_at=now
                ):
                    continue
                with translation.override(task.assignee.language or settings.LANGUAGE_CODE):
                    text = _("Due %(when)s: %(title)s") % {"when": _when(task.due_at), "title": _safe_title(task)}
                notify(task.assignee, "task_due_soon", text, url=dashboard, urgent=True, organization_id=org_id)
                result.reminded += 1
        overdue = Task.objects.filter(organization_id=org_id, escalated_at__isnull=True).overdue(now)
        for task in overdue.select_related("assignee"):
            with transaction.atomic():
                if not Task.objects.filter(organization_id=org_id, pk=task.pk, escalated_at__isnull=True).update(
                    escalated_at=now
                ):
                    continue
                for supervisor in _supervisors_of(task):
                    with translation.override(supervisor.language or settings.LANGUAGE_CODE):
                        text = _("Overdue since %(when)s (%(worker)s): %(title)s") % {
                            "when": _when(task.due_at),
                            "worker": task.assignee,
                            "title": _safe_title(task),
                        }
                    notify(
                        supervisor,
                        "task_overdue",
                        text,
                        url=reverse("caseload:team"),
                        urgent=True,
                        organization_id=org_id,
                    )
                record_event(
                    None,
                    AuditAction.UPDATE,
                    obj=task,
                    patient_id=task.patient_id,
                    actor_label=SYSTEM,
                    detail={"escalated": True},
                )
                result.escalated += 1
    return result


def sweep(now: datetime | None = None) -> SweepResult:
    """Everything the timer runs: new clock tasks first, so a task that is already late escalates at once. Old
    idempotency keys of the create forms are purged here too (the timer every deployment already has)."""
    made = run_clocks(now)
    sent = send_reminders(now)
    made.reminded, made.escalated = sent.reminded, sent.escalated
    purge_expired_keys(now)
    return made
