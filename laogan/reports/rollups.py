"""Monthly roll-ups of the additive figures, so a province's annual summary sums a few thousand small rows instead of
scanning ten million visit records.

A figure is additive (Figure.additive) when its value for a period is the sum of its months. For each such figure and
each closed month (before the current one, back to January two years ago) the worker stores the value per unit at
the roll-up depth — the path length of the shallowest centre, so about one row per centre — in MonthlyFigure, and
marks the month computed in RolledMonth. Saving or deleting a record marks its month changed (the signals below;
writers that bypass signals call `written`), and a month changed after it was computed is read live until the worker
computes it again. So a summary always gives the number the live query gives; the roll-up only makes it cheap.
Units deeper than the roll-up depth (a branch, a party group) are small and always read live.
"""

from collections import defaultdict
from datetime import date, timedelta
from functools import cache
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, F, Min, Q, Sum
from django.db.models.functions import Length, Substr, TruncMonth
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone

from laogan.accounts.models import PATH_WIDTH, Unit, UnitKind, subtree_q
from laogan.jobs.registry import periodic
from laogan.lib import figures
from laogan.lib.figures import Period

from .models import MonthlyFigure, RolledMonth

YEARS_KEPT = 2  # closed months from January of two years ago: this year's summary and last year's, each with its previous
# A month is marked computed as of this long before the computation started, so a change committed by a transaction
# that was still open while the worker read is caught by the next run rather than lost.
COMMIT_MARGIN = timedelta(minutes=10)


def depth():
    """Return the roll-up depth: the path length of the shallowest centre (a bureau and its centres roll up)."""
    shortest = Unit.objects.filter(kind=UnitKind.CENTRE).aggregate(n=Min(Length("path")))["n"]
    return shortest or 2 * PATH_WIDTH


def additive_figures():
    return [f for f in figures.all_figures() if f.additive]


def closed_months(today):
    """Return the first days of the months kept rolled up, oldest first: January two years ago to last month."""
    month, current, out = date(today.year - YEARS_KEPT, 1, 1), today.replace(day=1), []
    while month < current:
        out.append(month)
        month = _next_month(month)
    return out


def _next_month(month):
    return (month + timedelta(days=32)).replace(day=1)


def _valid(markers, level):
    return markers.filter(depth=level, computed_at__isnull=False).filter(
        Q(changed_at__isnull=True) | Q(changed_at__lt=F("computed_at")))


# -- computing ---------------------------------------------------------------------------------------------------------

@periodic("refresh_rollups", every=timedelta(minutes=10), atomic=False)
def refresh(now=None, *, full=False):
    """Compute the closed months that are missing or changed since computed (all of them with full=True), one figure
    at a time, each in its own transaction; return how many figure-months were computed."""
    now = now or timezone.now()
    months = closed_months(timezone.localdate(now))
    level = depth()
    valid = set() if full else set(_valid(RolledMonth.objects.filter(month__in=months), level).values_list("figure", "month"))
    computed = 0
    for figure in additive_figures():
        todo = [m for m in months if (figure.key, m) not in valid]
        if todo:
            _compute(figure, todo, level, now - COMMIT_MARGIN)
            computed += len(todo)
    return computed


def _compute(figure, months, level, as_of):
    rows = _grouped(figure, months, level)
    with transaction.atomic():
        MonthlyFigure.objects.filter(figure=figure.key, month__in=months).delete()
        MonthlyFigure.objects.bulk_create(
            [MonthlyFigure(figure=figure.key, month=m, path=p, value=v) for (m, p), v in rows.items()], batch_size=2000)
        RolledMonth.objects.bulk_create(
            [RolledMonth(figure=figure.key, month=m, depth=level, computed_at=as_of) for m in months],
            update_conflicts=True, unique_fields=["figure", "month"], update_fields=["depth", "computed_at"])


def _grouped(figure, months, level):
    """Return {(month, path prefix): value} for the months, in one grouped query."""
    when = Q()
    for start, end in _runs(months):
        when |= Q(**{f"{figure.date_field}__gte": start, f"{figure.date_field}__lt": end})
    rows = (figure.model._default_manager.filter(figure.where).filter(when).order_by()
            .annotate(p=Substr(figure.path_field, 1, level), m=TruncMonth(figure.date_field)).values("m", "p"))
    rows = rows.annotate(v=Count("pk") if figure.measure == "count" else Sum(figure.measure[4:]))
    # A row without a path (a nullable relation left empty) is in no unit's subtree, live or rolled up.
    return {(figures.as_date(r["m"]), r["p"]): r["v"] for r in rows if r["v"] and r["p"] is not None}


