"""Writing progress notes: start (empty, from an agency template, or carried forward from the patient's last signed
note), save a draft (autosave too), sign, co-sign, add an addendum; personal phrases; agency note templates.

Each write is atomic and records one audit row; the audit detail names the sections changed, never their text.
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from puente.accounts.models import User
from puente.audit.models import AuditAction
from puente.audit.services import record_event
from puente.core.idempotency import create_once
from puente.episodes.models import Episode
from puente.patients.models import Patient

from .formats import FORMATS, MAX_ADDENDUM_CHARS, MAX_PHRASE_CHARS, MAX_SECTION_CHARS, NoteFormat
from .models import (
    LATE_AFTER,
    TEMPLATE_MANAGER_ROLES,
    NoteAddendum,
    NoteTemplate,
    Phrase,
    ProgressNote,
    SensitiveReason,
    needs_cosign,
)
from .permissions import may_cosign, may_sign


class NoteError(Exception):
    """A write the note's state refuses. The message is for the user."""


class NoteLocked(NoteError):
    """The note is signed: it can no longer change (409)."""

    def __init__(self, note: ProgressNote):
        super().__init__(_("This note is signed and locked; it can no longer be changed."))
        self.note = note


class StaleVersion(NoteError):
    """Someone saved the draft after this form was opened (409). `current` is the draft as saved now."""

    def __init__(self, current: ProgressNote):
        super().__init__(_("Someone else saved this note after you opened it."))
        self.current = current


class NotSigned(NoteError):
    """Addenda and co-signatures are for signed notes."""

    def __init__(self) -> None:
        super().__init__(_("This note is not signed yet."))


