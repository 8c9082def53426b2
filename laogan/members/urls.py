from django.urls import path

from . import roster_views, views

urlpatterns = [
    path("", views.member_list, name="member_list"),
    path("new/", views.member_create, name="member_create"),
    path("<int:pk>/", views.member_detail, name="member_detail"),
    path("<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("<int:pk>/events/", views.member_record_event, name="member_record_event"),
    path("<int:pk>/reveal/<str:field>/", views.member_reveal, name="member_reveal"),
    path("<int:pk>/photo/", views.member_photo, name="member_photo"),
    path("import/", roster_views.member_import, name="member_import"),
    path("import/<str:token>/", roster_views.member_import_preview, name="member_import_preview"),
    path("import/<str:token>/confirm/", roster_views.member_import_confirm, name="member_import_confirm"),
    path("import/<str:token>/cancel/", roster_views.member_import_cancel, name="member_import_cancel"),
    path("import/<str:token>/result/", roster_views.member_import_result, name="member_import_result"),
    path("import/<str:token>/errors.xlsx", roster_views.member_import_errors, name="member_import_errors"),
    path("export/", roster_views.member_export, name="member_export"),
]
