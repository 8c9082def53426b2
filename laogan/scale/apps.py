from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScaleConfig(AppConfig):
    # No models: the synthetic province (seed_scale) that the benchmark suite in bench/ measures.
    name = "laogan.scale"
    verbose_name = _("Synthetic data at scale")
