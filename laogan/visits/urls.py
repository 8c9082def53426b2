from django.urls import path

from . import views

urlpatterns = [
    path("", views.worklist, name="visit_worklist"),
    path("team/", views.team, name="visit_team"),
    path("record/", views.record_visit, name="visit_record"),
    path("gathering/", views.gathering, name="visit_gathering"),
    path("records/", views.record_list, name="visit_record_list"),
    path("records/<int:pk>/", views.record_detail, name="visit_record_detail"),
    path("records/<int:pk>/photos/<int:photo_pk>/", views.record_photo, name="visit_record_photo"),
    path("members/<int:pk>/", views.member_visits, name="visit_member"),
    path("planned/<int:pk>/cancel/", views.cancel_planned, name="visit_cancel"),
    path("ledger/", views.ledger_view, name="visit_ledger"),
    path("ledger/export/", views.ledger_export, name="visit_ledger_export"),
    path("ledger/budget/", views.ledger_budget, name="visit_ledger_budget"),
    path("ledger/entries/<int:pk>/reverse/", views.ledger_reverse, name="visit_ledger_reverse"),
    path("rules/", views.rules_view, name="visit_rules"),
    path("rules/festivals/new/", views.festival_edit, name="visit_festival_new"),
    path("rules/festivals/<int:pk>/", views.festival_edit, name="visit_festival_edit"),
]
