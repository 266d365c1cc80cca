"""Reads for the caseload pages: acuity inputs for a list of patients in a fixed number of queries.

Every query restates `organization_id` (tenancy rule), then narrows to the patients on the page. Seven queries
whatever the number of patients: alerts, social needs, readmission scores, overdue tasks, overdue referrals,
notes, first contacts.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Max
from django.utils import timezone

from puente.episodes.models import Episode, SocialWorkReferral
from puente.notes.models import ProgressNote
from puente.screening.models import CrisisAlert, HealthConcern, ScreeningResponse
from puente.tasks.models import Task

from . import acuity

READMISSION_INSTRUMENTS = ("lace", "hospital_score")
# Suggested concerns come straight from a positive screen and stay "active" until the worker dismisses them.
OPEN_CONCERN = (HealthConcern.Status.SUGGESTED, HealthConcern.Status.ACTIVE)


@dataclass
class CaseloadRow:
    episode: Episode
    acuity: acuity.Acuity

    @property
    def patient(self):
        return self.episode.patient


def weights() -> dict:
    return acuity.load_weights(getattr(settings, "PUENTE_ACUITY_WEIGHTS", None))


def _counts(qs, field: str = "patient_id") -> dict:
    return {row[field]: row["n"] for row in qs.values(field).annotate(n=Count("id")).order_by()}


def acuity_inputs(org_id, episodes: list[Episode], now: datetime | None = None) -> dict:
    """patient id → AcuityInput for the patients of `episodes` (each patient's first episode gives the setting)."""
    now = now or timezone.now()
    ids = list({e.patient_id for e in episodes})
    if not ids:
        return {}
    alerts = _counts(
        CrisisAlert.objects.filter(organization_id=org_id, patient_id__in=ids, status=CrisisAlert.Status.OPEN)
    )
    domains: dict = {}
    for pid, category in (
        HealthConcern.objects.filter(organization_id=org_id, patient_id__in=ids, status__in=OPEN_CONCERN)
        .values_list("patient_id", "category")
        .distinct()
    ):
        domains.setdefault(pid, set()).add(category)
    readmission: dict = {}
    for pid, band in (
        ScreeningResponse.objects.filter(
            organization_id=org_id, patient_id__in=ids, instrument_id__in=READMISSION_INSTRUMENTS
        )
        .exclude(band="")
        .order_by("patient_id", "-effective_at")
        .values_list("patient_id", "band")
    ):
        readmission.setdefault(pid, band)  # newest first per patient
    overdue = _counts(Task.objects.filter(organization_id=org_id, patient_id__in=ids).overdue(now))
    due_hours = settings.PUENTE_SW_REFERRAL_DUE_HOURS
    late_referrals = _counts(
        SocialWorkReferral.objects.filter(
            organization_id=org_id, patient_id__in=ids, received_at__lt=now - timedelta(hours=due_hours)
        )
        .open()
        .waiting()
    )
    last_note = dict(
        ProgressNote.objects.filter(organization_id=org_id, patient_id__in=ids, contact_at__lte=now)
        .values("patient_id")
        .annotate(last=Max("contact_at"))
        .order_by()
        .values_list("patient_id", "last")
    )
    last_first_contact = dict(
        SocialWorkReferral.objects.filter(organization_id=org_id, patient_id__in=ids, first_contact_at__isnull=False)
        .values("patient_id")
        .annotate(last=Max("first_contact_at"))
        .order_by()
        .values_list("patient_id", "last")
    )
    today = timezone.localdate(now)
    # The settings' labels, not yet translated: a reason is worded only when a page shows it (acuity.Part).
    setting_labels = dict(Episode._meta.get_field("setting").choices)
    inputs = {}
    for e in episodes:
        if e.patient_id in inputs:
            continue
        contacts = [d for d in (last_note.get(e.patient_id), last_first_contact.get(e.patient_id)) if d]
        days = (today - timezone.localdate(max(contacts))).days if contacts else None
        inputs[e.patient_id] = acuity.AcuityInput(
            open_crisis_alerts=alerts.get(e.patient_id, 0),
            positive_domains=len(domains.get(e.patient_id, ())),
            readmission_band=readmission.get(e.patient_id),
            setting=e.setting,
            setting_label=setting_labels.get(e.setting, e.setting),
            overdue_items=overdue.get(e.patient_id, 0) + late_referrals.get(e.patient_id, 0),
            days_since_contact=days,
        )
    return inputs


def caseload_rows(org_id, episodes: list[Episode], now: datetime | None = None) -> list[CaseloadRow]:
    """One row per episode, highest acuity first (then name, for a stable order)."""
    inputs = acuity_inputs(org_id, episodes, now)
    w = weights()
    rows = [CaseloadRow(e, acuity.score(inputs[e.patient_id], w)) for e in episodes]
    rows.sort(key=lambda r: (-r.acuity.total, r.patient.legal_family_name, r.patient.legal_given_name))
    return rows


# What a caseload row shows and scores, nothing more: a patient row carries every demographic and contact field,
# and reading and building them all was a quarter of the dashboard's caseload panel (3.8 -> 2.0 ms for 40 rows).
CASELOAD_FIELDS = (
    "organization_id",
    "patient_id",
    "setting",
    "unit_id",
    "patient__organization_id",
    "patient__preferred_name",
    "patient__legal_given_name",
    "patient__legal_family_name",
    "unit__organization_id",
    "unit__facility",
    "unit__name",
)


def active_episodes(org_id, **filters):
    return (
        Episode.objects.filter(organization_id=org_id, status=Episode.Status.ACTIVE, **filters)
        .select_related("patient", "unit")
        .only(*CASELOAD_FIELDS)
        .order_by("patient__legal_family_name", "patient__legal_given_name")
    )
