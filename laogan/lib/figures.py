"""The figures registry: every number Laogan shows is declared once, with the records behind it.

Each app declares its figures in `<app>/figures.py` by calling `register(Figure(...))`; the reports app discovers
them and never needs to know how they are counted. A figure is computed for one unit of the org tree (its whole
subtree) and one period, from a queryset of records that a user can open: the number and the list are the same
query, so every number can be traced to the rows behind it.
"""

import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Callable

from django.db import connections, models
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

UNITS = ("人", "人次", "件", "元", "%", "次", "天", "本", "篇", "条", "场", "分钟", "小时")


@dataclass(frozen=True)
class Period:
    """A span of whole days, both ends included."""

    start: date
    end: date
    label: str = ""

    @classmethod
    def year(cls, year):
        return cls(date(year, 1, 1), date(year, 12, 31), f"{year}年")

    @classmethod
    def quarter(cls, year, quarter):
        start = date(year, 3 * quarter - 2, 1)
        end = (date(year, 3 * quarter, 1) + timedelta(days=31)).replace(day=1) - timedelta(days=1)
        return cls(start, end, f"{year}年第{quarter}季度")

    @classmethod
    def month(cls, year, month):
        start = date(year, month, 1)
        end = (start + timedelta(days=31)).replace(day=1) - timedelta(days=1)
        return cls(start, end, f"{year}年{month}月")

    @classmethod
    def year_to_date(cls, today):
        return cls(date(today.year, 1, 1), today, f"{today.year}年1月1日至{today.month}月{today.day}日")

    def previous_year(self):
        return Period(years_before(self.start, 1), years_before(self.end, 1), "")

    def contains(self, day):
        return day is not None and self.start <= day <= self.end

    def months(self):
        """Return the first day of each month the period touches."""
        out, d = [], self.start.replace(day=1)
        while d <= self.end:
            out.append(d)
            d = (d + timedelta(days=32)).replace(day=1)
        return out


@dataclass(frozen=True)
class Column:
    label: str
    path: str  # attribute path on a record, e.g. "member.name" or "date"


