"""Writing assessments: start (prefilled from the record), save a draft (autosave too), sign and lock, add an addendum.

Each write is atomic and records one audit row; the audit detail names the sections changed, never their text.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from puente.accounts.models import User
from puente.audit.models import AuditAction
from puente.audit.services import record_event
from puente.episodes.models import Episode
from puente.patients.models import Patient
from puente.screening import labels as screening_labels
from puente.screening.library import all_instruments

from . import prefill
from .models import Assessment, AssessmentAddendum, Mode
from .permissions import may_sign
from .sections import MAX_ADDENDUM_CHARS, MAX_SECTION_CHARS, REQUIRED_TO_SIGN, Template, get_template

SCREENS_READ = 200  # the latest of each instrument is among the patient's last 200 screens


class AssessmentError(Exception):
    """A write the assessment's state refuses. The message is for the user."""


class AssessmentLocked(AssessmentError):
    """The assessment is signed: it can no longer change (409)."""

    def __init__(self, assessment: Assessment):
        super().__init__(_("This assessment is signed and locked; it can no longer be changed."))
        self.assessment = assessment


class StaleVersion(AssessmentError):
    """Someone saved the draft after this form was opened (409). `current` is the draft as saved now."""

    def __init__(self, current: Assessment):
        super().__init__(_("Someone else saved this assessment after you opened it."))
        self.current = current


class NotSigned(AssessmentError):
    """Addenda are for signed assessments; a draft is edited instead (409)."""

    def __init__(self) -> None:
        super().__init__(_("Addenda are added after signing. Edit the draft instead."))


class IncompleteAssessment(AssessmentError):
    """Signing needs the formulation and the plan. `current` is the draft, saved with what was sent."""

    def __init__(self, missing: list[str], current: Assessment):
        super().__init__(_("Write the formulation and the plan before signing."))
        self.missing = missing
        self.current = current


