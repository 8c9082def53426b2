from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from laogan.accounts.models import PATH_MAX


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


class MonthlyFigure(models.Model):
    """One additive figure's value for one closed month and one unit at the roll-up depth (see rollups.py)."""

    figure = models.CharField(max_length=60)
    month = models.DateField()
    path = models.CharField(max_length=PATH_MAX)
    value = models.DecimalField(max_digits=20, decimal_places=2)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["figure", "month", "path"], name="one_rollup_row")]
        indexes = [models.Index(fields=["path", "month"], name="rollup_path_month")]


class RolledMonth(models.Model):
    """That a figure's month is in MonthlyFigure, computed at `depth` as of `computed_at`. A record of that month
    saved later sets `changed_at`, and the month is read live until the worker computes it again."""

    figure = models.CharField(max_length=60)
    month = models.DateField()
    depth = models.PositiveSmallIntegerField(default=0)
    computed_at = models.DateTimeField(null=True)
    changed_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["figure", "month"], name="one_marker_per_figure_month")]


class SummarySnapshot(models.Model):
    """A bureau's summary values for a year (this year to the day it was computed, or last year), computed by the
    worker ahead of the page (reports/snapshots.py): a province's figures scan millions of rows, a page must not."""

    unit = models.ForeignKey("accounts.Unit", models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    until = models.DateField()  # the last day counted
    computed_at = models.DateTimeField()
    values = models.JSONField()  # {figure key: [value, last year's]}; Decimals as strings

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="one_snapshot_per_unit_year")]
