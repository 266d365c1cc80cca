from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.PuenteLoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("mfa/setup/", views.mfa_setup, name="mfa_setup"),
    path("mfa/verify/", views.mfa_verify, name="mfa_verify"),
    path("profile/", views.profile, name="profile"),
    path("password/", views.PuentePasswordChangeView.as_view(), name="password_change"),
    path("password/done/", views.PuentePasswordChangeDoneView.as_view(), name="password_change_done"),
    path("language/", views.set_language, name="set_language"),
    path("keepalive/", views.keepalive, name="keepalive"),
]