class InvalidSections(AssessmentError):
    """Section texts that do not fit the template. `errors` maps a section key (or "__all__") to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(" ".join(m for ms in errors.values() for m in ms))
        self.errors = errors


def clean_sections(template: Template, sections: dict[str, str]) -> dict[str, str]:
    """Known section keys with text no longer than the limit; nothing is truncated or dropped silently."""
    errors: dict[str, list[str]] = {}
    clean = {}
    for key, text in sections.items():
        section = template.get(key)
        if section is None:
            errors.setdefault("__all__", []).append(
                _("%(key)s is not a section of this assessment.") % {"key": str(key)[:40]}
            )
            continue
        if not isinstance(text, str):
            errors[key] = [_("Enter text.")]
            continue
        if len(text) > MAX_SECTION_CHARS:
            errors[key] = [
                _("%(section)s is too long: %(length)s characters; the limit is %(limit)s.")
                % {"section": section.title, "length": len(text), "limit": MAX_SECTION_CHARS}
            ]
            continue
        clean[key] = text
    if errors:
        raise InvalidSections(errors)
    return clean


def active_episode(patient: Patient) -> Episode | None:
    return (
        Episode.objects.filter(organization_id=patient.organization_id, patient=patient, status=Episode.Status.ACTIVE)
        .select_related("unit")
        .order_by("-start")
        .first()
    )


def _date(value) -> str:
    return formats.date_format(timezone.localtime(value), "SHORT_DATE_FORMAT")


def _datetime(value) -> str:
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def gather_facts(patient: Patient, episode: Episode | None) -> prefill.RecordFacts:
    """What the record holds for the draft, in the current language: one query per kind of fact."""
    org = patient.organization_id
    persons = [
        prefill.Person(
            relationship=p.relationship,
            relationship_label=str(p.get_relationship_display()),
            name=p.name,
            relation_detail=p.relation_detail,
            phone=p.phone,
            may_receive_information=p.may_receive_information,
        )
        for p in patient.related_persons.filter(organization_id=org)
    ]
    episode_facts = None
    if episode is not None:
        episode_facts = prefill.EpisodeFacts(
            setting_label=str(episode.get_setting_display()),
            place=str(episode.unit) if episode.unit else episode.facility,
            start=_date(episode.start),
            attending=episode.attending,
            payer=episode.payer,
        )
    referral = patient.sw_referrals.filter(organization_id=org).order_by("-received_at").first()
    referral_facts = None
    if referral is not None:
        referral_facts = prefill.ReferralFacts(
            received=_datetime(referral.received_at),
            source_label=str(referral.get_source_display()),
            priority_label=str(referral.get_priority_display()),
            reasons=referral.reason_labels(),
            referred_by=referral.referred_by,
            detail=referral.reason_detail,
        )
    instruments = all_instruments()
    language = "es" if (get_language() or "en").startswith("es") else "en"
    screens: dict[str, prefill.ScreenFacts] = {}
    for r in patient.screenings.filter(organization_id=org).order_by("-effective_at")[:SCREENS_READ]:
        if r.instrument_id in screens:
            continue
        short = instruments.get(r.instrument_id, {}).get("short_title", {})
        screens[r.instrument_id] = prefill.ScreenFacts(
            instrument_id=r.instrument_id,
            title=short.get(language) or short.get("en") or r.instrument_id,
            when=_date(r.effective_at),
            total=r.total,
            band_label=screening_labels.band_label(r.band) if r.band else "",
            domains=[(d, screening_labels.domain_label(d)) for d in r.positive_domains],
            complete=not r.missing_items,
        )
    concerns = [
        prefill.ConcernFacts(
            category=c.category,
            label=screening_labels.domain_label(c.category),
            status_label=str(c.get_status_display()).lower(),
            icd10_code=c.icd10_code,
            icd10_title=c.icd10_title,
        )
        for c in patient.health_concerns.filter(organization_id=org, status__in=["suggested", "active"]).order_by(
            "created_at"
        )
    ]
    alerts = [
        (str(a.get_kind_display()), _datetime(a.created_at))
        for a in patient.crisis_alerts.filter(organization_id=org, status="open").order_by("created_at")
    ]
    return prefill.RecordFacts(
        age=patient.age,
        language_label=str(patient.get_preferred_language_display()),
        interpreter_needed=patient.interpreter_needed,
        oral_only=patient.oral_interpretation_only,
        insurance=patient.insurance,
        insurance_label=str(patient.get_insurance_display()),
        insurance_plan=patient.insurance_plan,
        advance_directive_on_file=patient.advance_directive_on_file,
        city=patient.city,
        county=patient.county,
        address_confidential=patient.address_confidential,
        persons=persons,
        episode=episode_facts,
        referral=referral_facts,
        screens=list(screens.values()),
        concerns=concerns,
        open_alerts=alerts,
    )


@transaction.atomic
def start_assessment(
    request: HttpRequest, patient: Patient, setting: str, *, mode: str = Mode.IN_PERSON, user: User | None = None
) -> Assessment:
    """A new draft on the setting's template, its sections prefilled from the record (in the worker's language)."""
    actor = user or request.user
    template = get_template(setting)
    if mode not in Mode.values:
        raise ValueError(mode)
    episode = active_episode(patient)
    texts = prefill.build_prefill(gather_facts(patient, episode), template.keys)
    assessment = Assessment.objects.create(
        organization_id=patient.organization_id,
        patient=patient,
        episode=episode,
        setting=setting,
        template_version=template.version,
        mode=mode,
        sections={key: texts.get(key, "") for key in template.keys},
        prefilled_sections=[key for key in template.keys if key in texts],
        author=actor,
        updated_by=actor,
    )
    record_event(
        request,
        AuditAction.CREATE,
        obj=assessment,
        patient_id=patient.pk,
        user=actor,
        detail={"setting": setting, "prefilled": assessment.prefilled_sections},
    )
    return assessment


def _is_conflict(locked: Assessment, version: int, editor: str, clean: dict[str, str], mode: str | None) -> bool:
    if locked.version == version:
        return False
    if editor and locked.last_editor == editor:
        return False  # this form's own earlier save (an autosave still in flight when the form was sent)
    # The same text as saved now (a double submit, or autosave and the Save button together) changes nothing.
    same = all(locked.sections.get(k, "") == v for k, v in clean.items()) and (not mode or mode == locked.mode)
    return not same


def save_assessment_draft(
    request: HttpRequest,
    assessment: Assessment,
    sections: dict[str, str],
    *,
    version: int,
    mode: str | None = None,
    editor: str = "",
    autosave: bool = False,
    user: User | None = None,
) -> Assessment:
    """Save the sections of a draft opened at `version`. Refuses a signed assessment (AssessmentLocked) and a draft
    someone else saved in between (StaleVersion): nothing is overwritten silently."""
    actor = user or request.user
    clean = clean_sections(assessment.template, sections)
    if mode is not None and mode not in Mode.values:
        raise InvalidSections({"mode": [_("Choose how the assessment is done.")]})
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(
            organization_id=assessment.organization_id, pk=assessment.pk
        )
        if not locked.is_draft:
            raise AssessmentLocked(locked)
        if _is_conflict(locked, version, editor, clean, mode):
            raise StaleVersion(locked)
        changed = [k for k, v in clean.items() if locked.sections.get(k, "") != v]
        mode_changed = bool(mode) and mode != locked.mode
        if not changed and not mode_changed:
            return locked
        locked.sections = {**locked.sections, **clean}
        if mode:
            locked.mode = mode
        locked.version += 1
        locked.last_editor = editor[:32]
        locked.updated_by = actor
        if autosave:
            # Autosaves come every few seconds while typing: the audit log records each one, the record history
            # keeps the explicit saves and the signed text.
            locked.skip_history_when_saving = True  # type: ignore[attr-defined]
        locked.save(update_fields=["sections", "mode", "version", "last_editor", "updated_by", "updated_at"])
        if autosave:
            del locked.skip_history_when_saving  # type: ignore[attr-defined]
        record_event(
            request,
            AuditAction.UPDATE,
            obj=locked,
            patient_id=locked.patient_id,
            user=actor,
            detail={"version": locked.version, "sections": changed, "autosave": autosave},
        )
        return locked


def sign_assessment(
    request: HttpRequest,
    assessment: Assessment,
    *,
    version: int,
    sections: dict[str, str] | None = None,
    mode: str | None = None,
    editor: str = "",
    user: User | None = None,
) -> Assessment:
    """Save what was sent, then sign and lock. Only the author or a supervisor signs.

    Two transactions on purpose: when signing is refused (the formulation or plan is empty) the text just sent is
    still saved, so that nothing typed is lost.
    """
    actor = user or request.user
    if not may_sign(actor, assessment):
        raise PermissionDenied
    if sections is not None or mode is not None:
        assessment = save_assessment_draft(
            request, assessment, sections or {}, version=version, mode=mode, editor=editor, user=actor
        )
        version = assessment.version
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(
            organization_id=assessment.organization_id, pk=assessment.pk
        )
        if not locked.is_draft:
            raise AssessmentLocked(locked)
        if locked.version != version:
            raise StaleVersion(locked)
        missing = [k for k in REQUIRED_TO_SIGN if k in locked.template.keys and not locked.sections.get(k, "").strip()]
        if missing:
            raise IncompleteAssessment(missing, locked)
        now = timezone.now()
        locked.status = Assessment.Status.SIGNED
        locked.signed_by = actor
        locked.signed_at = now
        locked.updated_by = actor
        locked.version += 1
        locked.save(update_fields=["status", "signed_by", "signed_at", "updated_by", "version", "updated_at"])
        record_event(
            request,
            AuditAction.UPDATE,
            obj=locked,
            patient_id=locked.patient_id,
            user=actor,
            detail={"signed": True, "version": locked.version},
        )
        return locked


@transaction.atomic
def add_addendum(request: HttpRequest, assessment: Assessment, text: str, *, user: User | None = None):
    """Append text to a signed assessment."""
    actor = user or request.user
    locked = Assessment.objects.select_for_update().get(organization_id=assessment.organization_id, pk=assessment.pk)
    if locked.is_draft:
        raise NotSigned()
    text = text.strip()
    if not text:
        raise InvalidSections({"text": [_("Write the addendum.")]})
    if len(text) > MAX_ADDENDUM_CHARS:
        raise InvalidSections(
            {
                "text": [
                    _("The addendum is too long: %(length)s characters; the limit is %(limit)s.")
                    % {"length": len(text), "limit": MAX_ADDENDUM_CHARS}
                ]
            }
        )
    addendum = AssessmentAddendum.objects.create(
        organization_id=locked.organization_id, assessment=locked, text=text, author=actor
    )
    record_event(
        request,
        AuditAction.CREATE,
        obj=addendum,
        patient_id=locked.patient_id,
        user=actor,
        detail={"assessment": str(locked.pk)},
    )
    return addendum
