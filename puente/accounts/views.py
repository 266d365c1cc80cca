"""Sign-in, sign-out, MFA enrolment and verification, language choice, session keep-alive."""

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, PasswordChangeDoneView, PasswordChangeView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from puente.audit.models import AuditAction
from puente.audit.services import record_event
from puente.core.http import safe_next

from . import services
from .forms import LanguageForm, LoginForm, TokenForm
from .models import User


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


class PuenteLoginView(LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        record_event(self.request, AuditAction.LOGIN, user=user)
        _set_language_cookie(response, user.language)
        return response

    def form_invalid(self, form):
        email = (form.data.get("username") or "").strip().lower()[:254]
        # Attribute the attempt to the account's organization so that its supervisors see it.
        account = User.objects.filter(email=email).only("organization_id").first()
        record_event(
            self.request,
            AuditAction.LOGIN_FAILED,
            actor_label=email,
            organization_id=account.organization_id if account else None,
            detail={"email": email, "known_account": account is not None},
        )
        return super().form_invalid(form)


class PuentePasswordChangeView(PasswordChangeView):
    """Django's password change (old password, new one twice, the password validators), through our
    service so that it is audited; the session stays signed in."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        services.change_password(self.request, form)
        # As PasswordChangeView does: the new password hash would otherwise sign this session out.
        update_session_auth_hash(self.request, form.user)
        return HttpResponseRedirect(self.get_success_url())


class PuentePasswordChangeDoneView(PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        record_event(request, AuditAction.LOGOUT)
    logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


@login_required
def mfa_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the QR code, type a code to prove it works, keep recovery codes."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None or request.method == "GET":
        device = services.start_totp_enrolment(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            codes = services.confirm_totp_device(request, device)
            otp_login(request, device)
            return render(request, "accounts/mfa_recovery_codes.html", {"codes": codes, "next": safe_next(request)})
        form.add_error("token", _("That code is not right. Check the time on your phone and try again."))
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4, title=_("QR code for your authenticator"))
    return render(
        request,
        "accounts/mfa_setup.html",
        {"form": form, "qr_svg": qr_svg, "secret": device.bin_key.hex(), "next": safe_next(request)},
    )


@login_required
def mfa_verify(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"].strip().replace(" ", ""))
        if device is not None:
            otp_login(request, device)
            if device.persistent_id.startswith("otp_static"):
                record_event(request, AuditAction.MFA_CHANGE, detail={"change": "recovery_code_used"})
            return HttpResponseRedirect(safe_next(request))
        record_event(request, AuditAction.LOGIN_FAILED, detail={"step": "mfa"})
        form.add_error("token", _("That code is not right."))
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": safe_next(request)})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    has_mfa = TOTPDevice.objects.filter(user=request.user, confirmed=True).exists()
    return render(
        request,
        "accounts/profile.html",
        {"has_mfa": has_mfa, "teams": request.user.teams.filter(organization_id=request.user.organization_id)},
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Remember the chosen language on the account (for the next sign-in) and in a cookie."""
    form = LanguageForm(request.POST)
    target = safe_next(request)
    if not form.is_valid():
        return redirect(target)
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        services.set_user_language(request, request.user, language)
    response = redirect(target)
    _set_language_cookie(response, language)
    return response


@require_POST
@login_required
def keepalive(request: HttpRequest) -> HttpResponse:
    """The idle-timeout warning's "stay signed in" button; the middleware has already noted the activity."""
    if request.htmx:
        messages.get_messages(request).used = True
    return HttpResponse(status=204)
