"""Time pages: a patient's time (timer, entries, the month's roll-up, CHI/PIN enrolment), editing an entry, a
worker's month, the team month with its CSV export and month closing.

Pages that show a patient write one audit read event (`render_patient_page`); the team month names the patients
it shows in its read event, and the export is audited as an export.
"""

import csv
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from puente.audit.models import AuditAction
from puente.audit.services import record_event
from puente.audit.views import csv_safe
from puente.core.forms import add_service_errors
from puente.notes.models import ProgressNote
from puente.patients.views import render_patient_page

from . import services
from .forms import EntryForm, ProgramForm, TimerForm, parse_month, this_month
from .models import BillingProgram, ProgramFamily
from .permissions import (
    get_own_entry,
    get_patient_for_time,
    get_rw_patient_for_time,
    may_write_time,
    require_billing_role,
    require_timekeeper,
)
from .rollups import REASON_LABELS, activity_rows, patient_month_view, team_month, worker_month


def _month(request: HttpRequest) -> tuple[date, date]:
    """The month asked for (?month=YYYY-MM), else this month; a malformed value is said, not silently replaced."""
    value = request.GET.get("month")
    bounds = parse_month(value) if value else None
    if value and bounds is None:
        messages.error(request, _("“%(value)s” is not a month (YYYY-MM); showing this month.") % {"value": value[:20]})
    return bounds or this_month()


def _month_nav(first: date) -> dict:
    prev = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return {"first": first, "prev": f"{prev:%Y-%m}", "next": f"{nxt:%Y-%m}", "current": f"{first:%Y-%m}"}


def _progress_notes(user, patient):
    """The patient's notes this user may read, newest first: what an entry may link to."""
    return (
        ProgressNote.objects.visible_to(user)
        .filter(organization_id=patient.organization_id, patient=patient)
        .order_by("-contact_at")
    )


def _reason_labels(result) -> list[str]:
    return [str(REASON_LABELS.get(r, r)) for r in result.reasons]


def _patient_page(
    request: HttpRequest,
    patient,
    entry_form: EntryForm | None = None,
    program_form: tuple[str, ProgramForm] | None = None,
    status: int = 200,
):
    first, last = _month(request)
    user = request.user
    month = patient_month_view(user, patient, first, last)
    may_write = may_write_time(user, patient)
    programs = {
        p.family: p for p in BillingProgram.objects.filter(organization_id=patient.organization_id, patient=patient)
    }
    program_forms = []
    for family, label in ProgramFamily.choices:
        p = programs.get(family)
        initial = {k: getattr(p, k) for k in services.PROGRAM_FIELDS} if p else {}
        form = ProgramForm(prefix=family, initial=initial)
        if program_form is not None and program_form[0] == family:
            form = program_form[1]  # sent with an error: shown again as typed
        program_forms.append({"family": family, "label": label, "form": form, "open": p is not None or form.is_bound})
    ctx = {
        "month": _month_nav(first),
        "entries": month.entries,
        "rollup": month.rollup,
        "activity_rows": activity_rows(month.rollup.minutes_by_activity),
        "monthly": [(r, _reason_labels(r)) for r in month.rollup.monthly],
        "closed": month.closed,
        "may_write": may_write,
        "timer": services.running_timer(user) if may_write else None,
        "timer_form": TimerForm(),
        "entry_form": entry_form or EntryForm(progress_notes=_progress_notes(user, patient)),
        "program_forms": program_forms if may_write else [],
        "programs": programs,
    }
    response = render_patient_page(request, "timekeeping/patient.html", patient, ctx, view="time")
    response.status_code = status
    return response


@login_required
def patient_time(request: HttpRequest, patient_pk) -> HttpResponse:
    if request.method != "POST":
        return _patient_page(request, get_patient_for_time(request.user, patient_pk))
    patient = get_rw_patient_for_time(request.user, patient_pk)
    form = EntryForm(request.POST, progress_notes=_progress_notes(request.user, patient))
    if form.is_valid():
        try:
            entry = services.create_time_entry(
                request,
                patient=patient,
                activity=form.cleaned_data["activity"],
                started_at=form.cleaned_data["started_at"],
                ended_at=form.cleaned_data["ended_at"],
                billing_code=form.cleaned_data["billing"],
                note=form.cleaned_data["note"],
                progress_note=form.cleaned_data["progress_note"],
            )
        except services.TimeError as exc:
            add_service_errors(form, exc.errors)
        else:
            messages.success(request, _("Time added: %(minutes)s min.") % {"minutes": entry.minutes})
            url = reverse("timekeeping:patient", args=[patient.pk])
            return redirect(f"{url}?month={entry.service_date:%Y-%m}")
    return _patient_page(request, patient, entry_form=form, status=422)


