from django.urls import path

from . import views

app_name = "perf"
urlpatterns = [
    path("perf/floor/", views.floor, name="floor"),
]
