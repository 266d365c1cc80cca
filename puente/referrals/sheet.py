"""The patient's referral sheet (PDF) view: writers only, since it is handed to the patient (as the care plan)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from .permissions import get_rw_referral_for_user
from .sheet_pdf import export_referral_sheet


@login_required
def referral_sheet(request: HttpRequest, pk) -> HttpResponse:
    """Social workers and supervisors with a care relationship (break-the-glass readers 403); others 404/403."""
    referral = get_rw_referral_for_user(request.user, pk)
    pdf = export_referral_sheet(request, referral)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="referral.pdf"'
    response["Cache-Control"] = "no-store"
    return response
