from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "laogan.activities"
    verbose_name = _("Activities")

    def ready(self):
        # The worker's job that schedules the next occurrences of recurring activities (the half-yearly briefing).
        from . import jobs  # noqa: F401
