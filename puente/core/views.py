"""Views that belong to no domain: home, health check, error pages."""

import sys

from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers: no auth, no data; 503 when the database does not answer."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except (OperationalError, InterfaceError):
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    if request.user.is_partner:
        return redirect("referrals:partner_list")
    if request.user.is_clinical_staff:
        return redirect("episodes:dashboard")
    return redirect("audit:list")


def server_error(request: HttpRequest) -> HttpResponse:
    """A database outage is a 503 the user can understand, not a 500; the next request reconnects."""
    exc = sys.exc_info()[1]
    if isinstance(exc, (OperationalError, InterfaceError)):
        html = render_to_string("503.html", {"LANGUAGE_CODE": getattr(request, "LANGUAGE_CODE", "en")})
        return HttpResponse(html, status=503, headers={"Retry-After": "30"})
    return HttpResponse(render_to_string("500.html"), status=500)
