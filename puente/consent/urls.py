from django.urls import path

from . import views

app_name = "consent"
urlpatterns = [
    path("patients/<uuid:patient_pk>/consents/", views.consent_list, name="list"),
    path("patients/<uuid:patient_pk>/consents/new/", views.consent_new, name="new"),
    path("consents/<uuid:pk>/revoke/", views.consent_revoke, name="revoke"),
    path("consents/documents/<uuid:pk>/", views.consent_document, name="document"),
]
