from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "laogan.learning"
    verbose_name = _("Learning (三个一)")
