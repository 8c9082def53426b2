"""The shipped categories and their default deadline policies (a frozen copy of services/defaults.py)."""

from django.db import migrations

END_OF_DAY, DURATION = "end_of_day", "duration"
SHIPPED = [
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


def ship(apps, schema_editor):
    Category = apps.get_model("services", "Category")
    Policy = apps.get_model("services", "Policy")
    for code, name, order, respond, respond_anchor, resolve, resolve_anchor in SHIPPED:
        category, _ = Category.objects.get_or_create(unit=None, code=code, defaults={"name": name, "order": order})
        Policy.objects.get_or_create(unit=None, category=category, defaults={
            "respond_minutes": respond, "respond_anchor": respond_anchor,
            "resolve_minutes": resolve, "resolve_anchor": resolve_anchor, "clock": "always",
        })


def unship(apps, schema_editor):
    Category = apps.get_model("services", "Category")
    Category.objects.filter(unit=None, code__in=[row[0] for row in SHIPPED]).delete()


class Migration(migrations.Migration):
    dependencies = [("services", "0001_initial")]
    operations = [migrations.RunPython(ship, unship)]
