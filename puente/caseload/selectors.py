"""Reads for the caseload pages: acuity inputs for a list of patients in one statement.

The seven acuity inputs (open alerts, social needs, readmission scores, overdue tasks, overdue referrals, last
note, last first contact) are read by one SQL statement written out here rather than seven ORM querysets: on the
worker's dashboard, building and compiling the seven querysets took 6 of the 8 ms the inputs cost, the database
the other 2 (docs/performance.md). The statement takes its statuses from the models' enums and restates each
rule of the querysets it replaces (`Task.objects.overdue`, `SocialWorkReferral.objects.open().waiting()`);
tests/test_acuity_inputs.py checks it against those querysets, case by case at every boundary. Every branch
restates `organization_id` (tenancy rule).
"""

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from puente.episodes.models import Episode, SocialWorkReferral
from puente.notes.models import ProgressNote
from puente.screening.models import CrisisAlert, HealthConcern, ScreeningResponse
from puente.tasks.models import Task

from . import acuity

READMISSION_INSTRUMENTS = ("lace", "hospital_score")
# Suggested concerns come straight from a positive screen and stay "active" until the worker dismisses them.
OPEN_CONCERN = (HealthConcern.Status.SUGGESTED, HealthConcern.Status.ACTIVE)


# Lazy labels: each is translated when a page prints it, in that request's language.
SETTING_LABELS = dict(Episode._meta.get_field("setting").choices)


@dataclass(frozen=True)
class CaseloadEpisode:
    """An active episode as a caseload row shows and scores it: plain values read with `values_list`, not an episode
    with its patient and unit (building those model instances was half the time of reading a caseload of 40)."""

    patient_id: uuid.UUID
    setting: str
    unit: str  # "facility — unit", as the unit prints itself; "" without one
    preferred_name: str
    legal_given_name: str
    legal_family_name: str

    @property
    def display_name(self) -> str:
        return f"{self.preferred_name or self.legal_given_name} {self.legal_family_name}"

    @property
    def setting_label(self) -> str:
        return str(SETTING_LABELS.get(self.setting, self.setting))


@dataclass
class CaseloadRow:
    episode: CaseloadEpisode
    acuity: acuity.Acuity


def weights() -> dict:
    return acuity.load_weights(getattr(settings, "PUENTE_ACUITY_WEIGHTS", None))


PATIENT_PK = Episode._meta.get_field("patient").target_field

# The patients asked about, as one parameter whatever their number (the statement is built once per database).
ID_CLAUSES = {"postgresql": "= ANY(%s)", "sqlite": "IN (SELECT value FROM json_each(%s))"}


@cache
def _inputs_sql(vendor: str) -> str:
    """The statement for this database: `kind, patient_id, n, at, label` rows."""
    if vendor not in ID_CLAUSES:
        raise NotImplementedError(f"acuity inputs: no id clause for {vendor}")
    ids = ID_CLAUSES[vendor]
    scope = f"organization_id = %s AND patient_id {ids}"
    alerts, concerns = CrisisAlert._meta.db_table, HealthConcern._meta.db_table
    screenings, tasks = ScreeningResponse._meta.db_table, Task._meta.db_table
    referrals, notes = SocialWorkReferral._meta.db_table, ProgressNote._meta.db_table
    # Only model table names and the id clause are interpolated; every value is a parameter.
    return f"""
        SELECT 'alert', patient_id, COUNT(*), CAST(NULL AS TIMESTAMP WITH TIME ZONE), CAST(NULL AS VARCHAR(40))
          FROM {alerts} WHERE {scope} AND status = %s GROUP BY patient_id
        UNION ALL
        SELECT DISTINCT 'need', patient_id, CAST(NULL AS BIGINT), CAST(NULL AS TIMESTAMP WITH TIME ZONE), category
          FROM {concerns} WHERE {scope} AND status IN (%s, %s)
        UNION ALL
        SELECT 'readmission', patient_id, CAST(NULL AS BIGINT), effective_at, band
          FROM {screenings} WHERE {scope} AND instrument_id IN (%s, %s) AND band <> ''
        UNION ALL
        SELECT 'overdue', patient_id, COUNT(*), CAST(NULL AS TIMESTAMP WITH TIME ZONE), CAST(NULL AS VARCHAR(40))
          FROM {tasks} WHERE {scope} AND status = %s AND due_at <= %s GROUP BY patient_id
        UNION ALL
        SELECT 'late', patient_id, COUNT(*), CAST(NULL AS TIMESTAMP WITH TIME ZONE), CAST(NULL AS VARCHAR(40))
          FROM {referrals} WHERE {scope} AND received_at < %s AND status IN (%s, %s) AND first_contact_at IS NULL
          GROUP BY patient_id
        UNION ALL
        SELECT 'note', patient_id, CAST(NULL AS BIGINT), MAX(contact_at), CAST(NULL AS VARCHAR(40))
          FROM {notes} WHERE {scope} AND contact_at <= %s GROUP BY patient_id
        UNION ALL
        SELECT 'contact', patient_id, CAST(NULL AS BIGINT), MAX(first_contact_at), CAST(NULL AS VARCHAR(40))
          FROM {referrals} WHERE {scope} AND first_contact_at IS NOT NULL GROUP BY patient_id
    """  # noqa: S608


