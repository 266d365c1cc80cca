"""Assessment pages: a patient's assessments, start one, edit (and autosave) a draft, sign it, read it with addenda.

Pages that show the patient write one audit read event each (render_patient_page); autosave is a write with its own
audit row and renders only a status fragment.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from puente.core.forms import add_service_errors
from puente.patients.views import render_patient_page

from . import services
from .forms import AddendumForm, AssessmentForm, StartAssessmentForm, field_name
from .models import Assessment
from .permissions import (
    get_assessment_for_user,
    get_patient_for_assessments,
    get_rw_assessment_for_user,
    get_rw_patient_for_assessments,
    may_sign,
    may_write_assessments,
)
from .sections import template_for_episode

CONFLICT = 409


@login_required
def assessment_list(request: HttpRequest, patient_pk) -> HttpResponse:
    patient = get_patient_for_assessments(request.user, patient_pk)
    assessments = list(
        Assessment.objects.filter(organization_id=patient.organization_id, patient=patient)
        .select_related("author", "signed_by")
        .annotate(addendum_count=Count("addenda"))
        .order_by("-created_at")
    )
    return render_patient_page(
        request,
        "assessments/list.html",
        patient,
        {"assessments": assessments, "may_write": may_write_assessments(request.user, patient)},
        view="assessments",
    )


@login_required
def assessment_start(request: HttpRequest, patient_pk) -> HttpResponse:
    """Choose the setting (the active episode's by default) and how it is done; the draft starts prefilled."""
    patient = get_rw_patient_for_assessments(request.user, patient_pk)
    episode = services.active_episode(patient)
    default = template_for_episode(episode.setting if episode else None)
    if default is None and request.user.organization.kind in ("hospital", "clinic"):
        default = "hospital"
    form = StartAssessmentForm(request.POST or None, initial={"setting": default})
    if request.method == "POST" and form.is_valid():
        assessment = services.start_assessment(
            request, patient, form.cleaned_data["setting"], mode=form.cleaned_data["mode"]
        )
        if assessment.prefilled_sections:
            messages.success(
                request,
                _(
                    "Draft started. Sections marked “Prefilled from the record” start with what the record holds: "
                    "check and edit them."
                ),
            )
        else:
            messages.success(request, _("Draft started."))
        return redirect("assessments:edit", pk=assessment.pk)
    drafts = list(
        Assessment.objects.filter(organization_id=patient.organization_id, patient=patient)
        .drafts()
        .select_related("author")
    )
    return render_patient_page(
        request,
        "assessments/start.html",
        patient,
        {"form": form, "drafts": drafts, "episode_default": default if episode else None},
        view="assessment_start",
    )


def _render_edit(
    request: HttpRequest,
    assessment: Assessment,
    form: AssessmentForm,
    *,
    conflict: Assessment | None = None,
    locked: Assessment | None = None,
    incomplete: bool = False,
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
            if mine is not None and mine.replace("\r\n", "\n") != saved.replace("\r\n", "\n"):
                theirs = saved
        sections.append(
            {"field": bound, "key": key, "prefilled": key in assessment.prefilled_sections, "theirs": theirs}
        )
    prefilled_titles = [str(s.title) for s in assessment.template.sections if s.key in assessment.prefilled_sections]
    response = render_patient_page(
        request,
        "assessments/edit.html",
        assessment.patient,
        {
            "assessment": assessment,
            "form": form,
            "sections": sections,
            "prefilled_titles": prefilled_titles,
            "conflict": conflict,
            "locked": locked,
            "incomplete": incomplete,
            "may_sign": may_sign(request.user, assessment),
        },
        view="assessment_edit",
    )
    response.status_code = status
    return response


def _rebound(request: HttpRequest, assessment: Assessment, current: Assessment) -> AssessmentForm:
    """The form as sent, now carrying the current version, so that the next save after merging goes through."""
    data = request.POST.copy()
    data["version"] = str(current.version)
    form = AssessmentForm(data, template=assessment.template)
    form.is_valid()
    return form


def _initial_form(assessment: Assessment) -> AssessmentForm:
    initial = {field_name(k): v for k, v in assessment.sections.items()}
    initial.update(version=assessment.version, mode=assessment.mode)
    return AssessmentForm(initial=initial, template=assessment.template)


@login_required
def assessment_edit(request: HttpRequest, pk) -> HttpResponse:
    assessment = get_rw_assessment_for_user(request.user, pk)
    if request.method != "POST":
        if not assessment.is_draft:
            return redirect("assessments:detail", pk=assessment.pk)
        return _render_edit(request, assessment, _initial_form(assessment))
    form = AssessmentForm(request.POST, template=assessment.template)
    if not assessment.is_draft:
        form.is_valid()
        return _render_edit(request, assessment, form, locked=assessment, status=CONFLICT)
    if not form.is_valid():
        return _render_edit(request, assessment, form)
    try:
        services.save_assessment_draft(
            request,
            assessment,
            form.sections(),
            version=form.cleaned_data["version"],
            mode=form.cleaned_data["mode"],
            editor=form.cleaned_data["editor"],
        )
    except services.StaleVersion as exc:
        return _render_edit(
            request, assessment, _rebound(request, assessment, exc.current), conflict=exc.current, status=CONFLICT
        )
    except services.AssessmentLocked as exc:
        return _render_edit(request, assessment, form, locked=exc.assessment, status=CONFLICT)
    except services.InvalidSections as exc:
        add_service_errors(form, exc.errors, field_name)
        return _render_edit(request, assessment, form)
    messages.success(request, _("Draft saved."))
    return redirect("assessments:edit", pk=assessment.pk)


@login_required
@require_POST
def assessment_autosave(request: HttpRequest, pk) -> HttpResponse:
    """Save the draft while the worker types; answer with a small status (and the new version, out of band)."""
    assessment = get_rw_assessment_for_user(request.user, pk)
    form = AssessmentForm(request.POST, template=assessment.template)

    def status(state: str, code: int = 200, **ctx) -> HttpResponse:
        return render(request, "assessments/_autosave_status.html", {"state": state, **ctx}, status=code)

    if not assessment.is_draft:
        return status("locked", CONFLICT, assessment=assessment)
    if not form.is_valid():
        errors = [(form[name].label if name in form.fields else "", e) for name, es in form.errors.items() for e in es]
        return status("invalid", 422, errors=errors)
    try:
        saved = services.save_assessment_draft(
            request,
            assessment,
            form.sections(),
            version=form.cleaned_data["version"],
            mode=form.cleaned_data["mode"],
            editor=form.cleaned_data["editor"],
            autosave=True,
        )
    except services.StaleVersion as exc:
        return status("conflict", CONFLICT, current=exc.current)
    except services.AssessmentLocked as exc:
        return status("locked", CONFLICT, assessment=exc.assessment)
    except services.InvalidSections as exc:
        return status("invalid", 422, errors=[("", e) for es in exc.errors.values() for e in es])
    return status("saved", assessment=saved)


@login_required
@require_POST
def assessment_sign(request: HttpRequest, pk) -> HttpResponse:
    """Save what the form holds and sign: the assessment is then locked."""
    assessment = get_rw_assessment_for_user(request.user, pk)
    if not may_sign(request.user, assessment):
        raise PermissionDenied
    form = AssessmentForm(request.POST, template=assessment.template)
    if not assessment.is_draft:
        form.is_valid()
        return _render_edit(request, assessment, form, locked=assessment, status=CONFLICT)
    if not form.is_valid():
        return _render_edit(request, assessment, form)
    try:
        services.sign_assessment(
            request,
            assessment,
            version=form.cleaned_data["version"],
            sections=form.sections(),
            mode=form.cleaned_data["mode"],
            editor=form.cleaned_data["editor"],
        )
    except services.StaleVersion as exc:
        return _render_edit(
            request, assessment, _rebound(request, assessment, exc.current), conflict=exc.current, status=CONFLICT
        )
    except services.AssessmentLocked as exc:
        return _render_edit(request, assessment, form, locked=exc.assessment, status=CONFLICT)
    except services.InvalidSections as exc:
        add_service_errors(form, exc.errors, field_name)
        return _render_edit(request, assessment, form)
    except services.IncompleteAssessment as exc:
        form = _rebound(request, assessment, exc.current)
        for key in exc.missing:
            form.add_error(field_name(key), _("Write this section before signing."))
        return _render_edit(request, exc.current, form, incomplete=True)
    messages.success(request, _("Assessment signed and locked. Later additions are addenda."))
    return redirect("assessments:detail", pk=assessment.pk)


def _render_detail(
    request: HttpRequest, assessment: Assessment, addendum_form: AddendumForm | None = None, status: int = 200
) -> HttpResponse:
    may_write = may_write_assessments(request.user, assessment.patient)
    if addendum_form is None and may_write and not assessment.is_draft:
        addendum_form = AddendumForm()
    response = render_patient_page(
        request,
        "assessments/detail.html",
        assessment.patient,
        {
            "assessment": assessment,
            "items": assessment.section_items(),
            "addenda": list(assessment.addenda.select_related("author")),
            "addendum_form": addendum_form if may_write and not assessment.is_draft else None,
            "may_edit": may_write and assessment.is_draft,
        },
        view="assessment_detail",
    )
    response.status_code = status
    return response


@login_required
def assessment_detail(request: HttpRequest, pk) -> HttpResponse:
    return _render_detail(request, get_assessment_for_user(request.user, pk))


@login_required
@require_POST
def addendum_add(request: HttpRequest, pk) -> HttpResponse:
    assessment = get_rw_assessment_for_user(request.user, pk)
    form = AddendumForm(request.POST)
    if assessment.is_draft:
        messages.error(request, _("Addenda are added after signing. Edit the draft instead."))
        return _render_detail(request, assessment, status=CONFLICT)
    if form.is_valid():
        try:
            services.add_addendum(request, assessment, form.cleaned_data["text"])
        except services.InvalidSections as exc:
            for msgs in exc.errors.values():
                for msg in msgs:
                    form.add_error("text", msg)
        else:
            messages.success(request, _("Addendum added."))
            return redirect("assessments:detail", pk=assessment.pk)
    return _render_detail(request, assessment, addendum_form=form)