def _runs(months):
    """Return [(first day, first day after)] for each run of consecutive months."""
    runs = []
    for month in sorted(months):
        if runs and runs[-1][1] == month:
            runs[-1][1] = _next_month(month)
        else:
            runs.append([month, _next_month(month)])
    return runs


# -- reading -------------------------------------------------------------------------------------------------------------

class Reader:
    """The roll-ups of one unit over a span of days: additive figures read their valid closed months from here and only
    the rest live. Three queries however many figures; one for a unit deeper than the roll-up depth."""

    def __init__(self, unit, start, end, today=None, *, rolled=None, values=None):
        self.unit, self._live = unit, {}
        if rolled is not None:
            self.rolled, self.values = rolled, values
            return
        self.rolled, self.values = set(), {}
        level = depth()
        if len(unit.path) > level:
            return
        self.rolled = _rolled(start, end, today, level)
        if self.rolled:
            rows = (MonthlyFigure.objects.filter(subtree_q(unit.path, "path"), month__gte=start.replace(day=1), month__lte=end)
                    .values_list("figure", "month").annotate(v=Sum("value")).order_by())
            self.values = {(key, month): v for key, month, v in rows}

    @classmethod
    def for_units(cls, units, start, end, today=None):
        """Return {unit: Reader} for many units (the centres side by side): three queries in all."""
        level = depth()
        rolled = _rolled(start, end, today, level)
        shallow = [u for u in units if len(u.path) <= level]
        values = {u: defaultdict(Decimal) for u in shallow}
        if rolled and shallow:
            where = Q()
            for unit in shallow:
                where |= subtree_q(unit.path, "path")
            rows = MonthlyFigure.objects.filter(where, month__gte=start.replace(day=1), month__lte=end)
            by_path = {u.path: u for u in shallow}
            for key, month, path, value in rows.values_list("figure", "month", "path", "value").order_by():
                for n in range(PATH_WIDTH, len(path) + 1, PATH_WIDTH):  # each of the row's ancestors asked about
                    if path[:n] in by_path:
                        values[by_path[path[:n]]][(key, month)] += value
        return {u: cls(u, start, end, rolled=rolled if u in values else set(), values=values.get(u, {})) for u in units}

    def _rolled_months(self, figure, period):
        """Return the months of the period read from the roll-ups: whole months inside it with a valid roll-up."""
        return [m for m in period.months()
                if (figure.key, m) in self.rolled and period.start <= m and _next_month(m) - timedelta(days=1) <= period.end]

    def value(self, figure, period):
        if not figure.additive:
            return figure.value(self.unit, period)
        return total(figure, self.monthly(figure, period).values())  # the months cover the period exactly

    def monthly(self, figure, period):
        if not figure.additive:
            return figure.monthly(self.unit, period)
        rolled = set(self._rolled_months(figure, period))
        out = {m: _typed(figure, self.values.get((figure.key, m), 0)) for m in rolled}
        live = [m for m in period.months() if m not in rolled]
        if live:
            span = Period(max(live[0], period.start), min(_next_month(live[-1]) - timedelta(days=1), period.end))
            found = self._live_months(figure, span)
            out.update({m: found[m] for m in live})
        return {m: out[m] for m in period.months()}

    def _live_months(self, figure, span):
        """Return the figure's months of the span counted live. The additive figures of one table (fifteen of service
        requests, six of visits) are counted together, one FILTER each, in one query kept for the others."""
        group = _groups().get((figure.model, figure.path_field, figure.date_field), ())
        if figure not in group:
            return figure.monthly(self.unit, span)
        key = (figure.model, figure.path_field, figure.date_field, span.start, span.end)
        if key not in self._live:
            self._live[key] = _count_together(group, self.unit, span)
        return self._live[key][figure.key]


    def value_and_months(self, figure, period):
        """Return (value, {month: value}); an additive figure's value is the sum of its months, so no extra query."""
        if not figure.additive:
            return figure.value_and_monthly(self.unit, period)
        monthly = self.monthly(figure, period)
        return total(figure, monthly.values()), monthly