def _as_datetime(value) -> datetime | None:
    """PostgreSQL returns aware datetimes; SQLite the text Django stored (or, were the column typed, a naive
    datetime), in the database's time zone."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, connection.timezone)
    return value


def _input_rows(org_id, patient_ids: list, now: datetime) -> list[tuple]:
    ops = connection.ops
    org = Episode._meta.get_field("organization").target_field.get_db_prep_value(org_id, connection)
    keys = [PATIENT_PK.get_db_prep_value(i, connection) for i in patient_ids]
    ids = keys if connection.vendor == "postgresql" else json.dumps(keys)
    at_now = ops.adapt_datetimefield_value(now)
    due_before = ops.adapt_datetimefield_value(now - timedelta(hours=settings.PUENTE_SW_REFERRAL_DUE_HOURS))
    params = [
        *(org, ids, CrisisAlert.Status.OPEN),
        *(org, ids, *OPEN_CONCERN),
        *(org, ids, *READMISSION_INSTRUMENTS),
        *(org, ids, Task.Status.OPEN, at_now),
        *(org, ids, due_before, *SocialWorkReferral.WAITING_STATUSES),
        *(org, ids, at_now),
        *(org, ids),
    ]
    with connection.cursor() as cursor:
        # str(): the enums' plain values, for drivers that do not adapt a str subclass.
        cursor.execute(_inputs_sql(connection.vendor), [str(p) if isinstance(p, str) else p for p in params])
        return cursor.fetchall()


def acuity_inputs(org_id, episodes: list, now: datetime | None = None) -> dict:
    """patient id → AcuityInput for the patients of `episodes` (each patient's first episode gives the setting);
    an episode is anything with `patient_id` and `setting`."""
    now = now or timezone.now()
    ids = list({e.patient_id for e in episodes})
    if not ids:
        return {}
    alerts: dict = {}
    domains: dict = {}
    readmission: dict = {}  # patient → (effective_at, band) of the newest score
    overdue: dict = {}
    last_contact: dict = {}  # patient → newest of the last note and the last first contact
    for kind, pid, n, at, label in _input_rows(org_id, ids, now):
        pid, at = PATIENT_PK.to_python(pid), _as_datetime(at)
        if kind == "alert":
            alerts[pid] = n
        elif kind == "need":
            domains.setdefault(pid, set()).add(label)
        elif kind == "readmission":
            if pid not in readmission or at > readmission[pid][0]:
                readmission[pid] = (at, label)
        elif kind in ("overdue", "late"):
            overdue[pid] = overdue.get(pid, 0) + n
        elif at is not None and (pid not in last_contact or at > last_contact[pid]):  # "note" or "contact"
            last_contact[pid] = at
    today = timezone.localdate(now)
    inputs = {}
    for e in episodes:
        if e.patient_id in inputs:
            continue
        contact = last_contact.get(e.patient_id)
        inputs[e.patient_id] = acuity.AcuityInput(
            open_crisis_alerts=alerts.get(e.patient_id, 0),
            positive_domains=len(domains.get(e.patient_id, ())),
            readmission_band=readmission[e.patient_id][1] if e.patient_id in readmission else None,
            setting=e.setting,
            # Not yet translated: a reason is worded only when a page shows it (acuity.Part).
            setting_label=SETTING_LABELS.get(e.setting, e.setting),
            overdue_items=overdue.get(e.patient_id, 0),
            days_since_contact=(today - timezone.localdate(contact)).days if contact else None,
        )
    return inputs


def caseload_rows(org_id, episodes: list[CaseloadEpisode], now: datetime | None = None) -> list[CaseloadRow]:
    """One row per episode, highest acuity first (then name, for a stable order)."""
    inputs = acuity_inputs(org_id, episodes, now)
    w = weights()
    rows = [CaseloadRow(e, acuity.score(inputs[e.patient_id], w)) for e in episodes]
    rows.sort(key=lambda r: (-r.acuity.total, r.episode.legal_family_name, r.episode.legal_given_name))
    return rows


def active_episodes(org_id, *, limit: int, **filters) -> list[CaseloadEpisode]:
    """The first `limit` active episodes matching `filters`, by patient name, as caseload rows read them."""
    rows = (
        Episode.objects.filter(organization_id=org_id, status=Episode.Status.ACTIVE, **filters)
        .order_by("patient__legal_family_name", "patient__legal_given_name")
        .values_list(
            "patient_id",
            "setting",
            "unit__facility",
            "unit__name",
            "patient__preferred_name",
            "patient__legal_given_name",
            "patient__legal_family_name",
        )[:limit]
    )
    return [
        CaseloadEpisode(pid, setting, f"{facility} — {unit}" if unit else "", preferred, given, family)
        for pid, setting, facility, unit, preferred, given, family in rows
    ]
