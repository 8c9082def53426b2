from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "laogan.accounts"
    verbose_name = _("Accounts and organisation")

    def ready(self):
        from datetime import timedelta

        from laogan.jobs.registry import periodic

        from . import checks  # noqa: F401  (registers the deployment checks)
        from . import lockout

        periodic("prune_login_failures", every=timedelta(hours=1))(lockout.prune)

        from . import retention

        periodic("purge_old_audit_entries", every=timedelta(days=1))(retention.purge_job)
