"""Care plan pages: the plan (concerns → goals → interventions, reviews), add/edit forms (full pages that htmx
loads in place), and the patient's printed copy.

Every response that shows the patient writes one audit read event (a form fragment loaded by htmx too); writes
are audited by the services; the PDF is audited as an export.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from puente.audit.models import AuditAction
from puente.audit.services import record_event
from puente.core.forms import add_service_errors, refuse_idempotency_key
from puente.core.idempotency import IdempotencyConflict
from puente.notes.models import ProgressNote
from puente.patients.models import Patient
from puente.patients.views import render_patient_page
from puente.screening.models import HealthConcern

from . import services
from .categories import NOT_PRINTED, category_label
from .forms import (
    ConcernEditForm,
    ConcernForm,
    GoalEditForm,
    GoalForm,
    InterventionEditForm,
    InterventionForm,
    ProgressForm,
    ReviewForm,
)
from .models import PLAN_CONCERN_STATUSES, Goal, GoalProgress, Intervention, PlanReview
from .permissions import (
    get_patient_for_plan,
    get_rw_concern,
    get_rw_goal,
    get_rw_intervention,
    get_rw_patient_for_plan,
    may_write_plan,
    sees_full_plan,
)

CONFLICT = 409


def plan_url(patient_id, anchor: str = "") -> str:
    url = reverse("careplans:plan", args=[patient_id])
    return f"{url}#{anchor}" if anchor else url


@login_required
def care_plan(request: HttpRequest, patient_pk) -> HttpResponse:
    """The whole plan on one page, a fixed number of queries however long it is."""
    user = request.user
    patient = get_patient_for_plan(user, patient_pk)
    org = patient.organization_id
    full = sees_full_plan(user)
    concerns = list(
        HealthConcern.objects.filter(organization_id=org, patient=patient, status__in=PLAN_CONCERN_STATUSES)
        .select_related("source_response")
        .order_by("status", "created_at")
    )
    suggested = list(
        HealthConcern.objects.filter(organization_id=org, patient=patient, status=HealthConcern.Status.SUGGESTED)
        .select_related("source_response")
        .order_by("created_at")
    )
    goals = list(
        Goal.objects.filter(organization_id=org, patient=patient).select_related("updated_by").order_by("created_at")
    )
    items = list(
        Intervention.objects.filter(organization_id=org, patient=patient)
        .select_related("assignee")
        .order_by("created_at")
    )
    progress = (
        list(
            GoalProgress.objects.filter(organization_id=org, patient=patient)
            .select_related("author")
            .order_by("-noted_on", "-created_at")
        )
        if full
        else []
    )
    reviews = list(
        PlanReview.objects.filter(organization_id=org, patient=patient)
        .select_related("reviewer")
        .order_by("-reviewed_on", "-created_at")
    )
    # Evidence from a note is shown only where that note is visible to this user (never a sensitive one by accident).
    note_ids = {c.source_note_id for c in concerns if c.source_note_id}
    visible_notes = (
        set(ProgressNote.objects.visible_to(user).filter(pk__in=note_ids).values_list("pk", flat=True))
        if full and note_ids
        else set()
    )

    today = timezone.localdate()
    open_statuses = (Intervention.Status.PLANNED, Intervention.Status.IN_PROGRESS)
    items_by_goal: dict = {}
    for item in items:
        item.overdue = bool(item.due_date and item.due_date < today and item.status in open_statuses)
        items_by_goal.setdefault(item.goal_id, []).append(item)
    for c in suggested:
        c.label = category_label(c.category)
    progress_by_goal: dict = {}
    for entry in progress:
        progress_by_goal.setdefault(entry.goal_id, []).append(entry)
    goals_by_concern: dict = {}
    for goal in goals:
        goals_by_concern.setdefault(goal.concern_id, []).append(
            {
                "goal": goal,
                "interventions": items_by_goal.get(goal.pk, []),
                "progress": progress_by_goal.get(goal.pk, []),
            }
        )
    sections = [
        {
            "concern": c,
            "label": category_label(c.category),
            "goals": goals_by_concern.get(c.pk, []),
            "note_visible": c.source_note_id in visible_notes,
            "not_printed": c.category in NOT_PRINTED,
        }
        for c in concerns
    ]
    latest = reviews[0] if reviews else None
    return render_patient_page(
        request,
        "careplans/plan.html",
        patient,
        {
            "sections": sections,
            "suggested": suggested,
            "reviews": reviews,
            "latest_review": latest,
            "review_overdue": bool(latest and latest.next_review_due < today),
            "may_write": may_write_plan(user, patient),
            "full": full,
            "today": today,
        },
        view="care_plan",
    )


# Forms: one helper renders them as a page, or as a fragment when htmx asks -------------------------------------------


def _form_response(
    request: HttpRequest,
    patient: Patient,
    form,
    *,
    title: str,
    action: str,
    view: str,
    conflict=None,
    conflict_fields: tuple = (),
    status: int = 200,
) -> HttpResponse:
    ctx = {
        "form": form,
        "title": title,
        "action": action,
        "conflict": conflict,
        "conflict_values": _conflict_values(form, conflict, conflict_fields),
        "cancel_url": plan_url(patient.pk),
    }
    if request.htmx:
        # Focus moves into the form htmx just placed (htmx honours autofocus on swapped content).
        visible = form.visible_fields()
        if visible:
            visible[0].field.widget.attrs["autofocus"] = True
        # A fragment still shows the patient's plan: one read event, as for a page.
        record_event(request, AuditAction.READ, obj=patient, patient_id=patient.pk, detail={"view": view})
        response = render(request, "careplans/_form.html", {"patient": patient, **ctx})
    else:
        response = render_patient_page(request, "careplans/form_page.html", patient, ctx, view=view)
    response.status_code = status
    return response


def _conflict_values(form, current, fields) -> list[tuple[str, str]]:
    """What is saved now, for each field where it differs from what this user sent (shown beside their text)."""
    if current is None:
        return []
    out = []
    for name in fields:
        saved = getattr(current, name)
        display = getattr(current, f"get_{name}_display", None)
        shown = display() if display else ("" if saved is None else str(saved))
        sent = form.data.get(name, "")
        if str(sent).replace("\r\n", "\n").strip() != ("" if saved is None else str(saved)):
            out.append((str(form.fields[name].label) if name in form.fields else name, shown))
    return out


def _rebound(form_class, request: HttpRequest, current, **kwargs):
    """The form as sent, now carrying the current version: the next save after comparing goes through."""
    data = request.POST.copy()
    data["version"] = str(current.version)
    form = form_class(data, **kwargs)
    allowed = {value for value, _label in form.fields["status"].choices}
    if data.get("status") not in allowed:
        # The other save moved the status on: offer the statuses legal from there, starting with the saved one.
        data["status"] = current.status
    form.is_valid()
    return form


def _stale(obj, request: HttpRequest) -> bool:
    """The form was opened at an older version (checked when the form is invalid: a status the other save made
    illegal is a conflict to show, not an input error)."""
    return request.POST.get("version") != str(obj.version)


def _conflict(form_class, request, patient, current, title, action, view, fields, kwarg) -> HttpResponse:
    """409: the user's form as sent (now at the current version) beside what is saved now."""
    return _form_response(
        request,
        patient,
        _rebound(form_class, request, current, **{kwarg: current}),
        title=title,
        action=action,
        view=view,
        conflict=current,
        conflict_fields=fields,
        status=CONFLICT,
    )


