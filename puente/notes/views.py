"""Progress-note pages: a patient's notes, start one, edit (and autosave) a draft, sign, co-sign, addenda, phrases.

Pages that show the patient write one audit read event each; when the page shows a sensitive note, the event's
detail says so ({"sensitive": true}). Autosave is a write with its own audit row and renders a status fragment.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from puente.audit.models import AuditAction
from puente.audit.services import record_event
from puente.core.forms import add_service_errors, refuse_idempotency_key
from puente.core.idempotency import IdempotencyConflict
from puente.patients.models import Patient
from puente.patients.views import header_context

from . import services
from .formats import FORMATS
from .forms import (
    AddendumForm,
    NoteForm,
    NoteTemplateForm,
    PhraseForm,
    StartNoteForm,
    TemplateFormatForm,
    field_name,
)
from .models import TEMPLATE_MANAGER_ROLES, WRITER_ROLES, NoteTemplate, Phrase, ProgressNote
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
        .select_related("author")  # the list shows the author only; signers are on the note's own page
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
    form = StartNoteForm(
        request.POST or None,
        templates=NoteTemplate.objects.usable_by(request.user).filter(organization_id=patient.organization_id),
        sources=services.copy_forward_sources(request.user, patient),
    )
    if request.method == "POST" and form.is_valid():
        try:
            note = services.start_note(
                request,
                patient,
                form.cleaned_data["format"],
                contact_at=form.cleaned_data["contact_at"],
                sensitive_reason=form.cleaned_data["sensitive_reason"],
                copy_from=form.cleaned_data.get("copy_from"),
                template=form.cleaned_data.get("template"),
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except services.InvalidNote as exc:
            add_service_errors(form, exc.errors, field_name)  # type: ignore[arg-type]
        except IdempotencyConflict as exc:
            refuse_idempotency_key(form, exc.message)
        else:
            messages.success(request, _("Draft started."))
            return redirect("notes:edit", pk=note.pk)
    ctx = {"form": form, "may_manage_templates": request.user.role in TEMPLATE_MANAGER_ROLES}
    return render_note_page(request, "notes/start.html", patient, ctx, view="note_start")


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
        fresh = bound.field.section.fresh  # type: ignore[attr-defined]
        if note.copied_from_id:
            # The "carried over / today's contact" hint under the label is read with the text box.
            bound.field.widget.attrs["aria-describedby"] = f"hint-{key}"
        sections.append({"field": bound, "key": key, "theirs": theirs, "fresh": fresh})
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
        add_service_errors(form, exc.errors, field_name)
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
            add_service_errors(form, exc.errors, field_name)  # type: ignore[arg-type]
        else:
            messages.success(request, _("Phrase added."))
            return redirect("notes:phrases")
    phrases = list(Phrase.objects.visible_to(request.user))
    return render(request, "notes/phrases.html", {"form": form, "phrases": phrases})


def _require_template_manager(user) -> None:
    if user.role not in TEMPLATE_MANAGER_ROLES:
        raise PermissionDenied


def _get_managed_template(user, pk) -> NoteTemplate:
    _require_template_manager(user)
    try:
        return NoteTemplate.objects.managed_by(user).get(pk=pk)
    except (NoteTemplate.DoesNotExist, ValueError):
        raise Http404 from None


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    """The agency's note templates, active and not (supervisors and administrators)."""
    _require_template_manager(request.user)
    templates = list(NoteTemplate.objects.managed_by(request.user).select_related("updated_by"))
    return render(request, "notes/templates.html", {"templates": templates})


def _render_template_form(request, form, *, template=None, status: int = 200) -> HttpResponse:
    return render(
        request,
        "notes/template_form.html",
        {"form": form, "template": template, "note_format": form.note_format},
        status=status,
    )


@login_required
def template_add(request: HttpRequest) -> HttpResponse:
    """Step one (no format yet): choose the format. Step two: the name and each section's starter text."""
    _require_template_manager(request.user)
    fmt_key = request.POST.get("format") or request.GET.get("format")
    if fmt_key not in FORMATS:
        format_form = TemplateFormatForm(request.GET if "format" in request.GET else None)
        format_form.is_valid()
        return render(request, "notes/template_format.html", {"form": format_form})
    form = NoteTemplateForm(request.POST or None, note_format=FORMATS[fmt_key])
    if request.method == "POST" and form.is_valid():
        try:
            services.create_note_template(request, form.cleaned_data["name"], fmt_key, form.sections())
        except services.InvalidNote as exc:
            add_service_errors(form, exc.errors, field_name)
        else:
            messages.success(request, _("Template added."))
            return redirect("notes:templates")
    return _render_template_form(request, form)


@login_required
def template_edit(request: HttpRequest, pk) -> HttpResponse:
    template = _get_managed_template(request.user, pk)
    if request.method == "POST":
        form = NoteTemplateForm(request.POST, note_format=template.note_format)
        if form.is_valid():
            try:
                services.update_note_template(
                    request, template, name=form.cleaned_data["name"], sections=form.sections()
                )
            except services.InvalidNote as exc:
                add_service_errors(form, exc.errors, field_name)
            else:
                messages.success(request, _("Template saved."))
                return redirect("notes:templates")
    else:
        initial = {field_name(k): v for k, v in template.sections.items()} | {"name": template.name}
        form = NoteTemplateForm(initial=initial, note_format=template.note_format)
    return _render_template_form(request, form, template=template)


@login_required
@require_POST
def template_set_active(request: HttpRequest, pk) -> HttpResponse:
    """Deactivate (active=0) or reactivate (active=1) a template; notes started from it are unchanged."""
    template = _get_managed_template(request.user, pk)
    active = request.POST.get("active")
    if active not in ("0", "1"):
        messages.error(request, _("Choose to deactivate or reactivate the template."))
        return redirect("notes:templates")
    services.update_note_template(request, template, active=active == "1")
    if active == "1":
        messages.success(request, _("Template reactivated."))
    else:
        messages.success(request, _("Template deactivated. It is no longer offered for new notes."))
    return redirect("notes:templates")
