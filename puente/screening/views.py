"""Screening pages: choose, administer, results with trend, concerns, crisis alerts, safety plan."""

import uuid
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from puente.patients.permissions import get_patient_for_user
from puente.patients.views import render_patient_page

from . import labels, services
from .charts import trend_svg
from .forms import ConcernDecisionForm, InstrumentForm, ResolveAlertForm, SafetyPlanForm, SelfLinkForm, field_name
from .library import all_instruments, get_instrument
from .models import CrisisAlert, HealthConcern, Mode, ScreeningResponse
from .permissions import sees_item_answers

MAX_TOTAL = {"phq9": 27, "phq2": 6, "gad7": 21, "gad2": 6, "lace": 19, "hospital_score": 13}
HISTORY_LIMIT = 100


def _may_screen(user) -> bool:
    # Nurses often do the PHQ-2 at admission, so the care team may administer screens too.
    return user.is_clinical_staff


def _language(request: HttpRequest, patient) -> str:
    wanted = request.GET.get("lang") or request.POST.get("lang")
    if wanted in ("en", "es"):
        return wanted
    return "es" if patient.preferred_language == "es" else "en"


@login_required
def screening_index(request: HttpRequest, patient_pk) -> HttpResponse:
    """The patient's screens by instrument, newest first, with a trend for scored instruments."""
    patient = get_patient_for_user(request.user, patient_pk)
    responses = list(
        ScreeningResponse.objects.filter(organization_id=patient.organization_id, patient=patient)
        .select_related("performer")
        .order_by("-effective_at")[:HISTORY_LIMIT]
    )
    instruments = all_instruments()
    groups: dict[str, list[ScreeningResponse]] = defaultdict(list)
    for r in responses:
        groups[r.instrument_id].append(r)
    sections = []
    for instrument_id, items in groups.items():
        inst = instruments.get(instrument_id, {"short_title": {"en": instrument_id}, "title": {"en": instrument_id}})
        scored = [(r.effective_at, r.total) for r in reversed(items) if r.total is not None]
        chart = ""
        if instrument_id in MAX_TOTAL and len(scored) >= 2:
            title = _("%(name)s totals over time") % {"name": inst["short_title"]["en"]}
            chart = mark_safe(trend_svg(scored, MAX_TOTAL[instrument_id], title))  # noqa: S308 - built from numbers
        sections.append({"instrument": inst, "responses": items, "chart": chart})
    choices = [i for i in instruments.values() if "staff" in i.get("administration", ["staff"])]
    return render_patient_page(
        request,
        "screening/index.html",
        patient,
        {
            "sections": sections,
            "choices": choices,
            "may_screen": _may_screen(request.user),
            "band_label": labels.band_label,
        },
        view="screenings",
    )


