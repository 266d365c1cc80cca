"""Writes for accounts: MFA enrolment, recovery codes, API tokens, preferences. Each is atomic and audited."""

import secrets

from django.contrib.auth.forms import PasswordChangeForm
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from puente.audit.models import AuditAction
from puente.audit.services import record_event

from .models import ApiToken, User

RECOVERY_CODE_COUNT = 10


def start_totp_enrolment(user: User) -> TOTPDevice:
    """An unconfirmed device whose secret the user scans; any earlier unconfirmed one is replaced."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@transaction.atomic
def confirm_totp_device(request: HttpRequest, device: TOTPDevice) -> list[str]:
    """Confirm the device, drop any older ones, and issue fresh single-use recovery codes."""
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = issue_recovery_codes(device.user)
    record_event(request, AuditAction.MFA_CHANGE, user=device.user, detail={"change": "totp_enrolled"})
    return codes


def issue_recovery_codes(user: User) -> list[str]:
    static, _ = StaticDevice.objects.get_or_create(user=user, name="Recovery codes", defaults={"confirmed": True})
    static.token_set.all().delete()
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    return codes


@transaction.atomic
def reset_mfa(request: HttpRequest, user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    record_event(request, AuditAction.MFA_CHANGE, user=request.user, detail={"change": "reset", "for": user.email})


@transaction.atomic
def change_password(request: HttpRequest, form: PasswordChangeForm) -> User:
    """Save a validated password change (old password checked, new one validated) and audit it. The
    password itself is never written to the log."""
    user = form.save()
    record_event(request, AuditAction.UPDATE, obj=user, user=user, detail={"password_changed": True})
    return user


@transaction.atomic
def set_user_language(request: HttpRequest, user: User, language: str) -> User:
    user.language = language
    user.save(update_fields=["language"])
    return user


@transaction.atomic
def create_api_token(user: User, name: str, scopes: list[str]) -> tuple[ApiToken, str]:
    """Returns the token and its secret key; the key is shown once and only its hash is kept."""
    unknown = set(scopes) - set(ApiToken.SCOPES)
    if unknown:
        raise ValueError(f"unknown scopes: {', '.join(sorted(unknown))}")
    if user.organization_id is None:
        raise ValueError("a token's user must belong to an organization")
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        organization_id=user.organization_id,
        user=user,
        name=name,
        prefix=key[:12],
        key_hash=ApiToken.hash_key(key),
        scopes=sorted(scopes),
    )
    record_event(None, AuditAction.CREATE, obj=token, user=user, detail={"scopes": token.scopes})
    return token, key


@transaction.atomic
def revoke_api_token(token: ApiToken, by: User | None = None) -> ApiToken:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record_event(None, AuditAction.UPDATE, obj=token, user=by or token.user, detail={"revoked": True})
    return token