@cache
def _groups():
    """Return {(model, path field, date field): [additive figures]} of the figures that can be counted together:
    their conditions join nothing or only required foreign keys, so one query's rows are each figure's rows."""
    groups = defaultdict(list)
    for figure in additive_figures():
        if figures.required_joins_only(figure.model, figure.where):
            groups[(figure.model, figure.path_field, figure.date_field)].append(figure)
    return groups


def _count_together(group, unit, span):
    first = group[0]
    rows = (first.model._default_manager.filter(first.in_unit(unit))
            .filter(**{f"{first.date_field}__gte": span.start, f"{first.date_field}__lte": span.end}).order_by())
    measures = {f"v{i}": (Count("pk", filter=f.where or None) if f.measure == "count"
                          else Sum(f.measure[4:], filter=f.where or None)) for i, f in enumerate(group)}
    months = span.months()
    if len(months) == 1:  # the open month alone (the usual case): no grouping, so no month truncated per row
        found = rows.aggregate(**measures)
        return {f.key: {months[0]: found[f"v{i}"] or 0} for i, f in enumerate(group)}
    found = {f.key: dict.fromkeys(months, 0) for f in group}
    for row in rows.annotate(m=TruncMonth(first.date_field)).values("m").annotate(**measures):
        for i, f in enumerate(group):
            found[f.key][figures.as_date(row["m"])] = row[f"v{i}"] or 0
    return found


def _rolled(start, end, today, level):
    """Return the (figure, month) pairs with a valid roll-up between start and end, before the current month."""
    first_open = (today or timezone.localdate()).replace(day=1)
    markers = RolledMonth.objects.filter(month__gte=start.replace(day=1), month__lte=end, month__lt=first_open)
    return set(_valid(markers, level).values_list("figure", "month"))


def side_by_side(unit, parts, period):
    """Return [{"figure", "total", "per_centre"}] for every figure: the unit's value and each part's (its centres).

    Additive figures read the parts' closed months in one query (Reader.for_units); the other counts and sums are
    grouped by each part's path in one query a figure; only computed figures (medians, shares) are asked part by part.
    """
    readers = Reader.for_units([unit, *parts], period.start, period.end)
    rows = []
    for figure in figures.all_figures():
        if figure.additive or figure.compute is not None:
            per_part = [readers[part].value(figure, period) for part in parts]
        else:
            per_part = _by_part(figure, unit, parts, period)
        rows.append({"figure": figure, "total": readers[unit].value(figure, period), "per_centre": per_part})
    return rows


def _by_part(figure, unit, parts, period):
    if figure.measure == "count":
        measure = Count("pk")
    elif figure.measure == "members":
        measure = Count("member_id", distinct=True)
    else:
        measure = Sum(figure.measure[4:])
    found = {}
    for length in {len(part.path) for part in parts}:
        rows = figure.records(unit, period).order_by().annotate(p=Substr(figure.path_field, 1, length)).values("p")
        found.update({r["p"]: r["v"] for r in rows.annotate(v=measure)})
    return [_typed(figure, found.get(part.path, 0)) for part in parts]


def total(figure, values):
    """Return the sum of an additive figure's monthly values, typed as its value."""
    return _typed(figure, sum(values, Decimal(0)))


def _typed(figure, value):
    if figure.measure in ("count", "members"):
        return int(value or 0)
    return Decimal(value or 0).quantize(Decimal("0.01"), ROUND_HALF_UP)


# -- keeping them true ---------------------------------------------------------------------------------------------------

def mark_changed(keys_months):
    """Mark (figure key, month) pairs changed now; open months are always live and are skipped."""
    first_open = timezone.localdate().replace(day=1)
    now = timezone.now()
    pairs = {(key, month.replace(day=1)) for key, month in keys_months if month is not None and month < first_open}
    if pairs:
        RolledMonth.objects.bulk_create([RolledMonth(figure=k, month=m, changed_at=now) for k, m in sorted(pairs)],
                                        update_conflicts=True, unique_fields=["figure", "month"], update_fields=["changed_at"])


