"""The dashboard panel "My caseload": the worker's active patients with their acuity (registered in apps.py)."""

from django.utils import timezone

from puente.accounts.models import Role
from puente.core.panels import Panel

from .selectors import active_episodes, caseload_rows

LIMIT = 100


def my_caseload_panel(user) -> Panel | None:
    if getattr(user, "role", None) not in (Role.SOCIAL_WORKER, Role.SUPERVISOR) or not user.organization_id:
        return None
    episodes = list(active_episodes(user.organization_id, assigned_worker=user)[:LIMIT])
    rows = caseload_rows(user.organization_id, episodes, timezone.now())
    return Panel(
        "caseload/_dashboard_caseload.html",
        {"rows": rows, "is_supervisor": user.role == Role.SUPERVISOR},
        {str(e.patient_id) for e in episodes},
        order=5,
        replaces=frozenset({"active_patients"}),
    )