def _done(request: HttpRequest, patient_id, anchor: str, message: str) -> HttpResponse:
    messages.success(request, message)
    if request.htmx:
        # The plan again, swapped in place of <main> and scrolled to the item saved (a redirect to the same page
        # with only a #fragment would not reload it). Rendering it is a page view: its own audit read event.
        response = care_plan(request, patient_id)
        response["HX-Retarget"] = "main"
        response["HX-Reselect"] = "main"
        response["HX-Reswap"] = f"outerHTML show:#{anchor}:top"
        current = urlsplit(request.htmx.current_url or "").path
        if current != plan_url(patient_id):
            # Saved from a form's own page (opened by its address): the address bar follows to the plan.
            response["HX-Push-Url"] = plan_url(patient_id)
        return response
    return redirect(plan_url(patient_id, anchor))


@dataclass(frozen=True)
class EditSpec:
    """How one kind of care-plan item is edited: the same version-checked flow for concerns, goals and
    interventions (see `_edit`)."""

    form_class: type
    kwarg: str  # the form's keyword argument for the record
    fields: tuple[str, ...]  # edited fields: the form's initial values and the service's keyword arguments
    conflict_fields: tuple[str, ...]  # shown beside the user's text on a conflict
    view: str  # the audit view name
    update: Callable
    anchor: str
    saved: Any  # the success message (lazy)


