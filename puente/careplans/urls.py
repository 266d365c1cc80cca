from django.urls import path

from . import views

app_name = "careplans"
urlpatterns = [
    path("patients/<uuid:patient_pk>/care-plan/", views.care_plan, name="plan"),
    path("patients/<uuid:patient_pk>/care-plan/pdf/", views.care_plan_pdf, name="pdf"),
    path("patients/<uuid:patient_pk>/care-plan/concerns/new/", views.concern_add, name="concern_add"),
    path("patients/<uuid:patient_pk>/care-plan/goals/new/", views.goal_add, name="goal_add"),
    path("patients/<uuid:patient_pk>/care-plan/reviews/new/", views.review_add, name="review_add"),
    path("care-plan/concerns/<uuid:pk>/edit/", views.concern_edit, name="concern_edit"),
    path("care-plan/goals/<uuid:pk>/edit/", views.goal_edit, name="goal_edit"),
    path("care-plan/goals/<uuid:pk>/progress/", views.progress_add, name="progress_add"),
    path("care-plan/goals/<uuid:pk>/interventions/new/", views.intervention_add, name="intervention_add"),
    path("care-plan/interventions/<uuid:pk>/edit/", views.intervention_edit, name="intervention_edit"),
]
