from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "laogan.services"
    verbose_name = _("Service requests")

    def ready(self):
        # The worker's deadline sweep, and what a member's death does to their open requests.
        from . import escalation, handlers  # noqa: F401
