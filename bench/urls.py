from django.urls import path

from laogan.urls import urlpatterns as app_urlpatterns

from .admin import site

urlpatterns = [path("bench-admin/", site.urls), *app_urlpatterns]