@login_required
def screening_new(request: HttpRequest, patient_pk, instrument_id: str) -> HttpResponse:
    patient = get_patient_for_user(request.user, patient_pk)
    if not _may_screen(request.user):
        raise PermissionDenied
    try:
        instrument = get_instrument(instrument_id)
    except LookupError:
        raise Http404 from None
    language = _language(request, patient)
    form = InstrumentForm(
        request.POST or None, instrument=instrument, language=language, initial={"idempotency_key": uuid.uuid4().hex}
    )
    if request.method == "POST" and form.is_valid():
        try:
            submission = services.submit_screening(
                request,
                patient,
                instrument_id,
                form.answers(),
                mode=form.cleaned_data["mode"],
                language=language,
                proxy_name=form.cleaned_data["proxy_name"],
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except services.InvalidAnswers as exc:
            for code, errors in exc.errors.items():
                target = field_name(code) if field_name(code) in form.fields else None
                for error in errors:
                    form.add_error(target, error)
        else:
            if submission.alerts:
                messages.error(request, _("Crisis alert raised. Act now: the patient must not leave without a plan."))
            else:
                messages.success(request, _("Screening saved."))
            return redirect("screening:detail", pk=submission.response.pk)
    translation = instrument["translation"].get(language, {})
    return render_patient_page(
        request,
        "screening/new.html",
        patient,
        {
            "form": form,
            "instrument": instrument,
            "language": language,
            "translation_status": labels.TRANSLATION_STATUS.get(translation.get("status", ""), ""),
            "proxy_mode": Mode.PROXY,
        },
        view="screening_new",
    )


def get_response_for_user(user, pk) -> ScreeningResponse:
    try:
        return ScreeningResponse.objects.visible_to(user).select_related("patient", "performer").get(pk=pk)
    except (ScreeningResponse.DoesNotExist, ValueError):
        raise Http404 from None


@login_required
def screening_detail(request: HttpRequest, pk) -> HttpResponse:
    response = get_response_for_user(request.user, pk)
    instrument = all_instruments().get(response.instrument_id)
    language = "es" if request.LANGUAGE_CODE == "es" else "en"
    items = {i["code"]: i for i in instrument["items"]} if instrument else {}
    options = {}
    if instrument:
        for item in instrument["items"]:
            for o in list(instrument["answer_lists"].get(item.get("answer_list", ""), [])) + item.get(
                "extra_answers", []
            ):
                options[(item["code"], o["code"])] = o["text"].get(language) or o["text"]["en"]
    answers = []
    # The care team sees the result and the needs found, not answers about abuse or suicidal thoughts.
    for a in response.answers.all() if sees_item_answers(request.user) else []:
        item = items.get(a.item_code)
        question = (item["text"].get(language) or item["text"]["en"]) if item else a.item_code
        shown = options.get((a.item_code, a.answer_code)) or a.value_text or a.value_integer
        answers.append(
            {
                "code": a.item_code,
                "question": question,
                "answer": shown,
                "answer_code": a.answer_code,
                "points": a.value_integer,
            }
        )
    missing = [
        (code, (items[code]["text"].get(language) or items[code]["text"]["en"]) if code in items else code)
        for code in response.missing_items
    ]
    return render_patient_page(
        request,
        "screening/detail.html",
        response.patient,
        {
            "response": response,
            "instrument": instrument,
            "answers": answers,
            "missing": missing,
            "band": labels.band_label(response.band) if response.band else "",
            "domains": [labels.domain_label(d) for d in response.positive_domains],
            "concerns": list(response.concerns.all()),
            "alerts": list(response.crisis_alerts.all()),
            "domain_label": labels.domain_label,
            "concern_form": ConcernDecisionForm(),
        },
        view="screening_detail",
    )


@login_required
def concern_decide(request: HttpRequest, pk) -> HttpResponse:
    try:
        concern = HealthConcern.objects.select_related("patient").get(
            organization_id=request.user.organization_id, pk=pk
        )
    except (HealthConcern.DoesNotExist, ValueError):
        raise Http404 from None
    get_patient_for_user(request.user, concern.patient_id)
    if request.method != "POST" or request.user.role not in ("social_worker", "supervisor"):
        raise PermissionDenied
    form = ConcernDecisionForm(request.POST)
    if form.is_valid():
        services.decide_concern(
            request,
            concern,
            form.cleaned_data["decision"],
            icd10_code=form.cleaned_data["icd10_code"],
            note=form.cleaned_data["note"],
        )
        messages.success(request, _("Concern updated."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    target = reverse("screening:detail", args=[concern.source_response_id]) if concern.source_response_id else None
    return redirect(target or concern.patient.get_absolute_url())


def get_alert_for_user(user, pk) -> CrisisAlert:
    try:
        return CrisisAlert.objects.visible_to(user).select_related("patient", "response").get(pk=pk)
    except (CrisisAlert.DoesNotExist, ValueError):
        raise Http404 from None


@login_required
def alert_resolve(request: HttpRequest, pk) -> HttpResponse:
    """An alert clears only with a documented action."""
    alert = get_alert_for_user(request.user, pk)
    # A crisis alert is social work's to close; the care team and intake are told, and act through them.
    if request.user.role not in ("social_worker", "supervisor"):
        raise PermissionDenied
    if alert.status == CrisisAlert.Status.RESOLVED:
        messages.info(request, _("This alert was already resolved and documented."))
        return redirect("screening:detail", pk=alert.response_id)
    form = ResolveAlertForm(request.POST or None, initial={"action": request.GET.get("action", "")})
    if request.method == "POST" and form.is_valid():
        services.resolve_crisis_alert(request, alert, form.cleaned_data["action"], form.cleaned_data["note"])
        messages.success(request, _("Alert resolved and documented."))
        return redirect(alert.patient)
    return render_patient_page(
        request, "screening/alert_resolve.html", alert.patient, {"form": form, "alert": alert}, view="alert_resolve"
    )


@login_required
def safety_plan_new(request: HttpRequest, patient_pk) -> HttpResponse:
    patient = get_patient_for_user(request.user, patient_pk)
    if request.user.role not in ("social_worker", "supervisor", "care_team"):
        raise PermissionDenied
    alert = None
    if request.GET.get("alert") or request.POST.get("alert"):
        alert = get_alert_for_user(request.user, request.GET.get("alert") or request.POST.get("alert"))
    form = SafetyPlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "complete"}
        plan = services.save_safety_plan(request, patient, data, alert=alert, complete=form.cleaned_data["complete"])
        messages.success(request, _("Safety plan saved."))
        if alert is not None and plan.completed_at and alert.status == CrisisAlert.Status.OPEN:
            return redirect(reverse("screening:alert_resolve", args=[alert.pk]) + "?action=safety_plan")
        return redirect(patient)
    return render_patient_page(
        request, "screening/safety_plan.html", patient, {"form": form, "alert": alert}, view="safety_plan_new"
    )


@login_required
def self_link_new(request: HttpRequest, patient_pk) -> HttpResponse:
    """Create a self-screening link to send or show as a QR code."""
    import segno

    patient = get_patient_for_user(request.user, patient_pk)
    if not _may_screen(request.user) or request.user.role == "care_team":
        raise PermissionDenied
    choices = [i for i in all_instruments().values() if "self" in i.get("administration", [])]
    form = SelfLinkForm(
        request.POST or None,
        instruments=choices,
        language=request.LANGUAGE_CODE,
        patient=patient,
        initial={"language": "es" if patient.preferred_language == "es" else "en"},
    )
    ctx = {"form": form}
    if request.method == "POST" and form.is_valid():
        link, token = services.create_self_screening_link(
            request,
            patient,
            form.cleaned_data["instruments"],
            language=form.cleaned_data["language"],
            hours=form.cleaned_data["hours"],
        )
        url = request.build_absolute_uri(reverse("screening:self", args=[token]))
        qr = segno.make(url, error="m").svg_inline(scale=4, title=_("QR code of the link"))
        sent = services.send_self_screening_link(request, link, url, form.cleaned_data["send_by"])
        ctx["sent"] = sent
        ctx.update(
            link=link,
            url=url,
            qr_svg=mark_safe(qr),  # noqa: S308 - segno's SVG of our own URL
        )
    return render_patient_page(request, "screening/self_link.html", patient, ctx, view="self_link_new")
