from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "laogan.reports"
    verbose_name = _("Figures and reports")

    def ready(self):
        # Each app declares its figures and dashboard panels in <app>/figures.py.
        autodiscover_modules("figures")
        from . import rollups, snapshots  # noqa: F401 (snapshots registers the worker's snapshot_summaries job)

        rollups.connect()  # also registers the worker's refresh_rollups job
