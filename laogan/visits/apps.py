from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "laogan.visits"
    verbose_name = _("Visits (四必访)")

    def ready(self):
        # Life-event handlers (admission, discharge, hardship, death) and the worker's planning and reminder jobs.
        from . import handlers, jobs  # noqa: F401
