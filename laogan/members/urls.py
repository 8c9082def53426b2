from django.urls import path

from . import views

urlpatterns = [
    path("", views.member_list, name="member_list"),
    path("new/", views.member_create, name="member_create"),
    path("<int:pk>/", views.member_detail, name="member_detail"),
    path("<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("<int:pk>/events/", views.member_record_event, name="member_record_event"),
    path("<int:pk>/reveal/<str:field>/", views.member_reveal, name="member_reveal"),
    path("<int:pk>/photo/", views.member_photo, name="member_photo"),
    path("import/", views.member_import, name="member_import"),
    path("export/", views.member_export, name="member_export"),
]
