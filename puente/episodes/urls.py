from django.urls import path

from . import views

app_name = "episodes"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("queue/", views.queue, name="queue"),
    path("queue/<uuid:pk>/take/", views.referral_take, name="take"),
    path("queue/<uuid:pk>/assign/", views.referral_assign, name="assign"),
    path("queue/<uuid:pk>/contact/", views.referral_contact, name="contact"),
    path("queue/<uuid:pk>/close/", views.referral_close, name="close"),
    path("patients/<uuid:patient_pk>/sw-referrals/new/", views.referral_create, name="referral_create"),
    path("patients/<uuid:patient_pk>/episodes/new/", views.episode_create, name="episode_create"),
    path("patients/<uuid:patient_pk>/episodes/<uuid:pk>/edit/", views.episode_edit, name="episode_edit"),
]