class InvalidNote(NoteError):
    """Input that does not fit. `errors` maps a field or section key (or "__all__") to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(" ".join(m for ms in errors.values() for m in ms))
        self.errors = errors


def clean_sections(fmt: NoteFormat, sections: dict[str, str]) -> dict[str, str]:
    """Known section keys with text no longer than the limit; nothing is truncated or dropped silently."""
    errors: dict[str, list[str]] = {}
    clean = {}
    for key, text in sections.items():
        section = fmt.get(key)
        if section is None:
            errors.setdefault("__all__", []).append(
                _("%(key)s is not a section of this note.") % {"key": str(key)[:40]}
            )
        elif not isinstance(text, str):
            errors[key] = [_("Enter text.")]
        elif len(text) > MAX_SECTION_CHARS:
            errors[key] = [
                _("%(section)s is too long: %(length)s characters; the limit is %(limit)s.")
                % {"section": section.title, "length": len(text), "limit": MAX_SECTION_CHARS}
            ]
        else:
            clean[key] = text
    if errors:
        raise InvalidNote(errors)
    return clean


def _check_reason(reason: str | None) -> None:
    if reason and reason not in SensitiveReason.values:
        raise InvalidNote({"sensitive_reason": [_("Choose a reason from the list.")]})


def active_episode(patient: Patient) -> Episode | None:
    return (
        Episode.objects.filter(organization_id=patient.organization_id, patient=patient, status=Episode.Status.ACTIVE)
        .order_by("-start")
        .first()
    )


COPYABLE_STATUSES = (ProgressNote.Status.SIGNED, ProgressNote.Status.COSIGNED)


def copy_forward_source(user: User, patient: Patient, note_format: str) -> ProgressNote | None:
    """The note a new draft of this format may start from: the same patient's most recent signed note of the same
    format that `user` can read, never a sensitive one, never a draft. None when there is none, or when the format
    has nothing to carry (every section is written fresh)."""
    fmt = FORMATS.get(note_format)
    if fmt is None or not fmt.carried_keys:
        return None
    return (
        ProgressNote.objects.visible_to(user)
        .filter(
            organization_id=patient.organization_id,
            patient_id=patient.pk,
            format=note_format,
            status__in=COPYABLE_STATUSES,
            sensitive=False,
        )
        .order_by("-contact_at", "-signed_at")
        .first()
    )


def copy_forward_sources(user: User, patient: Patient) -> list[ProgressNote]:
    """The copy-forward source of each format that has one (at most one query per format)."""
    return [n for n in (copy_forward_source(user, patient, key) for key in FORMATS) if n is not None]


def _check_copy_source(actor: User, patient: Patient, note_format: str, copy_from: ProgressNote) -> ProgressNote:
    """Re-check what the client sent: whatever id arrived, only the rule's own answer is accepted (and returned,
    so that the text copied is the stored one)."""
    allowed = copy_forward_source(actor, patient, note_format)
    if allowed is None or allowed.pk != copy_from.pk:
        if copy_from.patient_id == patient.pk and copy_from.format != note_format:
            msg = _("The note to start from is in another format. Choose its format, or start without it.")
        else:
            msg = _("This note cannot be carried forward. Start from the patient's latest signed note, or empty.")
        raise InvalidNote({"copy_from": [msg]})
    return allowed


def _check_template(actor: User, patient: Patient, note_format: str, template: NoteTemplate) -> NoteTemplate:
    stored = (
        NoteTemplate.objects.usable_by(actor).filter(organization_id=patient.organization_id, pk=template.pk).first()
    )
    if stored is None:
        raise InvalidNote({"template": [_("Choose an active template of your agency.")]})
    if stored.format != note_format:
        raise InvalidNote(
            {"template": [_("This template is for %(format)s notes.") % {"format": stored.get_format_display()}]}
        )
    return stored


@transaction.atomic
def start_note(
    request: HttpRequest | None,
    patient: Patient,
    note_format: str,
    *,
    contact_at: datetime | None = None,
    sensitive_reason: str = "",
    copy_from: ProgressNote | None = None,
    template: NoteTemplate | None = None,
    user: User | None = None,
    idempotency_key: str = "",
) -> ProgressNote:
    """A new draft in the chosen format, linked to the active episode if there is one.

    Its sections start empty, or with an agency template's text, or with the carried sections (formats.py) of the
    patient's copy-forward source; `copy_from` is re-checked here whatever the form let through. The same
    idempotency key again answers with the first draft (core/idempotency.py).
    """
    actor = user or request.user  # type: ignore[union-attr]
    note, _replayed = create_once(
        patient.organization_id,
        actor,
        idempotency_key,
        ProgressNote,
        lambda: _start_note(request, patient, note_format, contact_at, sensitive_reason, copy_from, template, actor),
        scope=patient.pk,
    )
    return note


def _start_note(request, patient, note_format, contact_at, sensitive_reason, copy_from, template, actor):
    if note_format not in FORMATS:
        raise InvalidNote({"format": [_("Choose a note format.")]})
    _check_reason(sensitive_reason)
    if copy_from is not None and template is not None:
        raise InvalidNote({"__all__": [_("Start from a template or from the last note, not both.")]})
    fmt = FORMATS[note_format]
    sections = {k: "" for k in fmt.keys}
    if copy_from is not None:
        copy_from = _check_copy_source(actor, patient, note_format, copy_from)
        sections.update({k: copy_from.sections.get(k, "") for k in fmt.carried_keys})
    if template is not None:
        template = _check_template(actor, patient, note_format, template)
        sections.update({k: template.sections.get(k, "") for k in fmt.keys})
    note = ProgressNote.objects.create(
        organization_id=patient.organization_id,
        patient=patient,
        episode=active_episode(patient),
        author=actor,
        updated_by=actor,
        format=note_format,
        sections=sections,
        contact_at=contact_at or timezone.now(),
        requires_cosign=needs_cosign(actor),
        sensitive=bool(sensitive_reason),
        sensitive_reason=sensitive_reason,
        copied_from=copy_from,
        template=template,
    )
    detail = {"format": note_format, "sensitive": note.sensitive}
    if copy_from is not None:
        detail["copied_from"] = str(copy_from.pk)
        detail["copied_sections"] = fmt.carried_keys
    if template is not None:
        detail["template"] = str(template.pk)
    record_event(request, AuditAction.CREATE, obj=note, patient_id=patient.pk, user=actor, detail=detail)
    return note


def _is_conflict(locked: ProgressNote, version: int, editor: str, clean: dict[str, str], reason: str | None) -> bool:
    if locked.version == version:
        return False
    if editor and locked.last_editor == editor:
        return False  # this form's own earlier save (an autosave still in flight when the form was sent)
    # The same text as saved now (a double submit, or autosave and the Save button together) changes nothing.
    same = all(locked.sections.get(k, "") == v for k, v in clean.items())
    return not (same and (reason is None or reason == locked.sensitive_reason))


def save_note_draft(
    request: HttpRequest | None,
    note: ProgressNote,
    sections: dict[str, str],
    *,
    version: int,
    sensitive_reason: str | None = None,
    editor: str = "",
    autosave: bool = False,
    user: User | None = None,
) -> ProgressNote:
    """Save the sections of a draft opened at `version`. Refuses a signed note (NoteLocked) and a draft someone
    else saved in between (StaleVersion): nothing is overwritten silently."""
    actor = user or request.user  # type: ignore[union-attr]
    clean = clean_sections(note.note_format, sections)
    _check_reason(sensitive_reason)
    with transaction.atomic():
        locked = ProgressNote.objects.select_for_update().get(organization_id=note.organization_id, pk=note.pk)
        if not locked.is_draft:
            raise NoteLocked(locked)
        if _is_conflict(locked, version, editor, clean, sensitive_reason):
            raise StaleVersion(locked)
        changed = [k for k, v in clean.items() if locked.sections.get(k, "") != v]
        reason_changed = sensitive_reason is not None and sensitive_reason != locked.sensitive_reason
        if not changed and not reason_changed:
            return locked
        locked.sections = {**locked.sections, **clean}
        if sensitive_reason is not None:
            locked.sensitive_reason = sensitive_reason
            locked.sensitive = bool(sensitive_reason)
        locked.version += 1
        locked.last_editor = editor[:32]
        locked.updated_by = actor
        if autosave:
            # Autosaves come every few seconds: the audit log records each, the history keeps explicit saves.
            locked.skip_history_when_saving = True  # type: ignore[attr-defined]
        locked.save(
            update_fields=[
                "sections",
                "sensitive",
                "sensitive_reason",
                "version",
                "last_editor",
                "updated_by",
                "updated_at",
            ]
        )
        if autosave:
            del locked.skip_history_when_saving  # type: ignore[attr-defined]
        record_event(
            request,
            AuditAction.UPDATE,
            obj=locked,
            patient_id=locked.patient_id,
            user=actor,
            detail={
                "version": locked.version,
                "sections": changed,
                "autosave": autosave,
                "sensitive": locked.sensitive,
            },
        )
        return locked


def sign_note(
    request: HttpRequest | None,
    note: ProgressNote,
    *,
    version: int,
    sections: dict[str, str] | None = None,
    sensitive_reason: str | None = None,
    editor: str = "",
    user: User | None = None,
) -> ProgressNote:
    """Save what was sent, then sign and lock. Only the author signs. Signing more than 24 hours after the contact
    marks a late entry; an LMSW's or a student's note then waits for a supervisor's co-signature.

    Two transactions on purpose: when signing is refused (all sections empty) the text just sent is still saved.
    """
    actor = user or request.user  # type: ignore[union-attr]
    if not may_sign(actor, note):
        raise PermissionDenied
    if sections is not None or sensitive_reason is not None:
        note = save_note_draft(
            request,
            note,
            sections or {},
            version=version,
            sensitive_reason=sensitive_reason,
            editor=editor,
            user=actor,
        )
        version = note.version
    with transaction.atomic():
        locked = ProgressNote.objects.select_for_update().get(organization_id=note.organization_id, pk=note.pk)
        if not locked.is_draft:
            raise NoteLocked(locked)
        if locked.version != version:
            raise StaleVersion(locked)
        if not any(str(t).strip() for t in locked.sections.values()):
            raise InvalidNote({"__all__": [_("Write the note before signing.")]})
        now = timezone.now()
        locked.status = ProgressNote.Status.SIGNED
        locked.signed_by = actor
        locked.signed_at = now
        locked.late_entry = now - locked.contact_at > LATE_AFTER
        locked.requires_cosign = needs_cosign(actor)
        locked.updated_by = actor
        locked.version += 1
        locked.save(
            update_fields=[
                "status",
                "signed_by",
                "signed_at",
                "late_entry",
                "requires_cosign",
                "updated_by",
                "version",
                "updated_at",
            ]
        )
        record_event(
            request,
            AuditAction.UPDATE,
            obj=locked,
            patient_id=locked.patient_id,
            user=actor,
            detail={"signed": True, "late_entry": locked.late_entry, "requires_cosign": locked.requires_cosign},
        )
        return locked


@transaction.atomic
def cosign_note(request: HttpRequest | None, note: ProgressNote, *, user: User | None = None) -> ProgressNote:
    """A supervisor of one of the patient's teams co-signs a signed note that requires it."""
    actor = user or request.user  # type: ignore[union-attr]
    if not may_cosign(actor, note):
        raise PermissionDenied
    locked = ProgressNote.objects.select_for_update().get(organization_id=note.organization_id, pk=note.pk)
    if not locked.needs_cosign:
        raise NotSigned() if locked.is_draft else InvalidNote({"__all__": [_("This note needs no co-signature.")]})
    locked.status = ProgressNote.Status.COSIGNED
    locked.cosigned_by = actor
    locked.cosigned_at = timezone.now()
    locked.updated_by = actor
    locked.version += 1
    locked.save(update_fields=["status", "cosigned_by", "cosigned_at", "updated_by", "version", "updated_at"])
    record_event(
        request, AuditAction.UPDATE, obj=locked, patient_id=locked.patient_id, user=actor, detail={"cosigned": True}
    )
    return locked


