"""Submitting a screening: validate, score, store answers, suggest concerns, raise crisis alerts. Atomic, audited."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from puente.accounts.models import Role, Team, User
from puente.audit.models import AuditAction
from puente.audit.services import record_event
from puente.core.tenancy_guard import unscoped
from puente.core.tokens import hash_token, new_link_token
from puente.patients.models import Patient
from puente.tasks import services as task_services

from . import concerns
from .library import get_instrument
from .models import (
    CrisisAlert,
    HealthConcern,
    Mode,
    SafetyPlan,
    ScreeningAnswer,
    ScreeningResponse,
    SelfScreeningLink,
)
from .scoring import score
from .scoring.base import is_answered, is_enabled


class InvalidAnswers(ValueError):
    """Answers that do not fit the instrument. `errors` maps an item code (or "__all__") to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def _options(instrument: dict, item: dict) -> dict[str, dict]:
    options = list(instrument["answer_lists"].get(item.get("answer_list", ""), [])) + item.get("extra_answers", [])
    return {o["code"]: o for o in options}


def clean_answers(instrument: dict, raw: dict[str, Any]) -> dict[str, Any]:
    """Answers checked against the instrument: known items, answers from the item's list, integers in range,
    exclusive choices alone, nothing answered on an item the skip logic turned off."""
    items = {i["code"]: i for i in instrument["items"]}
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for code, value in raw.items():
        item = items.get(code)
        if item is None:
            errors.setdefault("__all__", []).append(
                _("%(code)s is not a question of this instrument.") % {"code": code}
            )
            continue
        if not is_answered(value):
            continue
        kind = item["type"]
        options = _options(instrument, item)
        if kind in ("choice", "boolean-choice"):
            if isinstance(value, list) and len(value) == 1:
                value = value[0]
            if not isinstance(value, str) or value not in options:
                errors[code] = [_("%(value)s is not one of the answers to this question.") % {"value": value}]
                continue
        elif kind == "multi":
            value = [value] if isinstance(value, str) else value
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                errors[code] = [_("Choose one or more of the answers to this question.")]
                continue
            bad = [v for v in value if v not in options]
            if bad:
                errors[code] = [_("%(value)s is not one of the answers to this question.") % {"value": bad[0]}]
                continue
            exclusive = set(item.get("exclusive", []))
            if len(value) > 1 and exclusive & set(value):
                errors[code] = [_("This answer cannot be combined with the others.")]
                continue
            value = sorted(set(value), key=value.index)
        elif kind == "integer":
            # bool is an int in Python and 2.9 would become 2: neither is a whole number the user typed.
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                errors[code] = [_("Enter a whole number.")]
                continue
            try:
                value = int(value)
            except (TypeError, ValueError):
                errors[code] = [_("Enter a whole number.")]
                continue
            low, high = item.get("min"), item.get("max")
            if (low is not None and value < low) or (high is not None and value > high):
                errors[code] = [
                    _("Enter a number from %(min)s to %(max)s.")
                    % {"min": low, "max": high if high is not None else "…"}
                ]
                continue
        else:
            if not isinstance(value, str | int):
                errors[code] = [_("Enter text.")]
                continue
            value = str(value)[:2000]
        clean[code] = value
    for code in list(clean):
        if not is_enabled(items[code], clean):
            errors[code] = [_("This question does not apply given the earlier answers.")]
    if errors:
        raise InvalidAnswers(errors)
    return clean


def responsible_worker(patient: Patient) -> User | None:
    """Who owns this patient's social work now: the active episode's worker, else the latest referral's."""
    episode = patient.episodes.filter(status="active", assigned_worker__isnull=False).order_by("-start").first()
    if episode is not None:
        return episode.assigned_worker
    referral = patient.sw_referrals.filter(assigned_to__isnull=False).order_by("-received_at").first()
    return referral.assigned_to if referral else None


def responsible_supervisors(patient: Patient) -> list[User]:
    team_ids = set(patient.episodes.filter(status="active").values_list("team_id", flat=True))
    team_ids |= set(patient.sw_referrals.values_list("team_id", flat=True))
    return list(
        User.objects.filter(
            organization_id=patient.organization_id,
            role=Role.SUPERVISOR,
            is_active=True,
            supervised_teams__in=Team.objects.filter(organization_id=patient.organization_id, id__in=team_ids),
        ).distinct()
    )


