from django.urls import include, path

urlpatterns = [
    path("", include("laogan.accounts.urls")),
    path("members/", include("laogan.members.urls")),
]