@transaction.atomic
def add_note_addendum(
    request: HttpRequest | None, note: ProgressNote, text: str, *, user: User | None = None
) -> NoteAddendum:
    """Append text to a signed note."""
    actor = user or request.user  # type: ignore[union-attr]
    locked = ProgressNote.objects.select_for_update().get(organization_id=note.organization_id, pk=note.pk)
    if locked.is_draft:
        raise NotSigned()
    text = text.strip()
    if not text:
        raise InvalidNote({"text": [_("Write the addendum.")]})
    if len(text) > MAX_ADDENDUM_CHARS:
        raise InvalidNote(
            {
                "text": [
                    _("The addendum is too long: %(length)s characters; the limit is %(limit)s.")
                    % {"length": len(text), "limit": MAX_ADDENDUM_CHARS}
                ]
            }
        )
    addendum = NoteAddendum.objects.create(organization_id=locked.organization_id, note=locked, text=text, author=actor)
    record_event(
        request,
        AuditAction.CREATE,
        obj=addendum,
        patient_id=locked.patient_id,
        user=actor,
        detail={"note": str(locked.pk)},
    )
    return addendum


def create_phrase(request: HttpRequest | None, shortcut: str, text: str, *, user: User | None = None) -> Phrase:
    """A personal phrase for the acting user. Shortcuts are unique per user."""
    actor = user or request.user  # type: ignore[union-attr]
    shortcut, text = shortcut.strip(), text.strip()
    errors: dict[str, list[str]] = {}
    if not shortcut or len(shortcut) > 20:
        errors["shortcut"] = [_("Enter a shortcut of 1 to 20 characters, such as .hv.")]
    if not text or len(text) > MAX_PHRASE_CHARS:
        errors["text"] = [_("Enter a text of 1 to %(limit)s characters.") % {"limit": MAX_PHRASE_CHARS}]
    if errors:
        raise InvalidNote(errors)
    try:
        with transaction.atomic():
            phrase = Phrase.objects.create(
                organization_id=actor.organization_id, owner=actor, shortcut=shortcut, text=text
            )
            record_event(request, AuditAction.CREATE, obj=phrase, user=actor, detail={"shortcut": shortcut})
    except IntegrityError:
        raise InvalidNote({"shortcut": [_("You already have a phrase with this shortcut.")]}) from None
    return phrase


