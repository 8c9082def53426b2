"""The categories Laogan ships with and their default promises (the source document's list of everyday help, and
水坏不过夜，电坏不过天). The data migration copies this table; figures count requests per shipped code."""

END_OF_DAY, DURATION = "end_of_day", "duration"

# code, name, order, respond minutes, respond anchor, resolve minutes, resolve anchor
SHIPPED_CATEGORIES = [
    ("water", "水（漏水、停水）", 10, 30, DURATION, 180, END_OF_DAY),
    ("electricity", "电（停电、线路）", 20, 30, DURATION, 24 * 60, DURATION),
    ("bulb", "换灯泡", 30, 120, DURATION, 72 * 60, DURATION),
    ("medicine", "代购药品", 40, 120, DURATION, 72 * 60, DURATION),
    ("bills", "代缴水电费", 50, 120, DURATION, 72 * 60, DURATION),
    ("repairs", "房屋漏水及维修", 60, 120, DURATION, 72 * 60, DURATION),
    ("card", "医疗卡、优待证", 70, 120, DURATION, 72 * 60, DURATION),
    ("housekeeping", "请保姆、家政", 80, 120, DURATION, 72 * 60, DURATION),
    ("escort", "陪同就医", 90, 120, DURATION, 72 * 60, DURATION),
    ("other", "其他", 100, 120, DURATION, 72 * 60, DURATION),
]
SHIPPED_CODES = [row[0] for row in SHIPPED_CATEGORIES]


def ensure_shipped():
    """Create any missing shipped category and its default policy (the data migration does this on a new database;
    a test that flushed the tables, or the demo on such a database, calls this). Changes nothing that exists."""
    from .models import Category, Policy

    for code, name, order, respond, respond_anchor, resolve, resolve_anchor in SHIPPED_CATEGORIES:
        category, _ = Category.objects.get_or_create(unit=None, code=code, defaults={"name": name, "order": order})
        Policy.objects.get_or_create(unit=None, category=category, defaults={
            "respond_minutes": respond, "respond_anchor": respond_anchor,
            "resolve_minutes": resolve, "resolve_anchor": resolve_anchor,
        })
