from django.urls import path

from . import views

app_name = "timekeeping"
urlpatterns = [
    path("patients/<uuid:patient_pk>/time/", views.patient_time, name="patient"),
    path("patients/<uuid:patient_pk>/time/timer/start/", views.timer_start, name="timer_start"),
    path("patients/<uuid:patient_pk>/time/timer/stop/", views.timer_stop, name="timer_stop"),
    path("patients/<uuid:patient_pk>/time/timer/discard/", views.timer_discard, name="timer_discard"),
    path("patients/<uuid:patient_pk>/time/programs/<str:family>/", views.program_save, name="program_save"),
    path("time/", views.my_time, name="mine"),
    path("time/entries/<uuid:pk>/edit/", views.entry_edit, name="entry_edit"),
    path("time/entries/<uuid:pk>/delete/", views.entry_delete, name="entry_delete"),
    path("time/team/", views.team_time, name="team"),
    path("time/team/export.csv", views.team_export, name="export"),
    path("time/team/close/", views.month_close, name="close"),
]
