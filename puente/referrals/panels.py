"""The dashboard panel "Community referrals needing action" (registered in apps.py).

A referral needs the worker when the loop is not closed: it stalled at the partner, the partner rejected it or
could not finish it, the patient said the need was not met, or it ended without an outcome for the patient.
"""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from puente.core.panels import Panel

from . import clocks
from .models import Outcome, Referral, Status

LIMIT = 20
# What a row shows and `action_needed` reads: a service row carries its whole search document and a patient row
# every demographic field, and reading them was a third of this panel's time.
PANEL_FIELDS = (
    "organization_id",
    "patient_id",
    "status",
    "requested_at",
    "last_partner_update_at",
    "checkback_answer",
    "outcome",
    "status_changed_at",
    "service_at_location_id",
    "patient__organization_id",
    "patient__preferred_name",
    "patient__legal_given_name",
    "patient__legal_family_name",
    "service_at_location__service_id",
    "service_at_location__service__name",
)
WORKER_ROLES = ("social_worker", "supervisor")


def action_needed(referral: Referral, now) -> str:
    """Why this referral needs the worker now, in words; "" when it does not."""
    stalled = referral.stall_reason(now)
    if stalled == clocks.NOT_ACCEPTED:
        return _("Stalled: not accepted yet")
    if stalled:
        return _("Stalled: no update from the partner")
    if referral.checkback_answer in ("no", "partly") and referral.outcome != Outcome.MET:
        return _("The patient said the need is not met.")
    if referral.status in (Status.REJECTED, Status.FAILED) and not referral.outcome:
        return _("The partner could not help: find another service or record the outcome.")
    if referral.status == Status.COMPLETED and not referral.outcome:
        return _("Completed by the partner: record the outcome for the patient.")
    return ""


def referrals_needing_action_panel(user, *, patients=None) -> Panel | None:
    if getattr(user, "role", "") not in WORKER_ROLES:
        return None
    now = timezone.now()
    # ``action_needed``'s rule in SQL, so that the oldest LIMIT referrals needing action are read and no others.
    candidates = (
        Referral.objects.visible_to(user, patients=patients)
        .filter(requested_by=user)
        .exclude(status__in=(Status.DRAFT, Status.CANCELLED, Status.ENTERED_IN_ERROR))
        .with_stall(now)
        .filter(
            Q(stalled=1)
            | (Q(checkback_answer__in=("no", "partly")) & ~Q(outcome=Outcome.MET))
            | Q(status__in=(Status.REJECTED, Status.FAILED, Status.COMPLETED), outcome="")
        )
        .select_related("patient", "service_at_location__service")
        .only(*PANEL_FIELDS)
        .order_by("status_changed_at", "pk")[:LIMIT]
    )
    rows = [{"r": r, "why": why} for r in candidates if (why := action_needed(r, now))]
    if not rows:
        return None
    return Panel(
        "referrals/_dashboard_panel.html", {"rows": rows}, {str(row["r"].patient_id) for row in rows}, order=20
    )
