from django.urls import path

from .views import activities, advisory, attendance, suggestions

urlpatterns = [
    path("", activities.activity_list, name="activity_list"),
    path("new/", activities.activity_form, name="activity_new"),
    path("<int:pk>/", activities.activity_detail, name="activity_detail"),
    path("<int:pk>/edit/", activities.activity_form, name="activity_edit"),
    path("<int:pk>/attendance/", attendance.attendance, name="activity_attendance"),
    path("<int:pk>/scan/", attendance.scan, name="activity_scan"),
    path("<int:pk>/photos/", activities.activity_photos, name="activity_photos"),
    path("<int:pk>/photos/<int:photo_pk>/", activities.activity_photo, name="activity_photo"),
    path("series/", activities.series_list, name="activity_series_list"),
    path("series/new/", activities.series_form, name="activity_series_new"),
    path("series/<int:pk>/", activities.series_detail, name="activity_series_detail"),
    path("series/<int:pk>/edit/", activities.series_form, name="activity_series_edit"),
    path("signin-cards/", attendance.signin_cards, name="activity_signin_cards"),
    path("advisory/", advisory.groups, name="advisory_groups"),
    path("advisory/defaults/", advisory.create_defaults, name="advisory_defaults"),
    path("advisory/new/", advisory.group_form, name="advisory_group_new"),
    path("advisory/<int:pk>/", advisory.group_detail, name="advisory_group"),
    path("advisory/<int:pk>/edit/", advisory.group_form, name="advisory_group_edit"),
    path("advisory/<int:pk>/advisers/", advisory.add_adviser, name="advisory_add_adviser"),
    path("advisory/<int:pk>/advisers/<int:adviser_pk>/remove/", advisory.remove_adviser, name="advisory_remove_adviser"),
    path("advisory/<int:pk>/work/", advisory.add_work, name="advisory_add_work"),
    path("suggestions/", suggestions.suggestion_list, name="suggestion_list"),
    path("suggestions/new/", suggestions.suggestion_new, name="suggestion_new"),
    path("suggestions/yearly/", suggestions.yearly, name="suggestion_yearly"),
    path("suggestions/<int:pk>/", suggestions.suggestion_detail, name="suggestion_detail"),
    path("suggestions/<int:pk>/forward/", suggestions.forward, name="suggestion_forward"),
    path("suggestions/<int:pk>/answer/", suggestions.answer, name="suggestion_answer"),
    path("suggestions/<int:pk>/decide/", suggestions.decide, name="suggestion_decide"),
]
