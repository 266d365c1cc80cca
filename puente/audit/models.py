"""The append-only access and change log."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    READ = "read", _("Read")
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    EXPORT = "export", _("Export")
    PRINT = "print", _("Print")
    LOGIN = "login", _("Login")
    LOGOUT = "logout", _("Logout")
    LOGIN_FAILED = "login_failed", _("Failed login")
    MFA_CHANGE = "mfa_change", _("MFA change")
    BREAK_GLASS = "break_glass", _("Break the glass")
    SEARCH = "search", _("Search")


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an audit event."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs):  # type: ignore[override]
        raise AppendOnlyError("audit events cannot be changed")

    def delete(self):  # type: ignore[override]
        raise AppendOnlyError("audit events cannot be deleted")

    def visible_to(self, user) -> "AuditEventQuerySet":
        if not user.is_authenticated or not user.can_view_audit or not user.organization_id:
            return self.none()
        return self.filter(organization_id=user.organization_id)


class AuditEvent(models.Model):
    """Who did what to which record, when and from where. Never updated or deleted (a database
    trigger refuses it too, so not even raw SQL from the app can rewrite history)."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        db_constraint=False,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(max_length=254, blank=True, help_text="Email at the time, or the token name.")
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # A plain UUID rather than a foreign key: the log sits below the patient app and must outlive any record.
    patient_id = models.UUIDField(null=True, blank=True)
    path = models.CharField(max_length=300, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["organization", "patient_id", "-at"], name="audit_org_patient_at"),
            models.Index(fields=["organization", "actor", "-at"], name="audit_org_actor_at"),
            models.Index(fields=["organization", "-at"], name="audit_org_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events cannot be deleted")