@dataclass
class Submission:
    response: ScreeningResponse
    created: bool
    alerts: list[CrisisAlert]
    concerns: list[HealthConcern]


def submit_screening(
    request: HttpRequest | None,
    patient: Patient,
    instrument_id: str,
    answers: dict[str, Any],
    *,
    user: User | None = None,
    mode: str = Mode.IN_PERSON,
    language: str = "en",
    effective_at: datetime | None = None,
    proxy_name: str = "",
    idempotency_key: str = "",
) -> Submission:
    """Store and score one instrument. The same idempotency key twice returns the first submission."""
    actor = user or (request.user if request is not None and request.user.is_authenticated else None)
    instrument = get_instrument(instrument_id)
    if idempotency_key:
        existing = _replay(patient, instrument_id, idempotency_key)
        if existing is not None:
            return existing
    clean = clean_answers(instrument, answers)
    if not clean:
        raise InvalidAnswers({"__all__": [_("Answer at least one question.")]})
    when = effective_at or timezone.now()
    age = patient.age_on(timezone.localtime(when).date())  # thresholds use the age on the day of the screen
    result = score(instrument, clean, age=age, tiers=settings.PUENTE_CSSRS_TIERS)
    try:
        with transaction.atomic():
            return _store(
                request, patient, instrument, clean, result, actor, mode, language, when, proxy_name, idempotency_key
            )
    except IntegrityError:
        # A concurrent submission with the same key won the race: answer with that one.
        existing = _replay(patient, instrument_id, idempotency_key) if idempotency_key else None
        if existing is None:
            raise
        return existing


def _replay(patient: Patient, instrument_id: str, key: str) -> "Submission | None":
    """The earlier submission with this key; the key reused for another patient or instrument is an error."""
    existing = ScreeningResponse.objects.filter(organization_id=patient.organization_id, idempotency_key=key).first()
    if existing is None:
        return None
    if existing.patient_id != patient.pk or existing.instrument_id != instrument_id:
        raise InvalidAnswers({"__all__": [_("This submission key was already used for another screening.")]})
    return Submission(existing, False, list(existing.crisis_alerts.all()), list(existing.concerns.all()))


def _store(request, patient, instrument, clean, result, actor, mode, language, effective_at, proxy_name, key):
    org = patient.organization_id
    response = ScreeningResponse.objects.create(
        organization_id=org,
        patient=patient,
        instrument_id=instrument["id"],
        instrument_version=instrument["version"],
        language=language,
        mode=mode,
        proxy_name=proxy_name,
        performer=actor if mode not in (Mode.SELF,) else None,
        effective_at=effective_at or timezone.now(),
        total=result.total,
        band=result.band or "",
        positive=result.positive,
        positive_domains=result.positive_domains,
        missing_items=result.missing,
        alerts=result.alerts,
        details=result.details,
        pending_verification=result.pending_verification,
        idempotency_key=key,
    )
    items = {i["code"]: i for i in instrument["items"]}
    rows = []
    for code, value in clean.items():
        options = _options(instrument, items[code])
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, str) and v in options:
                rows.append(
                    ScreeningAnswer(
                        organization_id=org,
                        response=response,
                        item_code=code,
                        answer_code=v,
                        value_integer=options[v].get("value"),
                    )
                )
            elif isinstance(v, int):
                rows.append(ScreeningAnswer(organization_id=org, response=response, item_code=code, value_integer=v))
            else:
                rows.append(ScreeningAnswer(organization_id=org, response=response, item_code=code, value_text=v))
    ScreeningAnswer.objects.bulk_create(rows)
    new_concerns = [
        HealthConcern(
            organization_id=org,
            patient=patient,
            source_response=response,
            category=s.category,
            icd10_code=s.icd10 or "",
            icd10_title=s.icd10_title,
        )
        for s in concerns.suggest(result.positive_domains)
        # An active or suggested concern of the same category is not suggested twice.
        if not HealthConcern.objects.filter(
            organization_id=org,
            patient=patient,
            category=s.category,
            status__in=[HealthConcern.Status.SUGGESTED, HealthConcern.Status.ACTIVE],
        ).exists()
    ]
    HealthConcern.objects.bulk_create(new_concerns)
    record_event(
        request,
        AuditAction.CREATE,
        obj=response,
        patient_id=patient.pk,
        user=actor,
        detail={"instrument": instrument["id"], "alerts": result.alerts},
    )
    alerts = [raise_crisis_alert(request, response, kind, actor) for kind in result.alerts]
    return Submission(response, True, alerts, new_concerns)


