from django.urls import path

from . import views

app_name = "caseload"
urlpatterns = [
    path("team/", views.team_page, name="team"),
    path("team/referrals/<uuid:pk>/assign/", views.assign, name="assign"),
    path("team/<uuid:pk>/target/", views.target_edit, name="target"),
    path("team/<uuid:team_pk>/workers/<int:user_pk>/territory/", views.territory_edit, name="territory"),
]
