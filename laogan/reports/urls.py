from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="home"),
    path("figures/<slug:key>/", views.figure_records, name="figure_records"),
    path("figures/<slug:key>/compare/", views.compare, name="figure_compare"),
    path("reports/annual/", views.annual, name="annual"),
    path("reports/annual/edit/", views.annual_edit, name="annual_edit"),
    path("reports/annual/download/<str:fmt>/", views.annual_download, name="annual_download"),
    path("reports/rollup/", views.rollup, name="rollup"),
]
