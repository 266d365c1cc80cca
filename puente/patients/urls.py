from django.urls import path

from . import views

app_name = "patients"
urlpatterns = [
    path("", views.patient_list, name="list"),
    path("new/", views.patient_create, name="create"),
    path("<uuid:pk>/", views.patient_detail, name="detail"),
    path("<uuid:pk>/edit/", views.patient_edit, name="edit"),
    path("<uuid:pk>/identifiers/new/", views.identifier_add, name="identifier_add"),
    path("<uuid:pk>/identifiers/<uuid:identifier_pk>/edit/", views.identifier_edit, name="identifier_edit"),
    path("<uuid:pk>/identifiers/<uuid:identifier_pk>/remove/", views.identifier_remove, name="identifier_remove"),
    path("<uuid:pk>/related/new/", views.related_person_add, name="related_add"),
    path("<uuid:pk>/related/<uuid:person_pk>/edit/", views.related_person_edit, name="related_edit"),
    path("<uuid:pk>/related/<uuid:person_pk>/remove/", views.related_person_remove, name="related_remove"),
    path("<uuid:pk>/break-glass/", views.break_glass, name="break_glass"),
    path("<uuid:pk>/access-log/", views.access_log, name="access_log"),
    path("<uuid:pk>/history/", views.patient_history, name="history"),
    path("break-glass/<uuid:pk>/review/", views.break_glass_review, name="break_glass_review"),
]
