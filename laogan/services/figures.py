"""Figures about service requests (事无巨细，急老干部之所急) and the dashboard panel of deadlines needing attention."""

from statistics import median

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from laogan.accounts.models import Role
from laogan.lib.figures import Column, Figure, MinutesBetween, as_date, get, median_of, register, register_area
from laogan.lib.worklist import Item, Panel, panel

from .defaults import SHIPPED_CATEGORIES
from .models import DONE_STATUSES, ServiceRequest, duration_zh

register_area("services", "为老服务事项", "Service requests", order=40)

COLUMNS = (Column("受理日期", "reported_on"), Column("老干部", "member.name"), Column("类别", "category.name"),
           Column("事项", "summary"), Column("状态", "status"))
TIMING_COLUMNS = COLUMNS + (Column("办结时限", "resolve_by"), Column("办结时间", "resolved_at"))
MISSED_COLUMNS = COLUMNS + (Column("办结时限", "resolve_by"), Column("办结时间", "resolved_at"),
                            Column("超时原因", "delay_reason"))
RESOLVED = Q(resolved_at__isnull=False, status__in=DONE_STATUSES)


_ON_TIME_COUNTS = {"n": Count("pk"), "late": Count("pk", filter=Q(missed_resolution=True))}


def _share_on_time(unit, period):
    found = get("requests_on_time_share").records(unit, period).aggregate(**_ON_TIME_COUNTS)
    return _share(found["n"], found["late"])


def _shares_with_months(unit, period):
    """The share resolved in time over the period and {month: share}, counted by the database in one grouped query
    (a province's year is a million requests)."""
    rows = get("requests_on_time_share").records(unit, period).order_by().annotate(m=TruncMonth("reported_on"))
    found = {as_date(r["m"]): (r["n"], r["late"]) for r in rows.values("m").annotate(**_ON_TIME_COUNTS)}
    total, late = sum(n for n, _l in found.values()), sum(lt for _n, lt in found.values())
    return _share(total, late), {m: _share(*found.get(m, (0, 0))) for m in period.months()}


def _share(total, late):
    return round(100 * (total - late) / total, 1) if total else 0.0


def _spans(key, end_field, unit, period):
    """Return (reported_on, minutes) of the figure's rows; the database subtracts, Python takes the median."""
    rows = get(key).records(unit, period).order_by().values_list("reported_on", MinutesBetween("opened_at", end_field))
    return [(day, minutes) for day, minutes in rows if minutes is not None]


def _median_minutes(key, end_field, unit, period):
    """The median of the figure's minutes, for a value without its months (no dates read)."""
    minutes = median_of(get(key).records(unit, period), MinutesBetween("opened_at", end_field))
    return 0.0 if minutes is None else round(minutes, 1)


def _median_response(unit, period):
    return _median_minutes("requests_median_response", "responded_at", unit, period)


def _median_resolution(unit, period):
    return _hours(_median_minutes("requests_median_resolution", "resolved_at", unit, period))


def _response_with_months(unit, period):
    return _medians_with_months(_spans("requests_median_response", "responded_at", unit, period), period)


def _resolution_with_months(unit, period):
    value, months = _medians_with_months(_spans("requests_median_resolution", "resolved_at", unit, period), period)
    return _hours(value), {m: _hours(v) for m, v in months.items()}


def _medians_with_months(spans, period):
    """Return (the median of all spans, {month: the median of its spans}) from one reading of the rows."""
    by_month = {m: [] for m in period.months()}
    for day, minutes in spans:
        by_month[day.replace(day=1)].append(minutes)
    return _median([m for _day, m in spans]), {m: _median(v) for m, v in by_month.items()}


def _median(minutes):
    return round(median(minutes), 1) if minutes else 0.0


def _hours(minutes):
    return round(minutes / 60, 1) if minutes else 0.0


