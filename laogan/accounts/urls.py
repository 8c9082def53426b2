from django.urls import path

from . import report_views, totp_views, views

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("login/code/", totp_views.login_code, name="login_code"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("two-step/", totp_views.totp_setup, name="totp_setup"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/active/", views.user_set_active, name="user_set_active"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("users/<int:pk>/reset-password/", views.user_reset_password, name="user_reset_password"),
    path("users/<int:pk>/reset-two-step/", totp_views.user_reset_totp, name="user_reset_totp"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/", views.unit_edit, name="unit_edit"),
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/member/<int:pk>/", report_views.member_access_report, name="member_access_report"),
]
