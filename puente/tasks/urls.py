from django.urls import path

from . import views

app_name = "tasks"
urlpatterns = [
    path("notifications/", views.notification_list, name="notifications"),
    path("tasks/<uuid:pk>/done/", views.task_done, name="done"),
    path("patients/<uuid:patient_pk>/tasks/new/", views.task_new, name="new"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
]