def raise_crisis_alert(request, response: ScreeningResponse, kind: str, actor: User | None) -> CrisisAlert:
    """The alert, a task due now for the responsible worker, and notifications to them and their supervisors."""
    patient = response.patient
    worker = responsible_worker(patient)
    supervisors = responsible_supervisors(patient)
    alert = CrisisAlert.objects.create(
        organization_id=patient.organization_id,
        patient=patient,
        response=response,
        kind=kind,
        assigned_worker=worker,
    )
    owner = worker or (supervisors[0] if supervisors else actor)
    task_services.create_task(
        None,
        organization_id=patient.organization_id,
        title=str(CrisisAlert.Kind(kind).label) + ": " + _("act now and document what was done"),
        patient=patient,
        assignee=owner,
        due_at=timezone.now(),
        priority="stat",
        source="crisis_alert",
        source_id=str(alert.pk),
        user=actor,
    )
    recipients = {u.pk: u for u in [worker, *supervisors, actor] if u is not None}
    url = patient.get_absolute_url()
    for recipient in recipients.values():
        task_services.notify(
            recipient,
            "crisis_alert",
            _("Crisis alert for a patient: open the record now."),
            url=url,
            urgent=True,
            organization_id=patient.organization_id,
        )
    record_event(
        request,
        AuditAction.CREATE,
        obj=alert,
        patient_id=patient.pk,
        user=actor,
        detail={"kind": kind, "notified": sorted(u.email for u in recipients.values())},
    )
    return alert


@transaction.atomic
def resolve_crisis_alert(request: HttpRequest, alert: CrisisAlert, action: str, note: str) -> CrisisAlert:
    """Clearing an alert needs an action from the list and a note saying what was done."""
    if action not in CrisisAlert.Action.values or not note.strip():
        raise ValueError(_("Choose the action taken and describe what was done."))
    alert = CrisisAlert.objects.select_for_update().get(organization_id=alert.organization_id, pk=alert.pk)
    if alert.status == CrisisAlert.Status.RESOLVED:
        return alert
    alert.status = CrisisAlert.Status.RESOLVED
    alert.action = action
    alert.action_note = note.strip()
    alert.resolved_by = request.user
    alert.resolved_at = timezone.now()
    alert.save(update_fields=["status", "action", "action_note", "resolved_by", "resolved_at", "updated_at"])
    task_services.complete_tasks_for(
        request, alert.organization_id, "crisis_alert", str(alert.pk), note=alert.action_note
    )
    record_event(
        request, AuditAction.UPDATE, obj=alert, patient_id=alert.patient_id, detail={"resolved": True, "action": action}
    )
    return alert


@transaction.atomic
def decide_concern(
    request: HttpRequest, concern: HealthConcern, decision: str, *, icd10_code: str = "", note: str = ""
) -> HealthConcern:
    """Accept (optionally with an edited Z code) or dismiss a suggested concern."""
    if decision == "accept":
        concern.status = HealthConcern.Status.ACTIVE
        if icd10_code:
            concern.icd10_code = icd10_code.strip().upper()
    elif decision == "dismiss":
        concern.status = HealthConcern.Status.DISMISSED
    else:
        raise ValueError(decision)
    concern.note = note[:500]
    concern.decided_by = request.user
    concern.decided_at = timezone.now()
    concern.save(update_fields=["status", "icd10_code", "note", "decided_by", "decided_at", "updated_at"])
    record_event(
        request,
        AuditAction.UPDATE,
        obj=concern,
        patient_id=concern.patient_id,
        detail={"decision": decision, "icd10": concern.icd10_code},
    )
    return concern


@transaction.atomic
def save_safety_plan(
    request: HttpRequest,
    patient: Patient,
    data: dict[str, str],
    alert: CrisisAlert | None = None,
    complete: bool = False,
) -> SafetyPlan:
    plan = SafetyPlan.objects.create(
        organization_id=patient.organization_id,
        patient=patient,
        alert=alert,
        created_by=request.user,
        completed_at=timezone.now() if complete else None,
        **data,
    )
    record_event(request, AuditAction.CREATE, obj=plan, patient_id=patient.pk)
    return plan


