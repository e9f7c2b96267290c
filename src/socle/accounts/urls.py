from django.urls import path

from socle.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.SocleLoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("verify/", views.verify, name="verify"),
    path("security/", views.security, name="security"),
    path("security/totp/", views.totp_setup, name="totp_setup"),
    path("security/totp/disable/", views.totp_disable, name="totp_disable"),
]