def _timer_fragment(request: HttpRequest, patient, *, error: str = "") -> HttpResponse:
    ctx = {
        "patient": patient,
        "timer": services.running_timer(request.user),
        "timer_form": TimerForm(request.POST if error else None),
        "timer_error": error,
    }
    return render(request, "timekeeping/_timer.html", ctx)


@login_required
@require_POST
def timer_start(request: HttpRequest, patient_pk) -> HttpResponse:
    patient = get_rw_patient_for_time(request.user, patient_pk)
    form = TimerForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.start_timer(
                request, patient, form.cleaned_data["activity"], billing_code=form.cleaned_data["billing"]
            )
        except services.TimeError as exc:
            error = str(exc)
    else:
        error = _("Choose an activity from the list.")
    if request.htmx:
        # 200 even on an error: htmx swaps only successful responses, and the message has to be seen.
        return _timer_fragment(request, patient, error=error)
    if error:
        messages.error(request, error)
    return redirect("timekeeping:patient", patient_pk=patient.pk)


@login_required
@require_POST
def timer_stop(request: HttpRequest, patient_pk) -> HttpResponse:
    """Stop the worker's timer (wherever it was started) and come back to the page, whose roll-up now has it."""
    patient = get_rw_patient_for_time(request.user, patient_pk)
    try:
        entry = services.stop_timer(request)
    except services.TimeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Timer stopped: %(minutes)s min recorded.") % {"minutes": entry.minutes})
    url = reverse("timekeeping:patient", args=[patient.pk])
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@login_required
@require_POST
def timer_discard(request: HttpRequest, patient_pk) -> HttpResponse:
    patient = get_rw_patient_for_time(request.user, patient_pk)
    try:
        services.discard_timer(request)
    except services.TimeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Timer discarded."))
    return redirect("timekeeping:patient", patient_pk=patient.pk)


@login_required
@require_POST
def program_save(request: HttpRequest, patient_pk, family: str) -> HttpResponse:
    patient = get_rw_patient_for_time(request.user, patient_pk)
    if family not in ProgramFamily.values:
        raise Http404
    form = ProgramForm(request.POST, prefix=family)
    if form.is_valid():
        try:
            services.save_billing_program(request, patient, family, **form.cleaned_data)
        except services.TimeError as exc:
            add_service_errors(form, exc.errors)
        else:
            messages.success(request, _("Enrolment saved."))
            return redirect("timekeeping:patient", patient_pk=patient.pk)
    return _patient_page(request, patient, program_form=(family, form), status=422)


def _render_edit(request: HttpRequest, entry, form: EntryForm, status: int = 200) -> HttpResponse:
    ctx = {"entry": entry, "form": form}
    if entry.patient is not None:
        response = render_patient_page(request, "timekeeping/edit.html", entry.patient, ctx, view="time_entry_edit")
    else:
        response = render(request, "timekeeping/edit.html", ctx)
    response.status_code = status
    return response


def _back(entry) -> str:
    if entry.patient_id:
        return f"{reverse('timekeeping:patient', args=[entry.patient_id])}?month={entry.service_date:%Y-%m}"
    return f"{reverse('timekeeping:mine')}?month={entry.service_date:%Y-%m}"


@login_required
def entry_edit(request: HttpRequest, pk) -> HttpResponse:
    entry = get_own_entry(request.user, pk)
    if entry.is_running:
        messages.error(request, _("Stop the timer before editing this entry."))
        return redirect(_back(entry))
    kwargs = {"with_billing": False}
    if entry.patient is not None:
        kwargs = {"with_billing": True, "progress_notes": _progress_notes(request.user, entry.patient)}
    if request.method != "POST":
        return _render_edit(request, entry, EntryForm(initial=EntryForm.initial_for(entry), **kwargs))
    form = EntryForm(request.POST, **kwargs)
    if form.is_valid():
        try:
            entry = services.update_time_entry(
                request,
                entry,
                activity=form.cleaned_data["activity"],
                started_at=form.cleaned_data["started_at"],
                ended_at=form.cleaned_data["ended_at"],
                billing_code=form.cleaned_data.get("billing", ""),
                note=form.cleaned_data["note"],
                progress_note=form.cleaned_data.get("progress_note"),
            )
        except services.TimeError as exc:
            add_service_errors(form, exc.errors)
        else:
            messages.success(request, _("Entry saved."))
            return redirect(_back(entry))
    return _render_edit(request, entry, form, status=422)