def written(model, records):
    """Mark the months of records written without save() or delete() (bulk inserts, conditional updates)."""
    mark_changed((f.key, getattr(r, f.date_field)) for r in records for f in _by_model().get(model, ()))


def rows_moved(parent, pks):
    """Mark the months of every record that counts through these rows of `parent` (members moved to another centre
    by a bulk update): where they are counted may have changed."""
    pairs = set()
    for figure, relation in {(f.key, r): (f, r) for f, r, _a in _parents().get(parent, ())}.values():
        for start in range(0, len(pks), 500):
            rows = figure.model._default_manager.filter(**{f"{relation}__in": pks[start : start + 500]})
            pairs |= {(figure.key, m) for m in rows.dates(figure.date_field, "month")}
    mark_changed(pairs)


def forget_all():
    """Drop every roll-up (after a bulk load that wrote around the models, e.g. seed_scale)."""
    MonthlyFigure.objects.all().delete()
    RolledMonth.objects.all().delete()


@cache
def _by_model():
    by_model = defaultdict(list)
    for figure in additive_figures():
        by_model[figure.model].append(figure)
    return by_model


@cache
def _parents():
    """Return {parent model: [(figure, relation on the figure's model, parent field attname)]}: the fields of related
    rows that a figure's path or condition reads (a visit's member's unit path, its record's form)."""
    parents = defaultdict(list)
    for figure in additive_figures():
        for lookup in {figure.path_field, *_lookups(figure.where)}:
            parts = lookup.split("__")
            field = figure.model._meta.get_field(parts[0])
            if len(parts) > 1 and field.is_relation and field.many_to_one:
                parent = field.related_model
                try:
                    attname = parent._meta.get_field(parts[1]).attname
                except Exception:
                    continue
                parents[parent].append((figure, parts[0], attname))
    return parents


def _lookups(q):
    for child in q.children:
        if isinstance(child, Q):
            yield from _lookups(child)
        elif isinstance(child, tuple):
            yield child[0]


def _months_of(record, figs):
    return {(f.key, getattr(record, f.date_field)) for f in figs}


def _before_save(sender, instance, **kwargs):
    figs = _by_model()[sender]
    if instance.pk is not None and not instance._state.adding:
        old = sender._default_manager.filter(pk=instance.pk).values(*{f.date_field for f in figs}).first() or {}
        instance._rollup_months = {(f.key, old.get(f.date_field)) for f in figs}


def _after_save(sender, instance, **kwargs):
    mark_changed(_months_of(instance, _by_model()[sender]) | getattr(instance, "_rollup_months", set()))


def _after_delete(sender, instance, **kwargs):
    mark_changed(_months_of(instance, _by_model()[sender]))


def _before_parent_save(sender, instance, **kwargs):
    if instance.pk is not None and not instance._state.adding:
        attnames = {a for _f, _rel, a in _parents()[sender]}
        instance._rollup_old = sender._default_manager.filter(pk=instance.pk).values(*attnames).first()


def _after_parent_save(sender, instance, created, **kwargs):
    old = getattr(instance, "_rollup_old", None)
    if created or not old:
        return
    level = None
    pairs = set()
    for figure, relation, attname in _parents()[sender]:
        before, after = old[attname], getattr(instance, attname)
        if attname.endswith("path"):  # only the prefix at the roll-up depth decides where a row is counted
            level = level or depth()
            before, after = (before or "")[:level], (after or "")[:level]
        if before != after:
            months = figure.model._default_manager.filter(**{relation: instance.pk}).dates(figure.date_field, "month")
            pairs |= {(figure.key, m) for m in months}
    mark_changed(pairs)


def connect():
    """Watch the records of every additive figure and the related rows their paths and conditions read."""
    for model in _by_model():
        pre_save.connect(_before_save, sender=model, dispatch_uid=f"rollups-pre-{model._meta.label}")
        post_save.connect(_after_save, sender=model, dispatch_uid=f"rollups-post-{model._meta.label}")
        post_delete.connect(_after_delete, sender=model, dispatch_uid=f"rollups-delete-{model._meta.label}")
    for parent in _parents():
        pre_save.connect(_before_parent_save, sender=parent, dispatch_uid=f"rollups-parent-pre-{parent._meta.label}")
        post_save.connect(_after_parent_save, sender=parent, dispatch_uid=f"rollups-parent-post-{parent._meta.label}")

