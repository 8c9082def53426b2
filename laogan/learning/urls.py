from django.urls import path

from . import views

urlpatterns = [
    path("", views.grid_view, name="learning_grid"),
    path("members/<int:pk>/", views.member_year, name="learning_member"),
    path("members/<int:pk>/reading/", views.record_reading, name="learning_record_reading"),
    path("members/<int:pk>/reflection/", views.record_reflection, name="learning_record_reflection"),
    path("members/<int:pk>/deed/", views.record_deed, name="learning_record_deed"),
    path("records/<slug:kind>/<int:pk>/delete/", views.delete_record, name="learning_delete"),
    path("reflections/", views.reflection_list, name="learning_reflections"),
    path("reflections/<int:pk>/", views.reflection_detail, name="learning_reflection"),
    path("reflections/<int:pk>/consent/", views.reflection_consent, name="learning_consent"),
    path("reflections/<int:pk>/file/", views.reflection_file, name="learning_reflection_file"),
    path("special-issue.pdf", views.special_issue, name="learning_special_issue"),
    path("materials/", views.material_list, name="learning_materials"),
    path("materials/new/", views.material_new, name="learning_material_new"),
    path("materials/<int:pk>/", views.material_detail, name="learning_material"),
]
