from django.urls import path

from . import public, views

app_name = "screening"
urlpatterns = [
    path("patients/<uuid:patient_pk>/screenings/", views.screening_index, name="index"),
    path("patients/<uuid:patient_pk>/screenings/new/<slug:instrument_id>/", views.screening_new, name="new"),
    path("patients/<uuid:patient_pk>/safety-plan/new/", views.safety_plan_new, name="safety_plan_new"),
    path("screenings/<uuid:pk>/", views.screening_detail, name="detail"),
    path("concerns/<uuid:pk>/decide/", views.concern_decide, name="concern_decide"),
    path("alerts/<uuid:pk>/resolve/", views.alert_resolve, name="alert_resolve"),
    path("patients/<uuid:patient_pk>/self-screening/new/", views.self_link_new, name="self_link_new"),
    path("s/<str:token>/", public.self_screening, name="self"),
]
