"""Helpers of the synthetic-data builder around lib.bulk: explicit ids, sequences, SQLite speed settings."""

from django.db import connection


def next_id(model):
    """Return the first free primary key of a model's table (ids are given explicitly so rows can refer to rows)."""
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(model._meta.db_table)
        cursor.execute(f"SELECT MAX(id) FROM {table}")
        return (cursor.fetchone()[0] or 0) + 1


def reset_sequences(models):
    """After explicit ids on PostgreSQL, move each id sequence past the largest id (SQLite needs nothing)."""
    if connection.vendor != "postgresql":
        return
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def fast_sqlite():
    """Trade durability for speed while building: a crash mid-build loses the build, never an existing archive,
    because the builder refuses a database that already holds members (unless told otherwise)."""
    # SQLite refuses to change the safety level inside a transaction (as in a test case); it then stays as it is.
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-262144")  # 256 MiB
            cursor.execute("PRAGMA temp_store=MEMORY")