register(
    Figure(
        key="requests", area="services", label_zh="受理服务事项", label_en="Service requests", unit="件",
        model=ServiceRequest, path_field="unit_path", date_field="reported_on", order=10, key_figure=True,
        rule_zh="期内受理（来电、来访、走访中提出）的服务事项件数，按受理日期。", columns=COLUMNS,
    ),
    Figure(
        key="requests_on_time_share", area="services", label_zh="按时办结率", label_en="Resolved within the deadline",
        unit="%", model=ServiceRequest, path_field="unit_path", date_field="reported_on", where=RESOLVED, order=20,
        compute=_share_on_time, compute_with_months=_shares_with_months, key_figure=True, columns=TIMING_COLUMNS,
        rule_zh="期内受理且已办结的事项中，在办结时限内办结的比例（时限按类别规定计算，等待老干部的时间不计）；无已办结事项时为0。",
    ),
    Figure(
        key="requests_median_response", area="services", label_zh="响应时间中位数", label_en="Median time to respond",
        unit="分钟", model=ServiceRequest, path_field="unit_path", date_field="reported_on",
        where=Q(responded_at__isnull=False), order=30, compute=_median_response, compute_with_months=_response_with_months,
        columns=COLUMNS + (Column("首次响应", "responded_at"),),
        rule_zh="期内受理的事项从受理到首次响应（开始办理、派给合作单位或办结）的时间中位数，按实际经过的时间计；无记录时为0。",
    ),
    Figure(
        key="requests_median_resolution", area="services", label_zh="办结时间中位数", label_en="Median time to resolve",
        unit="小时", model=ServiceRequest, path_field="unit_path", date_field="reported_on", where=RESOLVED, order=40,
        compute=_median_resolution, compute_with_months=_resolution_with_months, columns=TIMING_COLUMNS,
        rule_zh="期内受理且已办结的事项从受理到办结的时间中位数（小时），按实际经过的时间计；无记录时为0。",
    ),
    Figure(
        key="requests_missed", area="services", label_zh="超时办结或逾期未办结", label_en="Resolution deadlines missed",
        unit="件", model=ServiceRequest, path_field="unit_path", date_field="reported_on",
        where=Q(missed_resolution=True), order=50, columns=MISSED_COLUMNS,
        rule_zh="期内受理的事项中超过办结时限才办结、或已过时限仍未办结的件数，列出超时原因。",
    ),
    Figure(
        key="requests_satisfied", area="services", label_zh="回访满意", label_en="Callbacks satisfied", unit="件",
        model=ServiceRequest, path_field="unit_path", date_field="reported_on", where=Q(satisfied=True), order=60,
        columns=COLUMNS + (Column("回访意见", "callback_comment"),),
        rule_zh="期内受理的事项中，办结后回访老干部或家属表示满意的件数（以最近一次回访为准）。",
    ),
    *[
        Figure(
            key=f"requests_{code}", area="services", label_zh=f"{name}类事项", label_en=f"Requests: {code}", unit="件",
            model=ServiceRequest, path_field="unit_path", date_field="reported_on", where=Q(category__code=code),
            order=100 + order, columns=COLUMNS,
            rule_zh=f"期内受理的“{name}”类服务事项件数（中心自设的类别只计入总数）。",
        )
        for code, name, order, *_ in SHIPPED_CATEGORIES
    ],
)


@panel(order=20)
def deadlines_needing_attention(user, today):
    """Requests at risk or overdue: a staff member's own, everything in scope for a secretary or administrator."""
    if not user.sees_personal_data or user.role not in (Role.STAFF, Role.SECRETARY, Role.ADMIN):
        return None
    now = timezone.now()
    rows = ServiceRequest.objects.visible_to(user).open().filter(risk_at__lte=now)
    if user.role == Role.STAFF:
        rows = rows.filter(assignee=user)
    shown = list(rows.select_related("member", "category").order_by("due_at", "id")[:20])
    items = [Item(text=f"{r.member.name}：{r.summary}", url=r.get_absolute_url(), note=_due_note(r, now),
                  urgent=r.due_at is not None and r.due_at <= now) for r in shown]
    more = reverse("request_list") + "?state=" + ("overdue" if user.role != Role.STAFF else "mine")
    return Panel(key="requests_due", title=_("Requests at risk or overdue"), items=items, count=rows.count(),
                 more_url=more, empty_text=_("Every request is on track."))


def _due_note(request, now):
    if request.due_at is None:
        return request.category.name
    left = request.due_at - now
    amount = duration_zh(abs(left))
    what = "响应" if request.responded_at is None else "办结"
    return f"{request.category.name} · {what}{'已逾期' if left.total_seconds() <= 0 else '剩余'}{amount}"
