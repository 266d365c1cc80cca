"""Writes for consents and disclosures: every one atomic and audited."""

from django.db import transaction
from django.utils import timezone

from puente.audit.models import AuditAction
from puente.audit.services import acting_user, record_event
from puente.core.idempotency import create_once

from . import documents as docs
from .models import Consent, ConsentDocument, Disclosure


@transaction.atomic
def record_consent(request, patient, *, user=None, documents=(), idempotency_key: str = "", **fields) -> Consent:
    """Store a consent as given (the form has validated it), with its evidence: `documents` is a list of
    (kind, content_type, bytes) the form has checked (a drawn signature, a signed form). The same idempotency key
    again answers with the first consent (core/idempotency.py)."""
    actor = acting_user(request, user)
    consent, _replayed = create_once(
        patient.organization_id,
        actor,
        idempotency_key,
        Consent,
        lambda: _record_consent(request, patient, actor, documents, fields),
        scope=patient.pk,
    )
    return consent


def _record_consent(request, patient, actor, documents, fields) -> Consent:
    consent = Consent(organization_id=patient.organization_id, patient=patient, created_by=actor, **fields)
    consent.full_clean(exclude=["organization", "patient", "created_by"])
    consent.save()
    record_event(
        request,
        AuditAction.CREATE,
        obj=consent,
        patient_id=patient.pk,
        user=actor,
        detail={"data_classes": consent.data_classes, "part2": consent.part2},
    )
    for kind, content_type, data in documents:
        store_consent_document(request, consent, kind=kind, content_type=content_type, data=data, user=actor)
    return consent


@transaction.atomic
def store_consent_document(request, consent: Consent, *, kind: str, content_type: str, data: bytes, user=None):
    """Keep a signature or signed form with its consent. The type is checked again from the bytes here, so no
    caller can store a file whose content does not match what it claims."""
    actor = acting_user(request, user)
    if docs.sniff(data) != content_type or content_type not in docs.ALLOWED[kind]:
        raise ValueError(f"{kind} content is not {content_type}")
    document = ConsentDocument(
        organization_id=consent.organization_id,
        consent=consent,
        kind=kind,
        content_type=content_type,
        size=len(data),
        sha256=docs.sha256(data),
        data=data,
        created_by=actor,
    )
    # The one-per-kind constraint is left to the database: Django's check would query without the organization.
    document.full_clean(exclude=["organization", "consent", "created_by"], validate_constraints=False)
    document.save()
    record_event(
        request,
        AuditAction.CREATE,
        obj=document,
        patient_id=consent.patient_id,
        user=actor,
        detail={"kind": kind, "content_type": content_type, "size": document.size, "sha256": document.sha256},
    )
    return document


@transaction.atomic
def revoke_consent(request, consent: Consent, *, by_name: str = "", note: str = "", user=None) -> Consent:
    """Revoke now. Sharing stops at once (`may_share` checks `revoked_at`); past disclosures stay recorded."""
    actor = acting_user(request, user)
    consent = Consent.objects.select_for_update().get(organization_id=consent.organization_id, pk=consent.pk)
    if consent.revoked_at is not None:
        return consent
    consent.revoked_at = timezone.now()
    consent.revoked_by = actor
    consent.revoked_by_name = by_name
    consent.revocation_note = note
    consent.save(update_fields=["revoked_at", "revoked_by", "revoked_by_name", "revocation_note", "updated_at"])
    record_event(
        request, AuditAction.UPDATE, obj=consent, patient_id=consent.patient_id, user=actor, detail={"revoked": True}
    )
    return consent


def record_disclosures(
    request, patient, recipient_org, decisions: dict, *, purpose: str, source=None, user=None
) -> list[Disclosure]:
    """One `Disclosure` row (and one audit event) per class of information that went out under a consent.

    Called inside the caller's transaction (e.g. `send_referral`), with the decisions `may_share` just made.
    """
    actor = acting_user(request, user)
    rows = []
    for data_class, decision in decisions.items():
        if not decision.allowed:
            continue
        row = Disclosure.objects.create(
            organization_id=patient.organization_id,
            patient=patient,
            consent=decision.consent,
            recipient_organization=recipient_org,
            data_class=data_class,
            purpose=purpose[:300],
            source_type=source._meta.label_lower if source is not None else "",
            source_id=str(source.pk) if source is not None else "",
            disclosed_by=actor,
        )
        # Audited as a disclosure: an export of patient data to another organization.
        record_event(
            request,
            AuditAction.EXPORT,
            obj=row,
            patient_id=patient.pk,
            user=actor,
            detail={"disclosure": data_class, "recipient": str(recipient_org.pk), "consent": str(decision.consent.pk)},
        )
        rows.append(row)
    return rows
