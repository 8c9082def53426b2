from django.urls import include, path

urlpatterns = [
    path("", include("laogan.reports.urls")),
    path("", include("laogan.accounts.urls")),
    path("members/", include("laogan.members.urls")),
    path("visits/", include("laogan.visits.urls")),
    path("services/", include("laogan.services.urls")),
    path("liaison/", include("laogan.liaison.urls")),
    path("surveys/", include("laogan.surveys.urls")),
    path("cases/", include("laogan.cases.urls")),
    path("activities/", include("laogan.activities.urls")),
    path("learning/", include("laogan.learning.urls")),
    path("", include("laogan.jobs.urls")),
]