@dataclass(frozen=True)
class Figure:
    """One countable fact about the work, e.g. hospital visits in a year for a centre.

    `records(unit, period)` is the queryset behind the number: rows of `model` in the unit's subtree (through
    `path_field`), dated inside the period (through `date_field`; None for a state at the period's end), that satisfy
    `where` (a Q, or a function of the period returning a Q). `measure` says how the rows become a number: "count",
    "members" (distinct members, for 人), or "sum:<field>" (for 元). A figure that is not a count of its rows (a
    median, a share) gives `compute(unit, period)` instead and still lists the rows it was computed from.
    """

    key: str
    area: str
    label_zh: str
    label_en: str
    unit: str
    model: type
    path_field: str
    date_field: str | None = None
    where: object = field(default_factory=models.Q)
    measure: str = "count"
    rule_zh: str = ""
    columns: tuple = ()
    order: int = 100
    compute: Callable | None = None
    # (unit, period) -> {first day of month: value}, when the months can be counted together faster than one by one
    compute_monthly: Callable | None = None
    # (unit, period) -> (value, {first day of month: value}), when both come from one reading of the rows (a median)
    compute_with_months: Callable | None = None
    key_figure: bool = False  # shown on the dashboard

    def __post_init__(self):
        if self.unit not in UNITS:
            raise ValueError(f"figure {self.key}: unknown unit {self.unit!r}")

    @property
    def label(self):
        from django.utils.translation import get_language

        return self.label_en if (get_language() or "").startswith("en") else self.label_zh

    @property
    def additive(self):
        """Whether the value for a period is the sum of the values for its months: a count or sum of rows dated by a
        column of their own, under a condition that does not depend on the period. Such figures are rolled up by
        month (reports/rollups.py)."""
        return (self.compute is None and bool(self.date_field) and "__" not in self.date_field
                and not callable(self.where) and (self.measure == "count" or self.measure.startswith("sum:")))

    @property
    def timeless(self):
        """Whether the figure is a state now, whatever the period (members without a liaison)."""
        return self.compute is None and not self.date_field and not callable(self.where)

    def value_and_monthly(self, unit, period):
        """Return (value, {month: value}) over the period, reading the rows once where the figure can."""
        if self.compute_with_months is not None:
            return self.compute_with_months(unit, period)
        if self.timeless:
            value = self.value(unit, period)
            return value, dict.fromkeys(period.months(), value)
        return self.value(unit, period), self.monthly(unit, period)

    def countable_together(self, periods):
        """Whether one scan with a FILTER per period gives each period's value (count_together): a count (or count of
        members) with no computation, whose rows join no to-many or optional relation."""
        if self.compute is not None or self.measure not in ("count", "members"):
            return False
        samples = [self.where_q(p) for p in periods.values()]
        return not any(_walks_many(self.model, q) or not required_joins_only(self.model, q) for q in samples)

    def counts_by_period(self, periods):
        """Return {name: the aggregate counting this figure's rows of that period}, for count_together."""
        counts = {}
        for name, p in periods.items():
            condition = self.where_q(p)
            if self.date_field:
                condition &= models.Q(**{f"{self.date_field}__gte": p.start, f"{self.date_field}__lte": p.end})
            if self.measure == "count":
                counts[name] = Count("pk", filter=condition or None)
            else:
                counts[name] = Count("member_id", distinct=True, filter=condition or None)
        return counts

    def where_q(self, period):
        return self.where(period) if callable(self.where) else self.where

    def records(self, unit, period):
        rows = self.model._default_manager.filter(self.in_unit(unit)).filter(self.where_q(period))
        if self.date_field:
            rows = rows.filter(**{f"{self.date_field}__gte": period.start, f"{self.date_field}__lte": period.end})
        return rows

    def in_unit(self, unit):
        """Return the Q of the rows in the unit's subtree. For a centre or smaller, a path through one relation (a
        visit's member) is asked as "member in (the unit's members)", which the database answers from the unit's
        few members by the relation's index; a join let SQLite read the whole province's rows of the period and
        check each one's member (a centre's deaths: 116 ms → 2 ms at 10^6 members)."""
        from laogan.accounts.models import UnitKind, subtree_q

        relation, _, field = self.path_field.rpartition("__")
        if relation and "__" not in relation and unit.kind != UnitKind.BUREAU:
            related = self.model._meta.get_field(relation).related_model
            return models.Q(**{f"{relation}__in": related._default_manager.filter(subtree_q(unit.path, field)).values("pk")})
        return subtree_q(unit.path, self.path_field)

    def related_paths(self):
        """Return the select_related paths the columns walk through, so a drill-down page costs one query."""
        paths = set()
        for column in self.columns:
            model, parts = self.model, []
            for part in column.path.split(".")[:-1]:
                try:
                    field = model._meta.get_field(part)
                except Exception:
                    break
                if not (field.is_relation and (field.many_to_one or field.one_to_one)):
                    break
                parts.append(part)
                model = field.related_model
            if parts:
                paths.add("__".join(parts))
        return sorted(paths)

    def value(self, unit, period):
        if self.compute is not None:
            return self.compute(unit, period)
        return self.measure_of(self.records(unit, period))

    def measure_of(self, rows):
        rows = rows.order_by()
        if self.measure == "count":
            return rows.count()
        if self.measure == "members":
            return rows.values("member_id").distinct().count()
        if self.measure.startswith("sum:"):
            total = rows.aggregate(total=Sum(self.measure[4:]))["total"]
            return (total or Decimal("0")).quantize(Decimal("0.01"), ROUND_HALF_UP)
        raise ValueError(f"figure {self.key}: unknown measure {self.measure!r}")

    def liaison_share(self, unit, period, liaison):
        """Return the part of the value that concerns `liaison`'s own members, or None when the figure is not
        about members (or is not a plain count or sum of its rows)."""
        if self.compute is not None or not self.path_field.endswith("unit_path"):
            return None
        prefix = self.path_field[: -len("unit_path")]
        for lookup in (prefix + "liaison", prefix + "member__liaison"):
            if _lookup_exists(self.model, lookup):
                return self.measure_of(self.records(unit, period).filter(**{lookup: liaison}))
        return None

    def monthly(self, unit, period):
        """Return {first day of month: value} over the period, in one query (count and sum figures)."""

        if self.compute_monthly is not None:
            return self.compute_monthly(unit, period)
        if self.compute_with_months is not None or self.timeless:
            return self.value_and_monthly(unit, period)[1]
        months = month_periods(period)
        if self.compute is None and not self.date_field and self.measure == "count" and not _walks_many(self.model, self.where_q(period)):
            # A state at each month's end: one scan counting under each month's condition, not one query a month.
            counts = {f"m{i}": Count("pk", filter=self.where_q(p) or None) for i, p in enumerate(months.values())}
            found = self.model._default_manager.filter(self.in_unit(unit)).aggregate(**counts)
            return {m: found[f"m{i}"] for i, m in enumerate(months)}
        if self.compute is not None or not self.date_field:
            return {m: self.value(unit, p) for m, p in months.items()}
        rows = self.records(unit, period).order_by().annotate(m=TruncMonth(self.date_field)).values("m")
        if self.measure == "count":
            rows = rows.annotate(v=Count("pk"))
        elif self.measure == "members":
            rows = rows.annotate(v=Count("member_id", distinct=True))
        else:
            rows = rows.annotate(v=Sum(self.measure[4:]))
        found = {as_date(r["m"]): r["v"] for r in rows}
        return {m: found.get(m, 0) or 0 for m in period.months()}


