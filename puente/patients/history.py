"""Record history: every recorded version (django-simple-history) of a patient's demographics, MRNs, related
persons, episodes and social-work referrals, merged newest first, each with what changed and who changed it.

The number of queries does not grow with the number of versions: per kind of record, one query for the newest
versions (each annotated with the id of its previous version), one for previous versions that fall outside that
window, and one per related model whose names a change shows (teams, units, staff, episodes).
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Patient, PatientIdentifier, RelatedPerson

HISTORY_LIMIT = 200

# Bookkeeping that every kind of record carries; the patient link never changes.
HIDDEN_FIELDS = {"id", "organization", "patient", "search_name", "created_at", "updated_at", "created_by", "updated_by"}

ACTIONS = {"+": gettext_lazy("Created"), "~": gettext_lazy("Changed"), "-": gettext_lazy("Deleted")}


@dataclass
class HistoryRow:
    kind: str
    label: str
    action: str
    history_type: str
    at: datetime
    user: Any
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)


def _sources(patient: Patient) -> list[tuple[Any, type[models.Model], models.QuerySet]]:
    """(kind label, model, historical queryset) for each kind of record shown. Episodes sit in an app that
    depends on this one: reach their models through the reverse relations."""
    org = patient.organization_id
    episode = Patient._meta.get_field("episodes").related_model
    sw_referral = Patient._meta.get_field("sw_referrals").related_model
    return [
        (gettext_lazy("Demographics"), Patient, Patient.history.filter(organization_id=org, id=patient.pk)),
        (
            gettext_lazy("MRN"),
            PatientIdentifier,
            PatientIdentifier.history.filter(organization_id=org, patient_id=patient.pk),
        ),
        (
            gettext_lazy("Related person"),
            RelatedPerson,
            RelatedPerson.history.filter(organization_id=org, patient_id=patient.pk),
        ),
        (gettext_lazy("Episode of care"), episode, episode.history.filter(organization_id=org, patient_id=patient.pk)),
        (
            gettext_lazy("Referral to social work"),
            sw_referral,
            sw_referral.history.filter(organization_id=org, patient_id=patient.pk),
        ),
    ]


def _shown_fields(model: type[models.Model], historical) -> list[models.Field]:
    tracked = {f.name for f in historical._meta.fields}
    return [
        f
        for f in model._meta.concrete_fields
        if f.editable and f.name not in HIDDEN_FIELDS and f.name in tracked and not f.primary_key
    ]


def _versions(model, qs, limit: int) -> tuple[list, dict]:
    """The newest `limit` versions, and {history_id: version} of every version they are compared with."""
    historical = qs.model
    previous = historical.objects.filter(organization_id=OuterRef("organization_id"), id=OuterRef("id")).filter(
        Q(history_date__lt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
    )
    versions = list(
        qs.select_related("history_user")
        .annotate(previous_id=Subquery(previous.order_by("-history_date", "-history_id").values("history_id")[:1]))
        .order_by("-history_date", "-history_id")[:limit]
    )
    by_id = {v.history_id: v for v in versions}
    missing = {v.previous_id for v in versions if v.previous_id is not None} - by_id.keys()
    if missing:
        org = versions[0].organization_id
        by_id.update((v.history_id, v) for v in historical.objects.filter(organization_id=org, history_id__in=missing))
    return versions, by_id


def shown(model: type[models.Model], f: models.Field, value, names: dict) -> Any:
    """A stored value as the user reads it: a choice's label, Yes/No, a related record's name, reason labels."""
    if value is None or value == "":
        return None
    if f.choices:
        return dict(f.flatchoices).get(value, value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if f.is_relation:
        return names.get((f.related_model, value), value)
    if isinstance(value, list):
        # A model names the labels of a list of codes with a `label_<field>` static method.
        labeler = getattr(model, f"label_{f.name}", None)
        return ", ".join(str(v) for v in (labeler(value) if labeler else value)) or None
    return value


def _related_names(organization_id, wanted: dict[type[models.Model], set]) -> dict:
    names = {}
    for related, ids in wanted.items():
        ids.discard(None)
        if not ids:
            continue
        qs = related._default_manager.filter(pk__in=ids)
        if any(f.name == "organization" for f in related._meta.fields):
            qs = qs.filter(organization_id=organization_id)
        names.update(((related, obj.pk), str(obj)) for obj in qs)
    return names


def build_history(patient: Patient, limit: int = HISTORY_LIMIT) -> tuple[list[HistoryRow], bool]:
    """The newest `limit` versions of the record and its parts, newest first; True if older ones were left out."""
    pending = []  # (kind, model, fields, newer, older)
    for kind, model, qs in _sources(patient):
        versions, by_id = _versions(model, qs, limit + 1)
        fields = _shown_fields(model, qs.model)
        for v in versions:
            older = by_id.get(v.previous_id) if v.history_type == "~" else None
            pending.append((kind, model, fields, v, older))
    pending.sort(key=lambda p: (p[3].history_date, p[3].history_id), reverse=True)
    truncated = len(pending) > limit
    pending = pending[:limit]

    deltas = []
    wanted: dict[type[models.Model], set] = {}
    for _kind, _model, fields, newer, older in pending:
        changed = []
        if older is not None:
            for f in fields:
                old, new = getattr(older, f.attname), getattr(newer, f.attname)
                if old != new:
                    changed.append((f, old, new))
                    if f.is_relation:
                        wanted.setdefault(f.related_model, set()).update([old, new])
        deltas.append(changed)
    names = _related_names(patient.organization_id, wanted)

    rows = []
    for (kind, model, _fields, newer, _older), changed in zip(pending, deltas, strict=True):
        rows.append(
            HistoryRow(
                kind=str(kind),
                # The patient is the page itself; every other record is named (its __str__ reads no relation).
                label="" if model is Patient else str(newer.instance),
                action=str(ACTIONS.get(newer.history_type, newer.history_type)),
                history_type=newer.history_type,
                at=newer.history_date,
                user=newer.history_user,
                changes=[
                    (f.verbose_name, shown(model, f, old, names), shown(model, f, new, names))
                    for f, old, new in changed
                ],
            )
        )
    return rows, truncated