@transaction.atomic
def create_self_screening_link(
    request: HttpRequest, patient: Patient, instrument_ids: list[str], *, language: str = "en", hours: int = 72
) -> tuple["SelfScreeningLink", str]:
    """A single-use link; returns it and its token (shown once, stored only as a hash)."""
    from datetime import timedelta

    for instrument_id in instrument_ids:
        if "self" not in get_instrument(instrument_id).get("administration", []):
            raise ValueError(_("This instrument is not meant to be self-administered."))
    token, token_hash = new_link_token()
    link = SelfScreeningLink.objects.create(
        organization_id=patient.organization_id,
        patient=patient,
        instrument_ids=instrument_ids,
        token_hash=token_hash,
        language=language if language in ("en", "es") else "en",
        expires_at=timezone.now() + timedelta(hours=hours),
        created_by=request.user,
    )
    record_event(
        request,
        AuditAction.CREATE,
        obj=link,
        patient_id=patient.pk,
        detail={"instruments": instrument_ids, "hours": hours},
    )
    return link, token


def find_self_screening_link(token: str) -> "SelfScreeningLink | None":
    if not token or len(token) > 100:
        return None
    with unscoped("the patient's link token is how the organization is found"):
        return SelfScreeningLink.objects.select_related("patient").filter(token_hash=hash_token(token)).first()


@transaction.atomic
def save_self_screening_progress(link: "SelfScreeningLink", answers: dict[str, dict]) -> None:
    link = SelfScreeningLink.objects.select_for_update().get(organization_id=link.organization_id, pk=link.pk)
    if not link.is_usable:
        return
    link.draft_answers = answers
    link.save(update_fields=["draft_answers", "updated_at"])


def complete_self_screening(
    request: HttpRequest, link: "SelfScreeningLink", answers: dict[str, dict], language: str
) -> list[Submission]:
    """Submit every instrument of the link as self-reported, close the link and tell the worker.

    All instruments are validated before any is stored, so that a bad answer saves nothing.
    """
    for instrument_id in link.instrument_ids:
        clean_answers(get_instrument(instrument_id), answers.get(instrument_id, {}))
    with transaction.atomic():
        locked = SelfScreeningLink.objects.select_for_update().get(organization_id=link.organization_id, pk=link.pk)
        if not locked.is_usable:
            raise ValueError("link no longer usable")
        submissions = []
        for instrument_id in link.instrument_ids:
            given = answers.get(instrument_id, {})
            if not given:
                continue
            submissions.append(
                submit_screening(
                    request,
                    link.patient,
                    instrument_id,
                    given,
                    user=None,
                    mode=Mode.SELF,
                    language=language,
                    idempotency_key=f"self-{link.pk}-{instrument_id}",
                )
            )
        locked.completed_at = timezone.now()
        locked.draft_answers = {}
        locked.save(update_fields=["completed_at", "draft_answers", "updated_at"])
        worker = responsible_worker(link.patient) or link.created_by
        task_services.notify(
            worker,
            "self_screening",
            _("A patient finished a self-screening."),
            url=link.patient.get_absolute_url(),
            organization_id=link.organization_id,
        )
    return submissions


def send_self_screening_link(request: HttpRequest, link: "SelfScreeningLink", url: str, channel: str) -> bool:
    """Text or email the link in the link's language, after the commit. The message carries no PHI."""
    from django.utils import translation

    from puente.core import messaging

    patient = link.patient
    if channel == "sms" and patient.phone and patient.phone_may_text:
        to = patient.phone
    elif channel == "email" and patient.email and patient.email_ok:
        to = patient.email
    else:
        return False
    with translation.override(link.language):
        body = _("Your care team asks you to answer a few questions. This link works once: %(url)s") % {"url": url}
        subject = _("Questions from your care team")

    def deliver() -> None:
        if channel == "sms":
            messaging.send_sms(to, body)
        else:
            messaging.send_patient_email(to, subject, body)

    transaction.on_commit(deliver)
    record_event(request, AuditAction.EXPORT, obj=link, patient_id=patient.pk, detail={"sent_by": channel})
    return True
