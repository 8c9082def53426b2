"""Write many rows fast: COPY on PostgreSQL, executemany of one prepared INSERT on SQLite.

The ORM's bulk_create compiles SQL field by field for every row (30–100 µs a row); at millions of rows that is most
of the time of visit planning or of building a province. A Writer takes plain tuples of database-ready values
(encrypted fields already encrypted, derived fields already derived) and streams them out in large batches. Every
column of the table is written: what the caller does not give takes the field's default, so a column added to a
model later cannot be left NULL. `insert_instances` does the same for unsaved model instances.
"""

from datetime import timedelta

from django.db import connection, transaction
from django.db.models import NOT_PROVIDED

BATCH = 20_000


class Writer:
    """Buffer rows of one model and write them in batches; ids are given by the caller (see next_id)."""

    def __init__(self, model, given, *, ignore_conflicts=False):
        self.model = model
        self.ignore_conflicts = ignore_conflicts
        meta = model._meta
        # Without an id among the given columns the database numbers the rows.
        self.fields = [f for f in meta.concrete_fields if f.attname in given or not f.primary_key]
        by_name = {f.attname: f for f in self.fields}
        unknown = [name for name in given if name not in by_name]
        if unknown:
            raise ValueError(f"{meta.label} has no column {unknown}")
        self.given = list(given)
        self.rest = [f for f in self.fields if f.attname not in given]
        self.rest_values = tuple(_default(f) for f in self.rest)
        ordered = [by_name[name] for name in self.given] + self.rest
        self.columns = [f.column for f in ordered]
        self.adapters = [_adapter(f) for f in ordered]
        self.rows = []
        self.count = 0

    def add(self, *values):
        self.rows.append(values + self.rest_values)
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self):
        if not self.rows:
            return
        table = connection.ops.quote_name(self.model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        # One transaction per batch at least: in autocommit mode SQLite would commit every row of executemany.
        with transaction.atomic(savepoint=False), connection.wrap_database_errors, connection.cursor() as cursor:
            raw = cursor.cursor
            if connection.vendor == "postgresql" and not self.ignore_conflicts:
                self._copy(raw, table, columns)
            elif connection.vendor == "postgresql":
                # COPY cannot skip a row that breaks a unique constraint: copy into a bare temporary table of the
                # same columns, then move the rows over, skipping conflicts (4× executemany's pipelined INSERTs).
                staging = connection.ops.quote_name(f"bulk_{self.model._meta.db_table}")
                # On an error the transaction's rollback takes the temporary table with it.
                raw.execute(f"CREATE TEMPORARY TABLE {staging} AS SELECT {columns} FROM {table} WITH NO DATA")
                self._copy(raw, staging, columns)
                raw.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {staging} ON CONFLICT DO NOTHING")
                raw.execute(f"DROP TABLE {staging}")
            else:
                adapters = self.adapters
                if any(adapters):
                    rows = [tuple(a(v) if a and v is not None else v for a, v in zip(adapters, row)) for row in self.rows]
                else:
                    rows = self.rows
                marks = ", ".join("?" * len(self.columns))
                verb = "INSERT OR IGNORE" if self.ignore_conflicts else "INSERT"
                raw.executemany(f"{verb} INTO {table} ({columns}) VALUES ({marks})", rows)
        self.count += len(self.rows)
        self.rows = []

    def _copy(self, raw, table, columns):
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in self.rows:
                copy.write_row(row)


def _default(field):
    if field.default is not NOT_PROVIDED:
        return field.get_default()
    if field.null:
        return None
    if field.get_internal_type() in ("CharField", "TextField", "SlugField", "FileField", "ImageField"):
        return ""
    raise ValueError(f"{field.model._meta.label}.{field.attname} has no default: the builder must give it")


def _adapter(field):
    """Return how a value becomes what Django would store on SQLite (None when it is stored as given)."""
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        return connection.ops.adapt_datetimefield_value
    if kind == "DateField":
        return str
    if kind == "DurationField":
        return lambda d: d // timedelta(microseconds=1)
    if kind == "DecimalField":
        return str
    return None


# Field types whose Python value the database driver takes as it is (the Writer adapts dates on SQLite).
PLAIN = {"AutoField", "BigAutoField", "BooleanField", "CharField", "SlugField", "IntegerField", "BigIntegerField",
         "SmallIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField", "PositiveBigIntegerField",
         "DateField", "DateTimeField", "ForeignKey", "OneToOneField", "TextField"}


def insert_instances(model, objs, *, ignore_conflicts=False):
    """Insert unsaved instances without setting their ids, like bulk_create(objs, ignore_conflicts=...) but several
    times faster; return how many were sent. auto_now and auto_now_add fields get now; a field of any other type
    (encrypted text, files, JSON) goes through its own get_db_prep_save, exactly as save() would prepare it."""
    from django.utils import timezone

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    names = [f.attname for f in fields]
    always = {f.attname for f in fields if getattr(f, "auto_now", False)}
    if_unset = {f.attname for f in fields if getattr(f, "auto_now_add", False)}
    prepare = {f.attname: f for f in fields if type(f).__name__ not in PLAIN or type(f).__module__.split(".")[0] != "django"}
    writer = Writer(model, names, ignore_conflicts=ignore_conflicts)
    for obj in objs:
        values = []
        for name in names:
            value = getattr(obj, name)
            if name in always or (name in if_unset and value is None):
                value = now
                setattr(obj, name, value)
            elif name in prepare:
                value = prepare[name].get_db_prep_save(value, connection)
            values.append(value)
        writer.add(*values)
    writer.flush()
    return writer.count
