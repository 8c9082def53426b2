from django.urls import path

from . import setup_views, views

urlpatterns = [
    path("", views.request_list, name="request_list"),
    path("new/", views.request_create, name="request_create"),
    path("members/", views.member_search, name="request_member_search"),
    path("export/", views.request_export, name="request_export"),
    path("figures/", views.request_figures, name="request_figures"),
    path("<int:pk>/", views.request_detail, name="request_detail"),
    path("<int:pk>/note/", views.request_note, name="request_note"),
    path("<int:pk>/<slug:action>/", views.request_action, name="request_action"),
    path("setup/", setup_views.setup, name="request_setup"),
    path("setup/policy/<int:category_id>/", setup_views.policy_edit, name="request_policy_edit"),
    path("setup/category/new/", setup_views.category_create, name="request_category_create"),
    path("setup/partner/new/", setup_views.partner_edit, name="request_partner_create"),
    path("setup/partner/<int:partner_id>/", setup_views.partner_edit, name="request_partner_edit"),
]
