from django.contrib import admin
from django.urls import include, path

from puente.api.api import api
from puente.core import views as core_views

handler500 = "puente.core.views.server_error"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("", include("puente.core.urls")),
    path("accounts/", include("puente.accounts.urls")),
    path("audit/", include("puente.audit.urls")),
    path("patients/", include("puente.patients.urls")),
    path("", include("puente.episodes.urls")),
    path("", include("puente.screening.urls")),
    path("", include("puente.tasks.urls")),
    path("", include("puente.notes.urls")),
    path("", include("puente.assessments.urls")),
    path("", include("puente.directory.urls")),
    path("", include("puente.careplans.urls")),
    path("", include("puente.consent.urls")),
    path("", include("puente.referrals.urls")),
    path("", include("puente.caseload.urls")),
    path("", include("puente.timekeeping.urls")),
    path("", include("puente.perf.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
