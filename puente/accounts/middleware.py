"""Session security: idle timeout and enforced MFA."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from puente.audit.models import AuditAction
from puente.audit.services import record_event

SESSION_KEY = "puente_last_activity"
# Activity is noted at most this often, so that most requests do not rewrite the session row.
ACTIVITY_RESOLUTION_SECONDS = 30
# Paths a signed-in user may reach before finishing MFA, and paths that never count as activity.
MFA_EXEMPT_PREFIXES = ("/accounts/mfa/", "/accounts/logout", "/accounts/language", "/static/", "/healthz", "/api/")


class IdleTimeoutMiddleware:
    """Signs a user out after PUENTE_IDLE_TIMEOUT_MINUTES without a request (the page warns first)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/api/"):
            now = time.time()
            last = request.session.get(SESSION_KEY)
            limit = settings.PUENTE_IDLE_TIMEOUT_MINUTES * 60
            if last is not None and now - last > limit:
                record_event(request, AuditAction.LOGOUT, detail={"reason": "idle_timeout"})
                logout(request)
                messages.info(request, _("You were signed out after a period of inactivity."))
                if request.htmx:
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = reverse(settings.LOGIN_URL)
                    return response
                return redirect(reverse(settings.LOGIN_URL) + "?" + urlencode({"next": request.get_full_path()}))
            if last is None or now - last > ACTIVITY_RESOLUTION_SECONDS:
                request.session[SESSION_KEY] = now
        return self.get_response(request)


class RequireMFAMiddleware:
    """With PUENTE_REQUIRE_MFA on, every signed-in user must verify a TOTP device (or enrol one) first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.PUENTE_REQUIRE_MFA
            and user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
        ):
            from django_otp.plugins.otp_totp.models import TOTPDevice

            has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
            target = "accounts:mfa_verify" if has_device else "accounts:mfa_setup"
            return redirect(reverse(target) + "?" + urlencode({"next": request.get_full_path()}))
        return self.get_response(request)
