"""What the Word, Excel and PDF files of a summary share: how numbers, changes and dates are written, and the
one chart per area, so the three files never disagree about a figure."""

import re
from decimal import Decimal

from laogan.lib import charts

from ..narrative import format_value

CHART_NOTE = "注：每项指标按自身数值比例绘制，用于比较两年变化，具体数值见上表。"


def is_number(value):
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def value_text(value):
    """Return a figure's value as the report prints it (the narrative's own format, so prose and tables agree)."""
    return "—" if value is None else format_value(value)


def change_text(row):
    """Return the change against last year, e.g. "+12", or "—" when it cannot be computed."""
    if row.change is None:
        return "—"
    return ("+" if row.change > 0 else "") + format_value(row.change)


def rate_text(row):
    """Return the change as a share of last year, e.g. "+5.0%", or "—" (no change, or nothing last year)."""
    if row.change_percent is None:
        return "—"
    return f"{'+' if row.change_percent > 0 else ''}{row.change_percent}%"


def day_text(day):
    return f"{day.year}年{day.month}月{day.day}日"


def period_text(summary):
    """Return the period the figures cover, e.g. "2026年1月1日至12月31日"."""
    p = summary.period
    end = f"{p.end.month}月{p.end.day}日" if p.end.year == p.start.year else day_text(p.end)
    return f"{day_text(p.start)}至{end}"


def is_partial(summary):
    """Return True when the summary stops before the year's end (the year is still running)."""
    return summary.period.end.month != 12 or summary.period.end.day != 31


def series_names(summary):
    this_year = f"{summary.year}年"
    if is_partial(summary):
        this_year += f"（截至{summary.period.end.month}月{summary.period.end.day}日）"
    return [f"{summary.year - 1}年", this_year]


def chart_args(summary, area):
    """Return (labels, values, title) and options of the chart comparing the area's figures over two years.

    Each figure is scaled to itself: an area mixes 人 with 人次 and, in other apps, 元, and the chart is there to
    show which way each figure moved, while the table beside it gives the numbers.
    """
    labels = [row.figure.label_zh for row in area.rows]
    values = [[row.previous if is_number(row.previous) else None for row in area.rows],
              [row.value if is_number(row.value) else None for row in area.rows]]
    options = {"series": series_names(summary), "scale": "per_label", "note": CHART_NOTE, "fmt": format_value}
    return (labels, values, f"{area.area.label_zh}：{summary.year - 1}年与{summary.year}年对比"), options


def area_chart_png(summary, area):
    args, options = chart_args(summary, area)
    return charts.bar_chart_png(*args, **options)


def area_chart_svg(summary, area):
    args, options = chart_args(summary, area)
    return charts.bar_chart_svg(*args, **options)


def title_lines(title, max_chars):
    """Return the title split into lines where a Chinese title is split: before the year, when too long for one.

    Left to the word processor, "……服务中心2026年度工作总结" breaks wherever the line is full, e.g. inside 工作.
    """
    match = re.search(r"\d{4}年", title)
    if len(title) <= max_chars or not match or match.start() == 0:
        return [title]
    return [title[: match.start()], title[match.start():]]


CHINESE_NUMERALS = "一二三四五六七八九十"


def ordinal(n):
    """Return the Chinese heading number of the n-th section (1 → 一, 12 → 十二), as in 一、二、."""
    if n <= 10:
        return CHINESE_NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CHINESE_NUMERALS[tens - 1]) + "十" + (CHINESE_NUMERALS[ones - 1] if ones else "")
