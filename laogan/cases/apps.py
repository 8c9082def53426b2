from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "laogan.cases"
    verbose_name = _("Case work")

    def ready(self):
        # Life-event handlers (a death opens the after-death case, a hardship report the hardship case) and the
        # worker's overdue-step sweep.
        from . import handlers, jobs  # noqa: F401