MAX_TEMPLATE_NAME = 100


def _clean_template(name: str, note_format: str, sections: dict[str, str]) -> tuple[str, dict[str, str]]:
    errors: dict[str, list[str]] = {}
    name = name.strip()
    if not name or len(name) > MAX_TEMPLATE_NAME:
        errors["name"] = [_("Enter a name of 1 to %(limit)s characters.") % {"limit": MAX_TEMPLATE_NAME}]
    if note_format not in FORMATS:
        raise InvalidNote({**errors, "format": [_("Choose a note format.")]})
    try:
        clean = clean_sections(FORMATS[note_format], sections)
    except InvalidNote as exc:
        errors.update(exc.errors)
        clean = {}
    else:
        if not any(t.strip() for t in clean.values()):
            errors.setdefault("__all__", []).append(_("Write starter text for at least one section."))
    if errors:
        raise InvalidNote(errors)
    return name, clean


def _require_manager(actor: User) -> None:
    if actor.role not in TEMPLATE_MANAGER_ROLES:
        raise PermissionDenied


def create_note_template(
    request: HttpRequest | None, name: str, note_format: str, sections: dict[str, str], *, user: User | None = None
) -> NoteTemplate:
    """A new active template of the acting supervisor's or administrator's organization."""
    actor = user or request.user  # type: ignore[union-attr]
    _require_manager(actor)
    name, clean = _clean_template(name, note_format, sections)
    try:
        with transaction.atomic():
            template = NoteTemplate.objects.create(
                organization_id=actor.organization_id,
                name=name,
                format=note_format,
                sections=clean,
                updated_by=actor,
            )
            record_event(
                request, AuditAction.CREATE, obj=template, user=actor, detail={"format": note_format, "name": name}
            )
    except IntegrityError:
        raise InvalidNote({"name": [_("Your agency already has a template with this name.")]}) from None
    return template


