from django.urls import include, path

urlpatterns = [
    path("", include("laogan.reports.urls")),
    path("", include("laogan.accounts.urls")),
    path("members/", include("laogan.members.urls")),
    path("liaison/", include("laogan.liaison.urls")),
    path("", include("laogan.jobs.urls")),
]
