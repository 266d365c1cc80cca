"""The dashboard panel of open crisis alerts (registered in apps.py)."""

from django.db.models import Q

from puente.core.panels import Panel

from .models import CrisisAlert


def open_alerts_panel(user, *, patients=None) -> Panel | None:
    """Open alerts on patients the user can see, where they are the responsible worker or a supervisor.
    ``patients``: the dashboard's ``Patient.objects.visible_to(user)``, built once per request (core/panels.py)."""
    # The responsible worker and the supervisors act on alerts; the care team and intake see the patient banner.
    if getattr(user, "role", None) not in ("social_worker", "supervisor"):
        return None
    qs = CrisisAlert.objects.visible_to(user, patients=patients).open().select_related("patient", "assigned_worker")
    if user.role == "social_worker":
        qs = qs.filter(Q(assigned_worker=user) | Q(assigned_worker__isnull=True))
    alerts = list(qs.order_by("created_at")[:50])
    if not alerts:
        return None
    return Panel("screening/_dashboard_alerts.html", {"alerts": alerts}, {str(a.patient_id) for a in alerts}, order=0)
