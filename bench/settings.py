"""Settings of the benchmark suite: the app's own settings, plus the peers it is measured against (the Django
admin's changelist search, django-import-export). Only bench/ mounts them; the app itself ships neither."""

from laogan.settings import *  # noqa: F401,F403
from laogan.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "django.contrib.admin", "import_export"]
ROOT_URLCONF = "bench.urls"
# The suite serves its own collected static files through gunicorn, like a production deployment.
DEBUG = False
