"""Writing the audit log. Every read and write of patient data calls `record_event` once."""

from typing import Any

from django.http import HttpRequest

from .models import AuditAction, AuditEvent


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR is what the socket saw; behind a proxy, have the server set it (gunicorn --forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR") or None


def record_event(
    request: HttpRequest | None,
    action: AuditAction | str,
    *,
    obj: Any = None,
    object_type: str = "",
    patient_id: Any = None,
    user: Any = None,
    organization_id: Any = None,
    actor_label: str = "",
    detail: dict | None = None,
) -> AuditEvent:
    """Append one audit event. `request` gives actor, IP, user agent and path; `user` overrides the actor."""
    actor = user
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if obj is not None and not object_type:
        object_type = obj._meta.label_lower
    if organization_id is None:
        organization_id = getattr(obj, "organization_id", None) or getattr(actor, "organization_id", None)
    token = getattr(request, "api_token", None) if request is not None else None
    if not actor_label:
        actor_label = actor.email if actor is not None else ""
        if token is not None:
            actor_label = f"{actor_label} (token {token.prefix})"
    return AuditEvent.objects.create(
        organization_id=organization_id,
        actor=actor,
        actor_label=actor_label[:254],
        action=action,
        object_type=object_type,
        object_id=str(obj.pk) if obj is not None else "",
        patient_id=patient_id,
        path=(request.path[:300] if request is not None else ""),
        ip=client_ip(request) if request is not None else None,
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""),
        detail=detail or {},
    )


def acting_user(request: HttpRequest | None, user: Any = None):
    """Who performs a write: the explicit user (commands, jobs), else the signed-in user of the request."""
    actor = user or (request.user if request is not None else None)
    # A real check, not an assert: asserts vanish under `python -O`, and an anonymous write must never happen.
    if actor is None or not actor.is_authenticated:
        raise PermissionError("a write needs an authenticated actor")
    return actor


def save_changes(
    request: HttpRequest | None,
    obj: Any,
    changes: dict[str, Any],
    *,
    actor: Any,
    patient_id: Any,
    clean_exclude: list[str],
    also_update: tuple[str, ...] = (),
) -> list[str]:
    """Apply the fields that really change, validate, save only those (plus `also_update`), keep the history
    author and write one UPDATE audit row naming the fields. Returns the changed field names ([] = no write)."""
    changed = [k for k, v in changes.items() if getattr(obj, k) != v]
    if not changed:
        return []
    for key in changed:
        setattr(obj, key, changes[key])
    obj.full_clean(exclude=clean_exclude)
    obj._history_user = actor
    obj.save(update_fields=[*changed, *also_update, "updated_at"])
    record_event(
        request, AuditAction.UPDATE, obj=obj, patient_id=patient_id, user=actor, detail={"fields": sorted(changed)}
    )
    return changed
