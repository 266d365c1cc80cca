"""The patient's check-back page: no sign-in, a single-use expiring link, nothing about the patient but the name of
the service they were referred to. Rate-limited like the self-screening pages."""

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from puente.audit.models import AuditAction
from puente.audit.services import client_ip, record_event

from . import services
from .forms import CheckBackForm
from .models import CheckBackLink

MAX_REQUESTS_PER_LINK = 50
MAX_MISSES_PER_IP = 20
MISS_WINDOW_SECONDS = 600


def _miss_key(request) -> str:
    return f"checkback-miss:{client_ip(request)}"


def _too_many_misses(request: HttpRequest) -> bool:
    return cache.get(_miss_key(request), 0) >= MAX_MISSES_PER_IP


def _note_miss(request: HttpRequest) -> None:
    key = _miss_key(request)
    cache.add(key, 0, MISS_WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, MISS_WINDOW_SECONDS)


def _unavailable(request, language: str, status: int, reason: str) -> HttpResponse:
    with translation.override(language):
        return render(
            request, "referrals/checkback/unavailable.html", {"reason": reason, "lang": language}, status=status
        )


@never_cache
@require_http_methods(["GET", "POST"])
def checkback(request: HttpRequest, token: str) -> HttpResponse:
    wanted = request.GET.get("lang") or request.POST.get("lang")
    language = wanted if wanted in ("en", "es") else "en"
    if _too_many_misses(request):
        return _unavailable(request, language, 429, "rate")
    link = services.find_checkback_link(token)
    if link is None:
        _note_miss(request)
        return _unavailable(request, language, 404, "unknown")
    language = wanted if wanted in ("en", "es") else link.language
    if link.used_at is not None:
        return _unavailable(request, language, 410, "used")
    if link.expires_at <= timezone.now():
        return _unavailable(request, language, 410, "expired")
    if link.request_count >= MAX_REQUESTS_PER_LINK:
        return _unavailable(request, language, 429, "rate")
    CheckBackLink.objects.filter(organization_id=link.organization_id, pk=link.pk).update(
        request_count=link.request_count + 1
    )
    referral = link.referral
    service = referral.service_at_location.service
    with translation.override(language):
        form = CheckBackForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            done = services.answer_checkback(
                request, link, answer=form.cleaned_data["answer"], reason=form.cleaned_data["reason"]
            )
            if done is None:
                return _unavailable(request, language, 410, "used")
            return render(request, "referrals/checkback/done.html", {"lang": language})
        if request.method == "GET":
            record_event(
                request,
                AuditAction.READ,
                obj=link,
                patient_id=referral.patient_id,
                organization_id=link.organization_id,
                actor_label="referral check-back link",
            )
        return render(
            request,
            "referrals/checkback/form.html",
            {"form": form, "lang": language, "service_name": service.name if service else ""},
        )