def _edit(request: HttpRequest, obj, spec: EditSpec, title: str, action: str) -> HttpResponse:
    """GET: the form at the saved values. POST: save through the service; a stale version (or a form opened at
    an older version that no longer validates) is a 409 showing the user's text beside what is saved now."""
    patient = obj.patient

    def respond(form):
        return _form_response(request, patient, form, title=title, action=action, view=spec.view)

    def conflict(current):
        return _conflict(
            spec.form_class, request, patient, current, title, action, spec.view, spec.conflict_fields, spec.kwarg
        )

    if request.method != "POST":
        initial = {"version": obj.version, **{f: getattr(obj, obj._meta.get_field(f).attname) for f in spec.fields}}
        return respond(spec.form_class(initial=initial, **{spec.kwarg: obj}))
    form = spec.form_class(request.POST, **{spec.kwarg: obj})
    if form.is_valid():
        data = form.cleaned_data
        try:
            spec.update(request, obj, version=data["version"], **{f: data[f] for f in spec.fields})
        except services.StaleVersion as exc:
            return conflict(exc.current)
        except services.InvalidPlan as exc:
            add_service_errors(form, exc.errors)
        else:
            return _done(request, patient.pk, f"{spec.anchor}-{obj.pk}", str(spec.saved))
    elif _stale(obj, request):
        return conflict(obj)
    return respond(form)


CONCERN_EDIT = EditSpec(
    ConcernEditForm,
    "concern",
    ("status", "icd10_code", "priority", "onset", "note"),
    ("status", "priority", "icd10_code", "note"),
    "care_plan_concern_edit",
    services.update_concern,
    "concern",
    gettext_lazy("Concern saved."),
)
GOAL_EDIT = EditSpec(
    GoalEditForm,
    "goal",
    ("text", "target_date", "status"),
    ("text", "target_date", "status"),
    "care_plan_goal_edit",
    services.update_goal,
    "goal",
    gettext_lazy("Goal saved."),
)
INTERVENTION_EDIT = EditSpec(
    InterventionEditForm,
    "item",
    ("kind", "description", "status", "assignee", "due_date"),
    ("kind", "description", "status", "due_date"),
    "care_plan_intervention_edit",
    services.update_intervention,
    "intervention",
    gettext_lazy("Intervention saved."),
)


