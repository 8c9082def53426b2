"""The annual work summary as data: every registered figure for a unit and a year, with last year's value beside
it, its months, and the narrative filled in. The page, the Word, Excel and PDF files and the JSON all read this."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from laogan.lib import figures
from laogan.lib.figures import Period

from . import narrative, rollups
from .models import Narrative


@dataclass
class FigureRow:
    figure: figures.Figure
    value: object
    previous: object
    monthly: dict = field(default_factory=dict)

    @property
    def change(self):
        numbers = (int, float, Decimal)
        if isinstance(self.value, numbers) and isinstance(self.previous, numbers) and type(self.value) is type(self.previous):
            change = self.value - self.previous
            return round(change, 1) if isinstance(change, float) else change
        return None

    @property
    def change_percent(self):
        if self.change is None or not self.previous:
            return None
        return round(Decimal(str(self.change)) * 100 / Decimal(str(self.previous)), 1)


@dataclass
class AreaRows:
    area: figures.Area
    rows: list


@dataclass
class Summary:
    unit: object
    year: int
    period: Period
    areas: list
    title: str
    paragraphs: list
    unknown_placeholders: list
    as_of: object = None  # when the values were counted, if not now (a bureau's page: snapshots.py)

    def values(self):
        return {row.figure.key: row.value for a in self.areas for row in a.rows}

    def row(self, key):
        return next(r for a in self.areas for r in a.rows if r.figure.key == key)


def period_of(year, until=None):
    """Return the period a summary of `year` counts: the whole year, or up to `until` when the year is not over."""
    period = Period.year(year)
    return Period(period.start, until, period.label) if until is not None and until < period.end else period


def build(unit, year, *, with_monthly=True, until=None):
    """Return the Summary of `unit` for `year` (up to `until` when the year is not over)."""
    period = period_of(year, until)
    previous = Period.year(year - 1)
    rolled = rollups.Reader(unit, previous.start, period.end)
    counted = _counted_together(unit, period, previous, with_monthly)
    areas = []
    for area, area_figures in figures.areas():
        rows = [counted.get(f.key) or _row(f, rolled, period, previous, with_monthly) for f in area_figures]
        areas.append(AreaRows(area=area, rows=rows))
    return _with_text(unit, year, period, areas)


def from_values(unit, year, until, values, *, as_of):
    """Return the Summary of values counted earlier ({figure key: (value, last year's)}), e.g. a snapshot's. A figure
    registered since is counted now."""
    period = period_of(year, until)
    previous = Period.year(year - 1)
    areas = []
    for area, area_figures in figures.areas():
        rows = []
        for f in area_figures:
            value, last_year = values[f.key] if f.key in values else (f.value(unit, period), f.value(unit, previous))
            rows.append(FigureRow(figure=f, value=value, previous=last_year))
        areas.append(AreaRows(area=area, rows=rows))
    built = _with_text(unit, year, period, areas)
    built.as_of = as_of
    return built


def _with_text(unit, year, period, areas):
    stored = Narrative.objects.filter(unit=unit, year=year).first()
    title = stored.title if stored else narrative.default_title(unit, year)
    body = stored.body if stored else narrative.default_body(year)
    values = {r.figure.key: r.value for a in areas for r in a.rows}
    filled, unknown = narrative.fill(body, values)
    return Summary(unit=unit, year=year, period=period, areas=areas, title=title,
                   paragraphs=narrative.paragraphs(filled), unknown_placeholders=unknown)


def _row(figure, rolled, period, previous, with_monthly):
    if with_monthly:
        value, monthly = rolled.value_and_months(figure, period)
    else:
        value, monthly = rolled.value(figure, period), {}
    # A state now, whatever the period, was the same last year: asked once.
    last_year = value if figure.timeless else rolled.value(figure, previous)
    return FigureRow(figure=figure, value=value, previous=last_year, monthly=monthly)


def _counted_together(unit, period, previous, with_monthly):
    """Return {figure key: FigureRow} of the counts that are not sums of their months: this year, last year and the
    months of every such figure of one table in one scan, a FILTER per figure and period (the Member table's
    states, the activities' counts)."""
    months = figures.month_periods(period) if with_monthly else {}
    groups = defaultdict(list)
    for figure in figures.all_figures():
        if figure.additive or figure.timeless:
            continue
        own_months = figure.compute_monthly is None and bool(months)
        if figure.countable_together(_periods(period, previous, months if own_months else {})):
            groups[(figure.model, figure.path_field, figure.date_field, own_months)].append(figure)
    rows = {}
    for (_model, _path, _date, own_months), group in groups.items():
        found = figures.count_together(group, unit, _periods(period, previous, months if own_months else {}))
        for figure in group:
            counts = found[figure.key]
            if own_months:
                monthly = {m: counts[f"m{i}"] for i, m in enumerate(months)}
            else:
                monthly = figure.monthly(unit, period) if with_monthly else {}
            rows[figure.key] = FigureRow(figure=figure, value=counts["value"], previous=counts["previous"], monthly=monthly)
    return rows


def _periods(period, previous, months):
    return {"value": period, "previous": previous, **{f"m{i}": p for i, p in enumerate(months.values())}}


def as_json(summary):
    """Return {figure key: value} — numbers as numbers, money as a string with two decimals."""
    return {k: (f"{v:.2f}" if isinstance(v, Decimal) else v) for k, v in summary.values().items()}
