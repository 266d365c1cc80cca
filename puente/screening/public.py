"""The patient's self-screening pages: no sign-in, a single-use expiring link, no PHI beyond the first name."""

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from puente.audit.models import AuditAction
from puente.audit.services import client_ip, record_event

from . import services
from .forms import InstrumentForm
from .library import get_instrument

# A link answers this many requests at most (saving progress included); a guessing client this many misses.
MAX_REQUESTS_PER_LINK = 300
MAX_MISSES_PER_IP = 20
MISS_WINDOW_SECONDS = 600
# Crisis lines shown at once when an answer indicates risk (New Mexico's statewide line as the local one).
CRISIS_LINES = [
    ("988", "988 Suicide & Crisis Lifeline", "988 Línea de Prevención del Suicidio y Crisis"),
    ("1-855-662-7474", "New Mexico Crisis and Access Line", "Línea de Crisis y Acceso de Nuevo México"),
    ("911", "Emergency", "Emergencias"),
]
# Shown as well when the answers point to someone hurting the patient.
SAFETY_LINES = [
    ("1-800-799-7233", "National Domestic Violence Hotline", "Línea Nacional sobre la Violencia Doméstica"),
]


def _language(request: HttpRequest, link) -> str:
    wanted = request.GET.get("lang") or request.POST.get("lang")
    return wanted if wanted in ("en", "es") else link.language


def _too_many_misses(request: HttpRequest) -> bool:
    key = f"selfscreen-miss:{client_ip(request)}"
    return cache.get(key, 0) >= MAX_MISSES_PER_IP


def _note_miss(request: HttpRequest) -> None:
    key = f"selfscreen-miss:{client_ip(request)}"
    cache.add(key, 0, MISS_WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, MISS_WINDOW_SECONDS)


def _unavailable(request: HttpRequest, language: str, status: int, reason: str) -> HttpResponse:
    with translation.override(language):
        return render(request, "screening/self/unavailable.html", {"reason": reason, "lang": language}, status=status)


def _forms(link, language: str, data=None) -> list[InstrumentForm]:
    initial_all = link.draft_answers or {}
    forms = []
    for instrument_id in link.instrument_ids:
        instrument = get_instrument(instrument_id)
        draft = initial_all.get(instrument_id, {})
        initial = {f"q:{code}": value for code, value in draft.items()}
        forms.append(
            InstrumentForm(
                data, instrument=instrument, language=language, staff=False, prefix=instrument_id, initial=initial
            )
        )
    return forms


@never_cache
@require_http_methods(["GET", "POST"])
def self_screening(request: HttpRequest, token: str) -> HttpResponse:
    language = request.GET.get("lang") if request.GET.get("lang") in ("en", "es") else "en"
    if _too_many_misses(request):
        return _unavailable(request, language, 429, "rate")
    link = services.find_self_screening_link(token)
    if link is None:
        _note_miss(request)
        return _unavailable(request, language, 404, "unknown")
    language = _language(request, link)
    if link.completed_at is not None:
        return _unavailable(request, language, 410, "used")
    if link.revoked_at is not None or link.expires_at <= timezone.now():
        return _unavailable(request, language, 410, "expired")
    if link.request_count >= MAX_REQUESTS_PER_LINK:
        return _unavailable(request, language, 429, "rate")
    type(link).objects.filter(organization_id=link.organization_id, pk=link.pk).update(
        request_count=link.request_count + 1, opened_at=link.opened_at or timezone.now()
    )
    with translation.override(language):
        forms = _forms(link, language, request.POST if request.method == "POST" else None)
        if request.method == "POST":
            valid = all(f.is_valid() for f in forms)
            answers = {f.instrument["id"]: f.answers() for f in forms} if valid else {}
            if valid and request.POST.get("action") == "save":
                services.save_self_screening_progress(link, answers)
                record_event(
                    request,
                    AuditAction.UPDATE,
                    obj=link,
                    patient_id=link.patient_id,
                    actor_label="self-screening link",
                    organization_id=link.organization_id,
                    detail={"draft_saved": True},
                )
                if request.htmx:
                    return HttpResponse(status=204)
                return redirect(f"{request.path}?lang={language}&saved=1")
            if valid:
                try:
                    submissions = services.complete_self_screening(request, link, answers, language)
                except services.InvalidAnswers as exc:
                    for form in forms:
                        for code, errors in exc.errors.items():
                            name = f"q:{code}"
                            for error in errors:
                                form.add_error(name if name in form.fields else None, error)
                else:
                    kinds = {a.kind for s in submissions for a in s.alerts}
                    lines = CRISIS_LINES + (SAFETY_LINES if "safety" in kinds else [])
                    context = {"lang": language, "crisis": bool(kinds), "safety": "safety" in kinds, "lines": lines}
                    return render(request, "screening/self/done.html", context)
        else:
            record_event(
                request,
                AuditAction.READ,
                obj=link,
                patient_id=link.patient_id,
                actor_label="self-screening link",
                organization_id=link.organization_id,
            )
        return render(
            request,
            "screening/self/form.html",
            {
                "forms": forms,
                "lang": language,
                "first_name": link.patient.preferred_name or link.patient.legal_given_name,
                "saved": request.GET.get("saved") == "1",
                "expires_at": link.expires_at,
            },
        )
