"""One record per idempotency key: a double-submitted form or a retried API call creates its record once.

Every create form carries a hidden key (`forms.IdempotencyField`, a fresh uuid4 each time the empty form is shown).
The create service passes its work to `create_once`, which, inside one transaction:

1. inserts an `IdempotencyKey` row for (organization, key) in a savepoint;
2. runs the create;
3. stores the new record's id on the key row.

A second request with the same key meets the unique constraint: at once when the first has committed (the usual
double click or a browser retry), or, in a real race on PostgreSQL, after waiting on the unique index for the first
transaction to end. Either way it re-reads the key row and answers with the first record, so the view redirects to
the same place. If the first transaction rolled back (its input was refused), its key row went with it and the key
is free again: the corrected form is saved under the same key.

A key sent again by another user, for another kind of record or under another patient/goal is refused with
`IdempotencyConflict` (the other record is never returned). An empty key means no protection (API clients that
send none). Keys are kept `KEEP_DAYS` days; `purge_expired_keys` runs with the clock sweep (and as the
`purge_idempotency_keys` command).
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.apps import apps
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import IdempotencyKey

KEEP_DAYS = 7
MAX_KEY = 80


class IdempotencyConflict(Exception):
    """The key was already used for something this request may not be answered with."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _answer[M: models.Model](row: IdempotencyKey, user, model: type[M], scope: str) -> M:
    """The record an earlier request with this key created, if this request is the same one sent again."""
    if row.user_id != getattr(user, "pk", None) or row.object_type != _label(model) or row.scope != scope:
        # Say nothing about what the key made: it may be another user's record.
        raise IdempotencyConflict(
            _("This form was already used to save something else. Reload the page and enter it again.")
        )
    obj = None
    if row.object_id is not None:
        obj = model._base_manager.filter(organization_id=row.organization_id, pk=row.object_id).first()
    if obj is None:
        raise IdempotencyConflict(
            _("What this form saved before no longer exists. Reload the page and enter it again.")
        )
    return obj


def find_replay[M: models.Model](organization_id, user, key: str, model: type[M], *, scope: str = "") -> M | None:
    """The record this key already created (None: the key is new or empty). For a view that must skip work
    before the create when the form is sent again (the registration duplicate check)."""
    key = (key or "").strip()
    if not key:
        return None
    row = IdempotencyKey.objects.filter(organization_id=organization_id, key=key).first()
    return None if row is None else _answer(row, user, model, str(scope))


def create_once[M: models.Model](
    organization_id, user, key: str, model: type[M], create: Callable[[], M], *, scope: str = ""
) -> tuple[M, bool]:
    """Run `create()` once per (organization, key). Returns (record, replayed): replayed is True when the key had
    already created the record and this call only found it. Raises IdempotencyConflict (see the module)."""
    key, scope = (key or "").strip(), str(scope)
    if not key:
        return create(), False
    if len(key) > MAX_KEY:
        raise IdempotencyConflict(_("The form key is too long. Reload the page and enter it again."))
    with transaction.atomic():
        try:
            # A savepoint: the unique violation must not poison the surrounding transaction.
            with transaction.atomic():
                row = IdempotencyKey.objects.create(
                    organization_id=organization_id, key=key, user=user, object_type=_label(model), scope=scope
                )
        except IntegrityError:
            row = IdempotencyKey.objects.filter(organization_id=organization_id, key=key).first()
            if row is None:  # the other request rolled back between our insert and this read: rare, not a replay
                raise
            return _answer(row, user, model, scope), True
        obj = create()
        IdempotencyKey.objects.filter(organization_id=organization_id, pk=row.pk).update(object_id=obj.pk)
        return obj, False


def purge_expired_keys(now: datetime | None = None) -> int:
    """Delete keys older than KEEP_DAYS, one organization at a time (every statement names the organization).
    Returns how many were deleted."""
    cutoff = (now or timezone.now()) - timedelta(days=KEEP_DAYS)
    organization = apps.get_model("accounts", "Organization")
    deleted = 0
    for org_id in organization.objects.values_list("pk", flat=True):
        count, _by_model = IdempotencyKey.objects.filter(organization_id=org_id, created_at__lt=cutoff).delete()
        deleted += count
    return deleted
