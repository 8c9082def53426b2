from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "laogan.surveys"
    verbose_name = _("Satisfaction surveys")

    def ready(self):
        from . import periodic  # noqa: F401  (registers the closing, scrubbing and pruning jobs)
