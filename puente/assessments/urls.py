from django.urls import path

from . import views

app_name = "assessments"
urlpatterns = [
    path("patients/<uuid:patient_pk>/assessments/", views.assessment_list, name="list"),
    path("patients/<uuid:patient_pk>/assessments/new/", views.assessment_start, name="start"),
    path("assessments/<uuid:pk>/", views.assessment_detail, name="detail"),
    path("assessments/<uuid:pk>/edit/", views.assessment_edit, name="edit"),
    path("assessments/<uuid:pk>/autosave/", views.assessment_autosave, name="autosave"),
    path("assessments/<uuid:pk>/sign/", views.assessment_sign, name="sign"),
    path("assessments/<uuid:pk>/addenda/", views.addendum_add, name="addendum_add"),
]