@login_required
@require_POST
def entry_delete(request: HttpRequest, pk) -> HttpResponse:
    entry = get_own_entry(request.user, pk)
    try:
        services.delete_time_entry(request, entry)
    except services.TimeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Entry removed."))
    return redirect(_back(entry))


@login_required
def my_time(request: HttpRequest) -> HttpResponse:
    """The worker's month: every entry, minutes per activity, and time without a patient (travel, meetings)."""
    require_timekeeper(request.user)
    form = EntryForm(request.POST or None, with_billing=False)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                entry = services.create_time_entry(
                    request,
                    patient=None,
                    activity=form.cleaned_data["activity"],
                    started_at=form.cleaned_data["started_at"],
                    ended_at=form.cleaned_data["ended_at"],
                    note=form.cleaned_data["note"],
                )
            except services.TimeError as exc:
                add_service_errors(form, exc.errors)
            else:
                messages.success(request, _("Time added: %(minutes)s min.") % {"minutes": entry.minutes})
                return redirect(_back(entry))
        status = 422
    first, last = _month(request)
    entries = worker_month(request.user, first, last)
    totals: dict[str, int] = {}
    for e in entries:
        totals[e.activity] = totals.get(e.activity, 0) + e.minutes
    patient_ids = sorted({str(e.patient_id) for e in entries if e.patient_id})
    record_event(request, AuditAction.READ, object_type="timekeeping.my_time", detail={"patients": patient_ids})
    ctx = {
        "month": _month_nav(first),
        "entries": entries,
        "activity_rows": activity_rows(totals),
        "total": sum(totals.values()),
        "form": form,
    }
    return render(request, "timekeeping/mine.html", ctx, status=status)


@login_required
def team_time(request: HttpRequest) -> HttpResponse:
    require_billing_role(request.user)
    first, last = _month(request)
    month = team_month(request.user, first, last)
    record_event(
        request,
        AuditAction.READ,
        object_type="timekeeping.team_month",
        detail={"month": f"{first:%Y-%m}", "patients": sorted(str(p.pk) for p, _r in month.patients)},
    )
    patients = [(p, r, [(m, _reason_labels(m)) for m in r.monthly]) for p, r in month.patients]
    return render(
        request,
        "timekeeping/team.html",
        {
            "month": _month_nav(first),
            "team": month,
            "patients": patients,
            "may_close": not month.closed and services.month_has_ended(first),
        },
    )


EXPORT_HEADER = [
    "month",
    "patient_id",
    "patient_name",
    "birth_date",
    "code",
    "units",
    "minutes",
    "date_of_service",
    "worker",
    "billable",
    "reasons",
]


@login_required
def team_export(request: HttpRequest) -> HttpResponse:
    """The month's billing lines as CSV: one row per G0155 visit, per CHI/PIN code (or the reasons a family's
    month is not billable) and per G0136 count. Cells a spreadsheet would run as a formula are neutralized."""
    require_billing_role(request.user)
    first, last = _month(request)
    month = team_month(request.user, first, last)
    rows = []
    for p, r in month.patients:
        base = [f"{first:%Y-%m}", str(p.pk), f"{p.legal_family_name}, {p.legal_given_name}", p.birth_date or ""]
        for line in r.g0155:
            rows.append([*base, "G0155", line.units, line.minutes, line.service_date, line.worker, "yes", ""])
        for m in r.monthly:
            if m.billable:
                rows += [[*base, code, units, m.minutes, f"{first:%Y-%m}", "", "yes", ""] for code, units in m.lines]
            else:
                rows.append([*base, m.family, 0, m.minutes, f"{first:%Y-%m}", "", "no", "; ".join(m.reasons)])
        if r.g0136_count:
            rows.append([*base, "G0136", r.g0136_count, "", f"{first:%Y-%m}", "", "yes", ""])
    services.record_export(request, first, [str(p.pk) for p, _r in month.patients], len(rows))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="puente-time-{first:%Y-%m}.csv"'
    writer = csv.writer(response)
    writer.writerow(EXPORT_HEADER)
    for row in rows:
        writer.writerow([csv_safe(v) for v in row])
    return response


@login_required
@require_POST
def month_close(request: HttpRequest) -> HttpResponse:
    require_billing_role(request.user)
    bounds = parse_month(request.POST.get("month"))
    if bounds is None:
        messages.error(request, _("Choose a month (YYYY-MM)."))
        return redirect("timekeeping:team")
    try:
        services.close_month(request, bounds[0])
    except services.TimeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("%(month)s is closed; its time can no longer change.") % {"month": f"{bounds[0]:%Y-%m}"}
        )
    return redirect(f"{reverse('timekeeping:team')}?month={bounds[0]:%Y-%m}")
