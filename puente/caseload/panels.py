"""The dashboard panel "My caseload": the worker's active patients with their acuity (registered in apps.py)."""

from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from puente.accounts.models import Role
from puente.core.panels import Panel

from .selectors import CaseloadRow, active_episodes, caseload_rows

LIMIT = 100


def my_caseload_panel(user) -> Panel | None:
    if getattr(user, "role", None) not in (Role.SOCIAL_WORKER, Role.SUPERVISOR) or not user.organization_id:
        return None
    episodes = active_episodes(user.organization_id, assigned_worker=user, limit=LIMIT)
    rows = [_shown(row) for row in caseload_rows(user.organization_id, episodes, timezone.now())]
    return Panel(
        "caseload/_dashboard_caseload.html",
        {"rows": rows, "is_supervisor": user.role == Role.SUPERVISOR},
        {str(e.patient_id) for e in episodes},
        order=5,
        replaces=frozenset({"active_patients"}),
    )


def _shown(row: CaseloadRow) -> dict:
    """A row as the panel shows it, with the parts that add to its score built here, each reason worded once (as
    template loops, per-part labels were half of the dashboard's rendering time). The points of the parts listed add
    up to the score, so the list is the whole explanation; the parts worth nothing are left out."""
    scored = [(p.reason, p.points) for p in row.acuity.scored_parts]
    adds = (
        format_html_join("", "<li>{} (+{})</li>", scored)
        if scored
        else format_html("<li>{}</li>", _("Nothing adds to the score"))
    )
    return {"row": row, "adds": adds}
