from django.urls import path

from . import answer, views

urlpatterns = [
    path("", views.survey_list, name="survey_list"),
    path("new/", views.survey_create, name="survey_create"),
    path("a/", answer.answer, name="survey_answer"),
    path("<int:pk>/", views.survey_detail, name="survey_detail"),
    path("<int:pk>/edit/", views.survey_edit, name="survey_edit"),
    path("<int:pk>/questions/new/", views.question_edit, name="question_add"),
    path("<int:pk>/questions/<int:qid>/", views.question_edit, name="question_edit"),
    path("<int:pk>/questions/<int:qid>/delete/", views.question_delete, name="question_delete"),
    path("<int:pk>/issue/", views.survey_issue, name="survey_issue"),
    path("<int:pk>/replacement/", views.survey_replacement, name="survey_replacement"),
    path("<int:pk>/batches/<int:bid>/void/", views.batch_void, name="batch_void"),
    path("<int:pk>/close/", views.survey_close, name="survey_close"),
    path("<int:pk>/enter/", views.survey_entry, name="survey_entry"),
    path("<int:pk>/questionnaire.pdf", views.survey_questionnaire, name="survey_questionnaire"),
    path("<int:pk>/results/", views.survey_results, name="survey_results"),
    path("<int:pk>/results/how/", views.survey_results_how, name="survey_results_how"),
    path("<int:pk>/results.<str:fmt>", views.survey_results_download, name="survey_results_download"),
]
