"""Abstract base models shared by every domain app, and the one concrete table core owns: idempotency keys.

Core sits below `accounts` (level 1): it refers to the organization and the user by name ("accounts.…"), never by
import, so the dependency order holds.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    """A UUID primary key (safe to show in URLs, stable across exports) and creation/update times."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class IdempotencyKey(BaseModel):
    """A create request's key and the record it made: the same key again answers with that record (idempotency.py).

    Tenant-owned like a `TenantModel` (it cannot inherit it: that lives above core), so every query names the
    organization; `tenant_owned` puts the table under the test suite's tenancy guard. Rows are only inserted, have
    their `object_id` set once in the same transaction, and are purged after `idempotency.KEEP_DAYS`.
    """

    tenant_owned = True

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("organization")
    )
    key = models.CharField(max_length=80)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # app_label.model of what the key created, and what it was created under (a patient, a goal): a key sent
    # again for something else is refused rather than answered with an unrelated record.
    object_type = models.CharField(max_length=100)
    scope = models.CharField(max_length=80, blank=True)
    object_id = models.UUIDField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "key"], name="core_idempotency_key_unique")]
        indexes = [models.Index(fields=["organization", "created_at"], name="core_idempotency_created")]

    def __str__(self) -> str:
        return f"{self.object_type} {self.object_id}"