@login_required
def concern_add(request: HttpRequest, patient_pk) -> HttpResponse:
    patient = get_rw_patient_for_plan(request.user, patient_pk)
    notes = (
        ProgressNote.objects.visible_to(request.user)
        .filter(organization_id=patient.organization_id, patient=patient)
        .order_by("-contact_at")[:50]
    )
    form = ConcernForm(request.POST or None, notes=notes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            concern = services.create_concern(
                request,
                patient,
                category=data["category"],
                icd10_code=data["icd10_code"],
                priority=data["priority"],
                onset=data["onset"],
                note=data["note"],
                source_note=data["source_note"],
                idempotency_key=data["idempotency_key"],
            )
        except IdempotencyConflict as exc:
            refuse_idempotency_key(form, exc.message)
        else:
            return _done(request, patient.pk, f"concern-{concern.pk}", _("Concern added."))
    return _form_response(
        request,
        patient,
        form,
        title=_("Add a concern"),
        action=reverse("careplans:concern_add", args=[patient.pk]),
        view="care_plan_concern_add",
    )


@login_required
def concern_edit(request: HttpRequest, pk) -> HttpResponse:
    concern = get_rw_concern(request.user, pk)
    title = _("Edit the concern: %(need)s") % {"need": category_label(concern.category)}
    return _edit(request, concern, CONCERN_EDIT, title, reverse("careplans:concern_edit", args=[concern.pk]))


@login_required
def goal_add(request: HttpRequest, patient_pk) -> HttpResponse:
    patient = get_rw_patient_for_plan(request.user, patient_pk)
    concerns = list(
        HealthConcern.objects.filter(
            organization_id=patient.organization_id, patient=patient, status__in=PLAN_CONCERN_STATUSES
        ).order_by("created_at")
    )
    initial = {"concern": request.GET.get("concern", "")}
    form = GoalForm(request.POST or None, initial=initial, concerns=concerns)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            goal = services.create_goal(
                request,
                patient,
                concern_id=data["concern"],
                text=data["text"],
                target_date=data["target_date"],
                status=data["status"],
                idempotency_key=data["idempotency_key"],
            )
        except services.InvalidPlan as exc:
            add_service_errors(form, exc.errors)
        except IdempotencyConflict as exc:
            refuse_idempotency_key(form, exc.message)
        else:
            return _done(request, patient.pk, f"goal-{goal.pk}", _("Goal added."))
    return _form_response(
        request,
        patient,
        form,
        title=_("Add a goal"),
        action=reverse("careplans:goal_add", args=[patient.pk]),
        view="care_plan_goal_add",
    )


@login_required
def goal_edit(request: HttpRequest, pk) -> HttpResponse:
    goal = get_rw_goal(request.user, pk)
    return _edit(request, goal, GOAL_EDIT, _("Edit the goal"), reverse("careplans:goal_edit", args=[goal.pk]))


@login_required
def progress_add(request: HttpRequest, pk) -> HttpResponse:
    goal = get_rw_goal(request.user, pk)
    form = ProgressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_goal_progress(
                request, goal, noted_on=form.cleaned_data["noted_on"], text=form.cleaned_data["text"]
            )
        except services.InvalidPlan as exc:
            add_service_errors(form, exc.errors)
        else:
            return _done(request, goal.patient_id, f"goal-{goal.pk}", _("Progress noted."))
    return _form_response(
        request,
        goal.patient,
        form,
        title=_("Note progress on the goal"),
        action=reverse("careplans:progress_add", args=[goal.pk]),
        view="care_plan_progress_add",
    )


@login_required
def intervention_add(request: HttpRequest, pk) -> HttpResponse:
    goal = get_rw_goal(request.user, pk)
    form = InterventionForm(request.POST or None, organization_id=goal.organization_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.create_intervention(
                request,
                goal,
                kind=data["kind"],
                description=data["description"],
                assignee=data["assignee"],
                due_date=data["due_date"],
                idempotency_key=data["idempotency_key"],
            )
        except services.InvalidPlan as exc:
            add_service_errors(form, exc.errors)
        except IdempotencyConflict as exc:
            refuse_idempotency_key(form, exc.message)
        else:
            return _done(request, goal.patient_id, f"intervention-{item.pk}", _("Intervention added."))
    return _form_response(
        request,
        goal.patient,
        form,
        title=_("Add an intervention"),
        action=reverse("careplans:intervention_add", args=[goal.pk]),
        view="care_plan_intervention_add",
    )


@login_required
def intervention_edit(request: HttpRequest, pk) -> HttpResponse:
    item = get_rw_intervention(request.user, pk)
    action = reverse("careplans:intervention_edit", args=[item.pk])
    return _edit(request, item, INTERVENTION_EDIT, _("Edit the intervention"), action)


@login_required
def review_add(request: HttpRequest, patient_pk) -> HttpResponse:
    patient = get_rw_patient_for_plan(request.user, patient_pk)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_plan_review(
                request,
                patient,
                reviewed_on=data["reviewed_on"],
                summary=data["summary"],
                next_review_due=data["next_review_due"],
            )
        except services.InvalidPlan as exc:
            add_service_errors(form, exc.errors)
        else:
            return _done(request, patient.pk, "reviews", _("Plan review recorded."))
    return _form_response(
        request,
        patient,
        form,
        title=_("Record a plan review"),
        action=reverse("careplans:review_add", args=[patient.pk]),
        view="care_plan_review_add",
    )


@login_required
def care_plan_pdf(request: HttpRequest, patient_pk) -> HttpResponse:
    """The patient's copy, in their language; writers only (it is handed to the patient)."""
    patient = get_rw_patient_for_plan(request.user, patient_pk)
    pdf = services.export_care_plan_pdf(request, patient)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="care-plan.pdf"'
    response["Cache-Control"] = "no-store"
    return response
