from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiaisonConfig(AppConfig):
    name = "laogan.liaison"
    verbose_name = _("Liaisons, pairings and service cards")

    def ready(self):
        from . import reminders  # noqa: F401  (registers the periodic check for members who lost their liaison)
