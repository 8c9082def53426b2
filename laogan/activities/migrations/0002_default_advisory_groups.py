"""Give every existing centre the five advisory field groups of the source document: 党建, 农业, 宣讲, 科教, 建设.

Centres made later get them from the advisory-groups page (one button) or the demo; this migration only fills in
the centres already there when the app is installed."""

from django.db import migrations

FIELDS = ["党建", "农业", "宣讲", "科教", "建设"]


def create(apps, schema_editor):
    Unit = apps.get_model("accounts", "Unit")
    AdvisoryGroup = apps.get_model("activities", "AdvisoryGroup")
    for centre in Unit.objects.filter(kind="centre").order_by("pk"):
        have = set(AdvisoryGroup.objects.filter(centre=centre).values_list("field", flat=True))
        AdvisoryGroup.objects.bulk_create([AdvisoryGroup(centre=centre, field=f, name=f"{f}组", sort_order=i)
                                           for i, f in enumerate(FIELDS, 1) if f not in have])


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
