"""The benchmark's floor: the cheapest page an authenticated user can be served.

It goes through the whole middleware stack (session, authentication, CSRF, OTP, idle timeout, MFA, axes) and
runs one indexed query — a patient by primary key, organization first as every tenant query — and returns a
few bytes without a template. Every page's time is reported as a multiple of this, so the figures say how much
a page costs above what Django and the middleware cost on this machine.

Who may reach it: in the demo and test modes anyone signed in (the bench runs in demo mode, on the database
queue like `make run`); in production only a superuser, so that an operator can measure the floor on a
production host while it adds no page for anyone else (a 404, as if it did not exist). Not `PUENTE_MODE=bench`:
settings know no such mode, and a mode that relaxes nothing would only add a name to keep in step.
"""

import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from puente.patients.models import Patient

FLOOR_MODES = ("demo", "test")


@login_required
def floor(request: HttpRequest) -> HttpResponse:
    if settings.PUENTE_MODE not in FLOOR_MODES and not request.user.is_superuser:
        raise Http404
    try:
        pk = uuid.UUID(request.GET.get("id", ""))
    except ValueError:
        pk = uuid.UUID(int=0)
    found = Patient.objects.filter(organization_id=request.user.organization_id, pk=pk).exists()
    return HttpResponse(b"1" if found else b"0", content_type="text/plain")
