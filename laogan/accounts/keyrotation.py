"""Re-encrypt every encrypted field with the newest of LAOGAN_FIELD_KEYS, in batches, resumably.

Each table with EncryptedTextField columns is walked in primary-key order. A batch is read and written inside one
transaction with its rows locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions lock the
database), so an edit made during the rotation is never overwritten with an older value. The raw column is read
(cast to text, so the field does not decrypt it); a value the newest key alone decrypts is skipped — a keyed HMAC
check, no write — and the others are decrypted with any configured key and written back through bulk_update,
which encrypts with the newest key. After each batch the last primary key is stored in KeyRotationCheckpoint under
a fingerprint of the newest key, so a killed run starts again after the last finished batch.
"""

import hashlib
from dataclasses import dataclass, field

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.db import connection, transaction
from django.db.models import TextField
from django.db.models.functions import Cast

from laogan.lib import crypto

from .models import KeyRotationCheckpoint


@dataclass
class Totals:
    checked: int = 0
    rotated: int = 0
    batches: int = 0
    tables: list = field(default_factory=list)
    finished: bool = True


def encrypted_tables():
    """[(model, [field names])] for every concrete model with encrypted columns, in a stable order."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, crypto.EncryptedTextField)]
        if names:
            found.append((model, names))
    return sorted(found, key=lambda item: item[0]._meta.label_lower)


def key_id(key):
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def on_newest(token, newest):
    try:
        newest.decrypt(token[len(crypto.PREFIX) :].encode())
    except InvalidToken:
        return False
    return True


def rotate_all(*, batch_size=500, max_batches=None, restart=False, progress=print):
    """Rotate every encrypted value; stop after `max_batches` batches (the rest is left for the next run)."""
    keys = crypto.field_keys()
    newest = Fernet(keys[0])
    kid = key_id(keys[0])
    if restart:
        KeyRotationCheckpoint.objects.filter(key_id=kid).delete()
    totals = Totals()
    for model, names in encrypted_tables():
        label = model._meta.label_lower
        point, _ = KeyRotationCheckpoint.objects.get_or_create(key_id=kid, table=label)
        if point.done:
            progress(f"{label}: already done with this key")
            continue
        totals.tables.append(label)
        while True:
            if max_batches is not None and totals.batches >= max_batches:
                totals.finished = False
                return totals
            checked, rotated, last = _batch(model, names, point.last_pk, batch_size, newest)
            totals.batches += 1
            totals.checked += checked
            totals.rotated += rotated
            point.last_pk = last if last is not None else point.last_pk
            point.done = checked < batch_size
            point.save(update_fields=["last_pk", "done", "updated_at"])
            progress(f"{label}: {checked} rows checked, {rotated} re-encrypted (up to id {point.last_pk})")
            if point.done:
                break
    return totals


def _batch(model, names, after, batch_size, newest):
    raw = {f"raw_{n}": Cast(n, output_field=TextField()) for n in names}
    with transaction.atomic():
        rows = model._base_manager.filter(pk__gt=after).order_by("pk")
        if connection.features.has_select_for_update:
            rows = rows.select_for_update()
        rows = list(rows.annotate(**raw).values("pk", *raw)[:batch_size])
        changed = []
        for row in rows:
            update = {}
            for n in names:
                token = row[f"raw_{n}"]
                if token and not on_newest(token, newest):
                    update[n] = crypto.decrypt(token)  # any configured key; re-encrypted with the newest on write
            if update:
                obj = model(pk=row["pk"])
                for n in names:
                    setattr(obj, n, update[n] if n in update else None)
                changed.append((obj, list(update)))
        # One bulk_update per set of fields, so a value already on the newest key is not rewritten.
        by_fields = {}
        for obj, fields in changed:
            by_fields.setdefault(tuple(fields), []).append(obj)
        for fields, objs in by_fields.items():
            model._base_manager.bulk_update(objs, list(fields))
    return len(rows), len(changed), rows[-1]["pk"] if rows else None
