from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Narrative(models.Model):
    """The prose of one unit's annual work summary. Numbers are written as {figure_key} and filled in when the
    report is made, so the text stays true when the records change."""

    unit = models.ForeignKey("accounts.Unit", models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="one_narrative_per_unit_year")]