def update_note_template(
    request: HttpRequest | None,
    template: NoteTemplate,
    *,
    name: str | None = None,
    sections: dict[str, str] | None = None,
    active: bool | None = None,
    user: User | None = None,
) -> NoteTemplate:
    """Rename, rewrite or (de)activate a template. Its format does not change: notes started from it keep theirs."""
    actor = user or request.user  # type: ignore[union-attr]
    _require_manager(actor)
    if template.organization_id != actor.organization_id:
        raise PermissionDenied
    new_name, clean = _clean_template(
        template.name if name is None else name, template.format, template.sections if sections is None else sections
    )
    try:
        with transaction.atomic():
            locked = NoteTemplate.objects.select_for_update().get(
                organization_id=template.organization_id, pk=template.pk
            )
            changed = []
            if new_name != locked.name:
                changed.append("name")
            if {**locked.sections, **clean} != locked.sections:
                changed.append("sections")
            if active is not None and active != locked.active:
                changed.append("active")
            if not changed:
                return locked
            locked.name = new_name
            locked.sections = {**locked.sections, **clean}
            if active is not None:
                locked.active = active
            locked.updated_by = actor
            locked.save(update_fields=["name", "sections", "active", "updated_by", "updated_at"])
            record_event(
                request,
                AuditAction.UPDATE,
                obj=locked,
                user=actor,
                detail={"changed": changed, "active": locked.active},
            )
    except IntegrityError:
        raise InvalidNote({"name": [_("Your agency already has a template with this name.")]}) from None
    return locked