class MinutesBetween(models.Func):
    """Minutes from one date-time column to another, to four decimals, computed by the database itself: Django's
    own datetime subtraction on SQLite calls a Python function per row, which made a province's median times read
    ~6× slower than the rows themselves."""

    output_field = models.FloatField()
    arity = 2

    def as_sql(self, compiler, connection, **extra_context):
        (start, start_params), (end, end_params) = (compiler.compile(e) for e in self.get_source_expressions())
        sql = f"CAST(ROUND(CAST(EXTRACT(EPOCH FROM ({end} - {start})) AS numeric) / 60, 4) AS double precision)"
        return sql, (*end_params, *start_params)

    def as_sqlite(self, compiler, connection, **extra_context):
        (start, start_params), (end, end_params) = (compiler.compile(e) for e in self.get_source_expressions())
        return f"ROUND((julianday({end}) - julianday({start})) * 1440, 4)", (*end_params, *start_params)


def count_together(figures, unit, periods):
    """Return {figure key: {name: value}} for figures of one model, path and date field that are each
    countable_together over the periods: one scan of the unit's rows, a FILTER per figure and period."""
    first = figures[0]
    rows = first.model._default_manager.filter(first.in_unit(unit))
    if first.date_field:
        rows = rows.filter(**{f"{first.date_field}__gte": min(p.start for p in periods.values()),
                              f"{first.date_field}__lte": max(p.end for p in periods.values())})
    counts = {f"f{i}_{name}": count for i, f in enumerate(figures) for name, count in f.counts_by_period(periods).items()}
    found = rows.order_by().aggregate(**counts)
    return {f.key: {name: found[f"f{i}_{name}"] for name in periods} for i, f in enumerate(figures)}


class Median(models.Aggregate):
    """The median of an expression: PostgreSQL's percentile_cont(0.5), which like statistics.median takes the mean
    of the two middle values of an even count. SQLite has no such function: see median_of."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = models.FloatField()


def median_of(rows, expression):
    """Return the median of an expression over a queryset's rows, or None when there are none. PostgreSQL computes
    it (a province's year of durations never leaves the database); elsewhere the values are read and Python takes it."""
    if connections[rows.db].vendor == "postgresql":  # percentile_cont skips nulls, as below
        return rows.order_by().aggregate(m=Median(expression))["m"]
    values = [v for v in rows.order_by().values_list(expression, flat=True) if v is not None]
    return statistics.median(values) if values else None


def as_date(value):
    """Return a month truncated by the database as a date (some backends give a datetime)."""
    return value.date() if hasattr(value, "date") else value


def month_periods(period):
    """Return {first day of month: the part of the period in that month}."""
    return {m: Period(max(m, period.start), min(_month_end(m), period.end)) for m in period.months()}


def required_joins_only(model, q):
    """Return whether every relation a Q walks is a required many-to-one (so joining it drops no row)."""
    return all(field.many_to_one and not field.null for field in _relations_walked(model, q))


def _walks_many(model, q):
    """Return whether a Q joins a to-many relation (which would repeat rows inside an aggregate)."""
    return any(field.one_to_many or field.many_to_many for field in _relations_walked(model, q))


def _relations_walked(model, q):
    """Yield every relation field the lookups of a Q walk through (expressions such as Exists() are subqueries and
    join nothing)."""
    for child in q.children:
        if isinstance(child, models.Q):
            yield from _relations_walked(model, child)
            continue
        if not isinstance(child, tuple):
            continue
        current = model
        for part in child[0].split("__"):
            try:
                field = current._meta.get_field(part)
            except Exception:
                break
            if not field.is_relation:
                break
            yield field
            current = field.related_model


def _lookup_exists(model, lookup):
    for part in lookup.split("__"):
        try:
            field = model._meta.get_field(part)
        except Exception:
            return False
        model = field.related_model
    return True


def years_before(day, years):
    """Return the same calendar day `years` earlier (28 February for a 29 February that did not exist)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _month_end(first):
    return (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


@dataclass(frozen=True)
class Area:
    key: str
    label_zh: str
    label_en: str
    order: int = 100


_registry = {}
_areas = {}


def register_area(key, label_zh, label_en, order=100):
    _areas[key] = Area(key, label_zh, label_en, order)


def areas():
    """Return the areas that have figures, in report order, each with its figures."""
    used = {f.area for f in _registry.values()}
    known = [a for a in sorted(_areas.values(), key=lambda a: (a.order, a.key)) if a.key in used]
    return [(a, [f for f in all_figures() if f.area == a.key]) for a in known]


def register(*figures):
    for figure in figures:
        if figure.key in _registry and _registry[figure.key] != figure:
            raise ValueError(f"figure key {figure.key!r} registered twice")
        _registry[figure.key] = figure


def all_figures():
    return sorted(_registry.values(), key=lambda f: (f.area, f.order, f.key))


def get(key):
    return _registry[key]


def resolve(path, record):
    """Return the value at a dotted attribute path of a record, calling get_FOO_display where it exists."""
    value = record
    for part in path.split("."):
        if value is None:
            return ""
        display = getattr(value, f"get_{part}_display", None)
        value = display() if display else getattr(value, part)
        if callable(value) and not isinstance(value, models.Model):
            value = value()
    return value
