"""Idempotent writes for the API: the same services as the pages, plus an idempotency key.

A client retrying a request it did not hear back from sends the same `Idempotency-Key`. The key (scoped to the
user: "api:<user id>:<key>") is stored on the `ReferralEvent` the write produced, in the same transaction, so a
retry finds it and changes nothing; the caller answers with the referral as it is now. A key already used for a
different write (another referral, another status) is refused rather than silently ignored.
"""

from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from . import lifecycle, services
from .lifecycle import IllegalTransition
from .models import Referral, ReferralEvent, Status

MAX_CLIENT_KEY = 64  # the stored key adds "api:<user id>:" and must fit the column (80)


class KeyReused(Exception):
    """The key was used for another write; `message` is translated."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def scoped_key(user, client_key: str) -> str:
    return f"api:{user.pk}:{client_key}" if client_key else ""


def _keyed_event(organization_id, key: str) -> ReferralEvent | None:
    return ReferralEvent.objects.filter(organization_id=organization_id, idempotency_key=key).first()


def _is_replay(event: ReferralEvent | None, referral_id, kind: str, to_status: str | None) -> bool:
    """True when `event` is this same write; KeyReused when the key belongs to another one."""
    if event is None:
        return False
    if (
        event.referral_id != referral_id
        or event.kind != kind
        or (to_status is not None and event.to_status != to_status)
    ):
        raise KeyReused(_("This key was already used for another update; use a new key for each one."))
    return True


def _stamp(referral: Referral, key: str, kind: str, to_status: str | None) -> None:
    """Write the key on the event the service just made (the newest of its kind on this referral)."""
    events = ReferralEvent.objects.filter(
        organization_id=referral.organization_id, referral_id=referral.pk, kind=kind, idempotency_key=""
    )
    if to_status is not None:
        events = events.filter(to_status=to_status)
    event_pk = events.order_by("-created_at", "-pk").values_list("pk", flat=True).first()
    try:
        with transaction.atomic():
            ReferralEvent.objects.filter(organization_id=referral.organization_id, pk=event_pk).update(
                idempotency_key=key
            )
    except IntegrityError:  # a concurrent request stored the same key first
        raise KeyReused(_("This key was already used for another update; use a new key for each one.")) from None


def _reload(referral: Referral) -> Referral:
    return Referral.objects.select_related(
        "patient", "service_at_location__service", "service_at_location__location", "recipient_organization"
    ).get(organization_id=referral.organization_id, pk=referral.pk)


@transaction.atomic
def _once(referral: Referral, key: str, kind: str, to_status: str | None, write: Callable[[], object]):
    if key and _is_replay(_keyed_event(referral.organization_id, key), referral.pk, kind, to_status):
        return _reload(referral), True
    try:
        with transaction.atomic():
            write()
    except IllegalTransition:
        # A concurrent first use of the key may have won (the row lock made this one wait): then it is a replay.
        if key and _is_replay(_keyed_event(referral.organization_id, key), referral.pk, kind, to_status):
            return _reload(referral), True
        raise
    if key:
        _stamp(referral, key, kind, to_status)
    return _reload(referral), False


def change_status_once(
    request, referral: Referral, new: str, *, side: str, reason: str = "", key: str = "", user=None
) -> tuple[Referral, bool]:
    """A lifecycle step by either side; draft → requested is sending (consent check, disclosures, notices).

    Returns (the referral now, whether this was a replay of an earlier request with the same key)."""

    def write():
        if new == Status.REQUESTED and side == lifecycle.REQUESTER:
            services.send_referral(request, referral, user=user)
        else:
            services.change_status(request, referral, new, side=side, reason=reason, user=user)

    return _once(referral, key, "status", new, write)


def record_outcome_once(
    request, referral: Referral, *, outcome: str, reason: str = "", note: str = "", key: str = ""
) -> tuple[Referral, bool]:
    """The worker's outcome for the patient (met / partly / not met), once per key."""
    return _once(
        referral,
        key,
        "outcome",
        None,
        lambda: services.record_outcome(request, referral, outcome=outcome, reason=reason, note=note),
    )


@transaction.atomic
def make_referral_once(request, patient, *, send: bool, key: str = "", **fields) -> tuple[Referral, bool]:
    """Create (and optionally send) a referral; the key goes on the creation event."""
    if key:
        event = _keyed_event(patient.organization_id, key)
        if event is not None:
            if event.kind != "status" or event.from_status != "" or event.referral.patient_id != patient.pk:
                raise KeyReused(_("This key was already used for another update; use a new key for each one."))
            return _reload(event.referral), True
    referral = services.make_referral(request, patient, send=send, **fields)
    if key:
        creation = ReferralEvent.objects.filter(
            organization_id=referral.organization_id, referral_id=referral.pk, from_status=""
        )
        try:
            with transaction.atomic():
                creation.update(idempotency_key=key)
        except IntegrityError:
            raise KeyReused(_("This key was already used for another update; use a new key for each one.")) from None
    return _reload(referral), False
