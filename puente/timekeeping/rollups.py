"""Reading time for the pages and the export: a patient's month, a worker's month, a team's month.

Each read is a fixed number of queries whatever the number of entries (the lists are fetched once and rolled up
in Python by the pure `billing.patient_month`).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext_lazy as _

from puente.accounts.models import Role

from .billing import EntryFacts, PatientMonth, ProgramFacts, patient_month
from .models import Activity, BillingProgram, ClosedMonth, TimeEntry, supervised_worker_ids

REASON_LABELS = {
    "no_consent": _("no consent documented by the end of the month"),
    "no_initiating_visit": _("no initiating visit recorded by the end of the month"),
    "under_60_minutes": _("fewer than 60 minutes in the month"),
}


def facts(entry: TimeEntry) -> EntryFacts:
    return EntryFacts(
        activity=entry.activity,
        minutes=entry.minutes,
        billing=entry.billing,
        service_date=entry.service_date,
        worker=str(entry.worker) if entry.worker_id else "",
        key=entry.pk,
    )


def programs_by_patient(organization_id, patient_ids) -> dict:
    out: dict = defaultdict(dict)
    for p in BillingProgram.objects.filter(organization_id=organization_id, patient_id__in=list(patient_ids)):
        out[p.patient_id][p.family] = ProgramFacts(p.consent_on, p.initiating_visit_on)
    return out


def activity_rows(minutes_by_activity: dict[str, int]) -> list[tuple[str, int]]:
    """(label, minutes) in the order of the activity list."""
    return [(label, minutes_by_activity[key]) for key, label in Activity.choices if minutes_by_activity.get(key)]


@dataclass
class PatientMonthView:
    entries: list[TimeEntry]
    rollup: PatientMonth
    closed: bool


def patient_month_view(user, patient, first: date, last: date) -> PatientMonthView:
    """The patient's finished entries of the month that the user may see, and their roll-up."""
    entries = list(
        TimeEntry.objects.visible_to(user)
        .filter(organization_id=patient.organization_id, patient=patient)
        .finished()
        .in_month(first, last)
        .select_related("worker")
        .order_by("started_at")
    )
    programs = programs_by_patient(patient.organization_id, [patient.pk]).get(patient.pk, {})
    closed = ClosedMonth.objects.filter(organization_id=patient.organization_id, month=first).exists()
    return PatientMonthView(entries, patient_month([facts(e) for e in entries], programs, last), closed)


def worker_month(user, first: date, last: date) -> list[TimeEntry]:
    return list(
        TimeEntry.objects.filter(organization_id=user.organization_id, worker=user)
        .in_month(first, last)
        .select_related("patient")
        .order_by("started_at")
    )


def team_scope(user):
    """Entries a supervisor's or the billing office's month covers: the supervisor and their teams' members, or the
    whole organization for an administrator."""
    qs = TimeEntry.objects.filter(organization_id=user.organization_id)
    if user.role == Role.ADMIN:
        return qs
    return qs.filter(worker_id__in=supervised_worker_ids(user)) | qs.filter(worker=user)


@dataclass
class TeamMonth:
    workers: list[dict] = field(default_factory=list)  # {"worker", "total", "rows": [(label, minutes)]}
    patients: list[tuple] = field(default_factory=list)  # (patient, PatientMonth)
    closed: bool = False
    entry_count: int = 0


def team_month(user, first: date, last: date) -> TeamMonth:
    """Minutes per worker and activity, and each patient's roll-up, for the month."""
    entries = list(
        team_scope(user).finished().in_month(first, last).select_related("worker", "patient").order_by("started_at")
    )
    per_worker: dict = {}
    per_patient: dict = {}
    for e in entries:
        w = per_worker.setdefault(e.worker_id, {"worker": e.worker, "minutes": defaultdict(int)})
        w["minutes"][e.activity] += e.minutes
        if e.patient_id:
            per_patient.setdefault(e.patient_id, (e.patient, []))[1].append(facts(e))
    programs = programs_by_patient(user.organization_id, per_patient)
    workers = sorted(
        (
            {"worker": w["worker"], "total": sum(w["minutes"].values()), "rows": activity_rows(w["minutes"])}
            for w in per_worker.values()
        ),
        key=lambda w: str(w["worker"]),
    )
    patients = sorted(
        ((p, patient_month(fs, programs.get(pid, {}), last)) for pid, (p, fs) in per_patient.items()),
        key=lambda item: (item[0].legal_family_name, item[0].legal_given_name),
    )
    closed = ClosedMonth.objects.filter(organization_id=user.organization_id, month=first).exists()
    return TeamMonth(workers=workers, patients=patients, closed=closed, entry_count=len(entries))
