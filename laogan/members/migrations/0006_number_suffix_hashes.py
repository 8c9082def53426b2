"""Keyed hashes of the last six characters of every ID number, phone and contact phone, for search by suffix.

The columns are added without their index, filled, then indexed: PostgreSQL builds one index over a filled column
faster than it updates an index row by row. Each number is decrypted once, in primary-key batches, and written
back with one prepared UPDATE run for the whole batch, which works the same on SQLite and PostgreSQL.
"""

from django.db import migrations, models

from laogan.lib.crypto import suffix_hash

BATCH = 2000
TABLES = [("Member", "id_number", "id_number_suffix_hash"), ("MemberPhone", "number", "suffix_hash"),
          ("Contact", "phone", "phone_suffix_hash")]


def fill_suffix_hashes(apps, schema_editor):
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    for model_name, number_field, hash_field in TABLES:
        model = apps.get_model("members", model_name)
        # The field decrypts on read (lib.crypto.EncryptedTextField), in the historical model as well.
        rows = model._base_manager.db_manager(connection.alias).exclude(**{number_field: ""}).exclude(**{f"{number_field}__isnull": True})
        sql = (f"UPDATE {quote(model._meta.db_table)} SET {quote(model._meta.get_field(hash_field).column)} = %s "
               f"WHERE {quote(model._meta.pk.column)} = %s")
        last = 0
        while True:
            batch = list(rows.filter(pk__gt=last).order_by("pk").values_list("pk", number_field)[:BATCH])
            if not batch:
                break
            with connection.cursor() as cursor:
                cursor.executemany(sql, [(suffix_hash(number), pk) for pk, number in batch])
            last = batch[-1][0]


def hash_field():
    return models.CharField(blank=True, default="", editable=False, max_length=16)


def indexed_hash_field():
    return models.CharField(blank=True, db_index=True, editable=False, max_length=16)


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0005_birthday_and_change_indexes"),
    ]

    operations = [
        migrations.AddField(model_name="member", name="id_number_suffix_hash", field=hash_field()),
        migrations.AddField(model_name="memberphone", name="suffix_hash", field=hash_field()),
        migrations.AddField(model_name="contact", name="phone_suffix_hash", field=hash_field()),
        migrations.RunPython(fill_suffix_hashes, migrations.RunPython.noop),
        migrations.AlterField(model_name="member", name="id_number_suffix_hash", field=indexed_hash_field()),
        migrations.AlterField(model_name="memberphone", name="suffix_hash", field=indexed_hash_field()),
        migrations.AlterField(model_name="contact", name="phone_suffix_hash", field=indexed_hash_field()),
    ]
