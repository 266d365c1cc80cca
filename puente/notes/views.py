"""Progress-note pages: a patient's notes, start one, edit (and autosave) a draft, sign, co-sign, addenda, phrases.

Pages that show the patient write one audit read event each; when the page shows a sensitive note, the event's
detail says so ({"sensitive": true}). Autosave is a write with its own audit row and renders a status fragment.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from puente.audit.models import AuditAction
from puente.audit.services import record_event
from puente.patients.models import Patient
from puente.patients.views import header_context

from . import services
from .forms import AddendumForm, NoteForm, PhraseForm, StartNoteForm, field_name
from .models import WRITER_ROLES, Phrase, ProgressNote
from .permissions import (
    get_note_for_user,
    get_patient_for_notes,
    get_rw_note_for_user,
    get_rw_patient_for_notes,
    may_cosign,
    may_sign,
    may_write_notes,
)

CONFLICT = 409


def render_note_page(
    request: HttpRequest, template: str, patient: Patient, ctx: dict, view: str, sensitive: bool = False
) -> HttpResponse:
    """Like patients.views.render_patient_page, with the sensitive mark in the one audit read event."""
    full = header_context(patient, request.user)
    full.update(ctx)
    detail: dict = {"view": view}
    if sensitive:
        detail["sensitive"] = True
    record_event(request, AuditAction.READ, obj=patient, patient_id=patient.pk, detail=detail)
    return render(request, template, full)


@login_required
def note_list(request: HttpRequest, patient_pk) -> HttpResponse:
    patient = get_patient_for_notes(request.user, patient_pk)
    notes = list(
        ProgressNote.objects.visible_to(request.user)
        .filter(patient=patient)
        .select_related("author", "signed_by", "cosigned_by")
        .annotate(addendum_count=Count("addenda"))
        .order_by("-contact_at", "-created_at")
    )
    return render_note_page(
        request,
        "notes/list.html",
        patient,
        {"notes": notes, "may_write": may_write_notes(request.user, patient)},
        view="notes",
        sensitive=any(n.sensitive for n in notes),
    )


@login_required
def note_start(request: HttpRequest, patient_pk) -> HttpResponse:
    patient = get_rw_patient_for_notes(request.user, patient_pk)
    form = StartNoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        note = services.start_note(
            request,
            patient,
            form.cleaned_data["format"],
            contact_at=form.cleaned_data["contact_at"],
            sensitive_reason=form.cleaned_data["sensitive_reason"],
        )
        messages.success(request, _("Draft started."))
        return redirect("notes:edit", pk=note.pk)
    return render_note_page(request, "notes/start.html", patient, {"form": form}, view="note_start")


def _render_edit(
    request: HttpRequest,
    note: ProgressNote,
    form: NoteForm,
    *,
    conflict: ProgressNote | None = None,
    locked: ProgressNote | None = None,
    status: int = 200,
) -> HttpResponse:
    """The draft form. On a conflict, the text sent stays in the boxes and the saved text is shown beside it."""
    sent = form.data if form.is_bound else {}
    sections = []
    for bound in form.section_fields():
        key = bound.field.section.key  # type: ignore[attr-defined]
        theirs = None
        if conflict is not None and form.is_bound:
            saved = conflict.sections.get(key, "")
            mine = sent.get(field_name(key))
            if mine is not None and mine.replace("\r\n", "\n") != saved:
                theirs = saved
        sections.append({"field": bound, "key": key, "theirs": theirs})
    phrases = list(Phrase.objects.visible_to(request.user))
    response = render_note_page(
        request,
        "notes/edit.html",
        note.patient,
        {
            "note": note,
            "form": form,
            "sections": sections,
            "conflict": conflict,
            "locked": locked,
            "phrases": phrases,
            "may_sign": may_sign(request.user, note),
        },
        view="note_edit",
        sensitive=note.sensitive,
    )
    response.status_code = status
    return response


def _rebound(request: HttpRequest, note: ProgressNote, current: ProgressNote) -> NoteForm:
    """The form as sent, now carrying the current version, so that the next save after merging goes through."""
    data = request.POST.copy()
    data["version"] = str(current.version)
    form = NoteForm(data, note_format=note.note_format)
    form.is_valid()
    return form


def _add_errors(form: NoteForm, errors: dict[str, list[str]]) -> None:
    for key, msgs in errors.items():
        target = field_name(key) if field_name(key) in form.fields else (key if key in form.fields else None)
        for msg in msgs:
            form.add_error(target, msg)


def _save(request: HttpRequest, note: ProgressNote, form: NoteForm, *, sign: bool) -> HttpResponse | None:
    """Save (or sign) from the edit form; a response when the page has to be shown again, else None."""
    if not note.is_draft:
        form.is_valid()
        return _render_edit(request, note, form, locked=note, status=CONFLICT)
    if not form.is_valid():
        return _render_edit(request, note, form)
    kwargs = {
        "version": form.cleaned_data["version"],
        "sections": form.sections(),
        "sensitive_reason": form.sent_sensitive_reason(),
        "editor": form.cleaned_data["editor"],
    }
    try:
        if sign:
            services.sign_note(request, note, **kwargs)
        else:
            services.save_note_draft(request, note, kwargs.pop("sections"), **kwargs)
    except services.StaleVersion as exc:
        return _render_edit(request, note, _rebound(request, note, exc.current), conflict=exc.current, status=CONFLICT)
    except services.NoteLocked as exc:
        return _render_edit(request, note, form, locked=exc.note, status=CONFLICT)
    except services.InvalidNote as exc:
        if sign:
            note.refresh_from_db()
            form = _rebound(request, note, note)
        _add_errors(form, exc.errors)
        return _render_edit(request, note, form)
    return None


@login_required
def note_edit(request: HttpRequest, pk) -> HttpResponse:
    note = get_rw_note_for_user(request.user, pk)
    if request.method != "POST":
        if not note.is_draft:
            return redirect("notes:detail", pk=note.pk)
        initial = {field_name(k): v for k, v in note.sections.items()}
        initial.update(version=note.version, sensitive_reason=note.sensitive_reason)
        return _render_edit(request, note, NoteForm(initial=initial, note_format=note.note_format))
    response = _save(request, note, NoteForm(request.POST, note_format=note.note_format), sign=False)
    if response is not None:
        return response
    messages.success(request, _("Draft saved."))
    return redirect("notes:edit", pk=note.pk)


@login_required
@require_POST
def note_sign(request: HttpRequest, pk) -> HttpResponse:
    """Save what the form holds and sign: the note is then locked."""
    note = get_rw_note_for_user(request.user, pk)
    if not may_sign(request.user, note):
        raise PermissionDenied
    response = _save(request, note, NoteForm(request.POST, note_format=note.note_format), sign=True)
    if response is not None:
        return response
    messages.success(request, _("Note signed and locked. Later additions are addenda."))
    return redirect("notes:detail", pk=note.pk)


@login_required
@require_POST
def note_autosave(request: HttpRequest, pk) -> HttpResponse:
    """Save the draft while the worker types; answer with a small status (and the new version, out of band)."""
    note = get_rw_note_for_user(request.user, pk)
    form = NoteForm(request.POST, note_format=note.note_format)

    def status(state: str, code: int = 200, **ctx) -> HttpResponse:
        return render(request, "notes/_autosave_status.html", {"state": state, **ctx}, status=code)

    if not note.is_draft:
        return status("locked", CONFLICT, note=note)
    if not form.is_valid():
        errors = [(form[name].label if name in form.fields else "", e) for name, es in form.errors.items() for e in es]
        return status("invalid", 422, errors=errors)
    try:
        saved = services.save_note_draft(
            request,
            note,
            form.sections(),
            version=form.cleaned_data["version"],
            sensitive_reason=form.sent_sensitive_reason(),
            editor=form.cleaned_data["editor"],
            autosave=True,
        )
    except services.StaleVersion as exc:
        return status("conflict", CONFLICT, current=exc.current)
    except services.NoteLocked as exc:
        return status("locked", CONFLICT, note=exc.note)
    except services.InvalidNote as exc:
        return status("invalid", 422, errors=[("", e) for es in exc.errors.values() for e in es])
    return status("saved", note=saved)


def _render_detail(
    request: HttpRequest, note: ProgressNote, addendum_form: AddendumForm | None = None, status: int = 200
) -> HttpResponse:
    may_write = may_write_notes(request.user, note.patient) and not note.is_draft
    response = render_note_page(
        request,
        "notes/detail.html",
        note.patient,
        {
            "note": note,
            "items": note.section_items(),
            "addenda": list(note.addenda.select_related("author")),
            "addendum_form": (addendum_form or AddendumForm()) if may_write else None,
            "may_edit": note.is_draft and request.user.role in WRITER_ROLES,
            "may_cosign": note.needs_cosign and may_cosign(request.user, note),
        },
        view="note_detail",
        sensitive=note.sensitive,
    )
    response.status_code = status
    return response


@login_required
def note_detail(request: HttpRequest, pk) -> HttpResponse:
    return _render_detail(request, get_note_for_user(request.user, pk))


@login_required
@require_POST
def note_cosign(request: HttpRequest, pk) -> HttpResponse:
    note = get_note_for_user(request.user, pk)
    if not may_cosign(request.user, note):
        raise PermissionDenied
    try:
        services.cosign_note(request, note)
    except services.NoteError as exc:
        messages.error(request, str(exc))
        return _render_detail(request, note, status=CONFLICT)
    messages.success(request, _("Note co-signed."))
    return redirect("notes:detail", pk=note.pk)


@login_required
@require_POST
def addendum_add(request: HttpRequest, pk) -> HttpResponse:
    note = get_rw_note_for_user(request.user, pk)
    form = AddendumForm(request.POST)
    if note.is_draft:
        messages.error(request, _("Addenda are added after signing. Edit the draft instead."))
        return _render_detail(request, note, status=CONFLICT)
    if form.is_valid():
        try:
            services.add_note_addendum(request, note, form.cleaned_data["text"])
        except services.InvalidNote as exc:
            for msgs in exc.errors.values():
                for msg in msgs:
                    form.add_error("text", msg)
        else:
            messages.success(request, _("Addendum added."))
            return redirect("notes:detail", pk=note.pk)
    return _render_detail(request, note, addendum_form=form)


@login_required
def phrase_list(request: HttpRequest) -> HttpResponse:
    """The worker's own phrases, and a form to add one."""
    if request.user.role not in WRITER_ROLES:
        raise PermissionDenied
    form = PhraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_phrase(request, form.cleaned_data["shortcut"], form.cleaned_data["text"])
        except services.InvalidNote as exc:
            _add_errors(form, exc.errors)  # type: ignore[arg-type]
        else:
            messages.success(request, _("Phrase added."))
            return redirect("notes:phrases")
    phrases = list(Phrase.objects.visible_to(request.user))
    return render(request, "notes/phrases.html", {"form": form, "phrases": phrases})
