from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "laogan.jobs"
    verbose_name = _("Background work")

    def ready(self):
        from . import backup, messaging  # noqa: F401  (register the nightly backup and the delivery job)
