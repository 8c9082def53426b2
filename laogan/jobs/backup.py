"""Backups: one archive file with a consistent copy of the database, the uploaded files and a manifest.

The archive is a gzip-compressed tar holding
    database.sqlite3 or database.pgdump   the database, copied online (SQLite's backup API, or pg_dump -Fc)
    media/<path>                          every file under MEDIA_ROOT
    manifest.json                         when, which version, which engine, the migrations applied, every file's
                                          SHA-256 and size, and the number of rows in every table
The copy is consistent while the server runs: SQLite's backup API copies one snapshot in one step on its own
connection (WAL lets the server go on writing), and on PostgreSQL the row counts and pg_dump read the same exported
snapshot. The archive is written under a hidden temporary name and renamed when complete, so a crash never leaves
a half backup under a backup's name.

A restore replaces everyone's data: it leaves an audit entry in the restored database (tied to no unit, so only the
top administrator reads it). A backup does not: it must be taken while another connection holds SQLite's write lock
for as long as it likes (an import, a year's planning), and an audit entry would wait for that lock. Backups are
accounted for by their files and the worker's log (OPERATIONS.md).

Restore goes only into an empty installation (migrated, nothing entered), checks every checksum before it changes
anything, and refuses a backup of the other engine or of a newer Laogan. The field-encryption keys are not in the
backup: a restored database needs the same LAOGAN_FIELD_KEYS and LAOGAN_LOOKUP_KEY.
"""

import hashlib
import io
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import zlib
from datetime import timedelta
from importlib import metadata
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from laogan.accounts.actions import record_audit
from laogan.accounts.models import AuditAction

from .registry import periodic

FORMAT = 1
MANIFEST = "manifest.json"
DB_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
# Reference rows that migrations themselves insert: a new, migrated installation has them and is still empty.
SEEDED_TABLES = frozenset({"cases_casetype", "cases_steptemplate", "services_category", "services_policy"})
NIGHTLY_NAME = re.compile(r"laogan-\d{8}-\d{6}\.tar\.gz")
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup that cannot be taken or restored; the message says why, and that nothing was changed."""


def app_version():
    try:
        return metadata.version("laogan")
    except metadata.PackageNotFoundError:
        return "unknown"


# -- taking a backup ------------------------------------------------------------------------------------------------

def create_backup(out_path):
    """Write a backup archive to out_path and return its manifest."""
    out = Path(out_path).absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    vendor = connection.vendor
    if vendor not in DB_FILES:
        raise BackupError(f"cannot back up a {vendor} database")
    partial = out.with_name(f".{out.name}.partial-{secrets.token_hex(4)}")
    with tempfile.TemporaryDirectory(prefix=".laogan-backup-", dir=out.parent) as tmp:
        dump = Path(tmp) / DB_FILES[vendor]
        tables, migrations = _dump_sqlite(dump) if vendor == "sqlite" else _dump_postgresql(dump)
        try:
            with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as raw:
                with tarfile.open(fileobj=raw, mode="w:gz") as tar:
                    files = [_add(tar, dump, dump.name)]
                    files += [_add(tar, path, f"media/{name}") for name, path in _media_files()]
                    manifest = {
                        "format": FORMAT,
                        "created_at": timezone.now().isoformat(),
                        "app_version": app_version(),
                        "engine": vendor,
                        "migrations": migrations,
                        "tables": tables,
                        "files": files,
                    }
                    data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
                    info = tarfile.TarInfo(MANIFEST)
                    info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
                    tar.addfile(info, io.BytesIO(data))
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, out)
        finally:
            partial.unlink(missing_ok=True)
    _fsync_dir(out.parent)
    return manifest


class _Hashing:
    """A file wrapper that hashes and counts what tarfile reads through it."""

    def __init__(self, f):
        self.f, self.sha, self.size = f, hashlib.sha256(), 0

    def read(self, n=-1):
        data = self.f.read(n)
        self.sha.update(data)
        self.size += len(data)
        return data


def _add(tar, path, arcname):
    with open(path, "rb") as f:
        info = tar.gettarinfo(arcname=arcname, fileobj=f)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        info.mode = 0o600
        reader = _Hashing(f)
        tar.addfile(info, reader)
    return {"name": arcname, "sha256": reader.sha.hexdigest(), "size": reader.size}


def _media_files():
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    found = []
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                found.append((path.relative_to(root).as_posix(), path))
    return found


def _dump_sqlite(dest):
    """Copy the database with SQLite's backup API in one step; return (row counts, migrations) of the copy."""
    connection.ensure_connection()
    params = connection.get_connection_params()
    if connection.is_in_memory_db():
        # A test database, only reachable through Django's connection, which may be inside a transaction (where
        # the backup API would wait for ever): serialize() reads the pages that connection sees.
        Path(dest).write_bytes(connection.connection.serialize())
        source = None
    else:
        # Its own connection, outside any transaction of the caller: the copy is one read snapshot in one step,
        # and the server (WAL mode) goes on writing meanwhile.
        source = sqlite3.connect(params["database"], uri=params.get("uri", False), timeout=params.get("timeout", 20))
    target = sqlite3.connect(dest)
    try:
        if source is not None:
            source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        check = target.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"the database copy fails SQLite's check: {check}")
        names = [r[0] for r in target.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return _counts_and_migrations(target.cursor(), names, quote=lambda n: '"' + n.replace('"', '""') + '"')
    finally:
        target.close()
        if source is not None:
            source.close()


def _counts_and_migrations(cursor, names, quote):
    tables = {}
    for name in names:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(name)}")
        tables[name] = cursor.fetchone()[0]
    migrations = {}
    if "django_migrations" in tables:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, id")
        for app, name in cursor.fetchall():
            migrations.setdefault(app, []).append(name)
    return tables, migrations


def pg_tool(name):
    """Return the path of pg_dump or pg_restore: on PATH, else Debian's newest /usr/lib/postgresql/<n>/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    if not candidates:
        raise BackupError(f"{name} is not installed (Debian: apt install postgresql-client)")
    return str(candidates[-1])


def _pg_env():
    """The libpq environment for pg_dump and pg_restore, from the DATABASES setting (no password on a command line)."""
    db = connection.settings_dict
    env = {**os.environ, "PGDATABASE": db["NAME"], "PGUSER": db["USER"] or "", "PGPASSWORD": db["PASSWORD"] or "",
           "PGHOST": db["HOST"] or "", "PGPORT": str(db["PORT"] or "")}
    for key, value in (db.get("OPTIONS") or {}).items():
        if key in ("sslmode", "sslrootcert", "sslcert", "sslkey", "passfile", "service", "options"):
            env["PG" + key.upper()] = str(value)
    return {k: v for k, v in env.items() if v != "" or not k.startswith("PG")}


def _dump_postgresql(dest):
    """pg_dump -Fc in the snapshot in which the rows are counted; return (row counts, migrations)."""
    import psycopg
    from psycopg import sql

    params = {k: v for k, v in connection.get_connection_params().items() if k not in ("cursor_factory", "context")}
    with psycopg.connect(**params) as conn:
        with conn.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
            names = [r[0] for r in cursor.fetchall()]
            counted = _counts_and_migrations(cursor, names, quote=lambda n: sql.Identifier(n).as_string(conn))
            _run([pg_tool("pg_dump"), "-Fc", f"--snapshot={snapshot}", "-f", str(dest)], "pg_dump")
        conn.rollback()
    return counted


def _run(command, what):
    result = subprocess.run(command, env=_pg_env(), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{what} failed: {result.stderr.strip()[-2000:]}")


def _fsync_dir(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# -- restoring ------------------------------------------------------------------------------------------------------

def restore_backup(in_path):
    """Restore a backup archive into this (empty) installation and return a one-line summary."""
    with tempfile.TemporaryDirectory(prefix="laogan-restore-") as tmp:
        tmp = Path(tmp)
        manifest = unpack(in_path, tmp)
        pending = _check_compatible(manifest)
        _check_empty()
        dump = tmp / DB_FILES[manifest["engine"]]
        if manifest["engine"] == "sqlite":
            _restore_sqlite(dump)
        else:
            _restore_postgresql(dump, manifest)
        media = [f["name"] for f in manifest["files"] if f["name"].startswith("media/")]
        root = Path(settings.MEDIA_ROOT)
        for name in media:
            target = root / name.removeprefix("media/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(tmp / name, target)
    differences = {name: (count, n) for name, count in manifest["tables"].items() if (n := table_counts().get(name)) != count}
    if differences:
        raise BackupError(f"the restored database differs from the backup's manifest (table: expected, found): {differences}")
    record_audit(None, AuditAction.IMPORT, object_type="backup", object_repr=Path(in_path).name,
                 detail=f"restored the backup of {manifest['created_at']} ({sum(manifest['tables'].values())} rows) from {Path(in_path).absolute()}")
    line = (f"Restored the backup of {manifest['created_at']} (Laogan {manifest['app_version']}, {manifest['engine']}): "
            f"{len(manifest['tables'])} tables, {sum(manifest['tables'].values())} rows, {len(media)} uploaded files.")
    if pending:
        line += f" The backup predates {pending} migrations of this version: run manage.py migrate."
    return line


def unpack(in_path, folder):
    """Extract the archive into folder and check every file against the manifest; return the manifest."""
    path = Path(in_path)
    if not path.is_file():
        raise BackupError(f"{path} is not a file; nothing was changed")
    seen = {}
    try:
        with tarfile.open(path, "r:*") as tar:
            for member in tar:
                name = member.name
                if not member.isfile() or not _expected_name(name) or name in seen:
                    raise BackupError(f"{path} is not a Laogan backup (unexpected entry {name!r}); nothing was changed")
                target = folder / name
                target.parent.mkdir(parents=True, exist_ok=True)
                sha, size = hashlib.sha256(), 0
                with tar.extractfile(member) as src, open(target, "wb") as dst:
                    while chunk := src.read(CHUNK):
                        sha.update(chunk)
                        size += len(chunk)
                        dst.write(chunk)
                seen[name] = (sha.hexdigest(), size)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as e:
        raise BackupError(f"{path} is damaged or truncated ({e}); nothing was changed") from None
    if MANIFEST not in seen:
        raise BackupError(f"{path} has no manifest: damaged, truncated or not a Laogan backup; nothing was changed")
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
        listed = {f["name"]: (f["sha256"], f["size"]) for f in manifest["files"]}
        engine = manifest["engine"]
    except (ValueError, KeyError, TypeError) as e:
        raise BackupError(f"{path} has an unreadable manifest ({e}); nothing was changed") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is a backup format this version cannot read ({manifest.get('format')}); nothing was changed")
    if engine not in DB_FILES or DB_FILES[engine] not in listed:
        raise BackupError(f"{path} holds no database copy; nothing was changed")
    for name, expected in listed.items():
        if seen.get(name) != expected:
            raise BackupError(f"{path} is damaged: {name} does not match its checksum in the manifest; nothing was changed")
    extra = set(seen) - set(listed) - {MANIFEST}
    if extra:
        raise BackupError(f"{path} holds files its manifest does not list ({', '.join(sorted(extra))}); nothing was changed")
    return manifest


def _expected_name(name):
    if name == MANIFEST or name in DB_FILES.values():
        return True
    parts = PurePosixPath(name).parts
    return len(parts) > 1 and parts[0] == "media" and not name.startswith("/") and not {"..", "."} & set(parts) and "\\" not in name


def _check_compatible(manifest):
    """Refuse another engine or a newer version; return how many migrations of this version the backup lacks."""
    if manifest["engine"] != connection.vendor:
        raise BackupError(f"this backup is of a {manifest['engine']} database and this installation uses {connection.vendor}: "
                          "restore it into an installation of the same kind; nothing was changed")
    on_disk = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    known = set(on_disk)
    replaced = {key for migration in on_disk.values() for key in migration.replaces}
    labels = {c.label for c in apps.get_app_configs()}
    applied = {(app, name) for app, names in manifest["migrations"].items() for name in names if app in labels}
    unknown = sorted(f"{app}.{name}" for app, name in applied - known)
    if unknown:
        raise BackupError(f"this backup is from a newer version of Laogan (migrations unknown here: {', '.join(unknown[:5])}); "
                          "install that version first; nothing was changed")
    return len({key for key in known - replaced if key[0] in labels} - applied)


def _check_empty():
    existing = set(connection.introspection.table_names())
    if "django_migrations" not in existing:
        raise BackupError("the database has no tables: run manage.py migrate first, then restore; nothing was changed")
    filled = []
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if not model._meta.app_config.name.startswith("laogan.") or table in SEEDED_TABLES or table not in existing:
                continue
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
            if cursor.fetchone():
                filled.append(table)
    if filled:
        raise BackupError(f"the database is not empty ({', '.join(sorted(filled)[:8])} hold rows): a backup is restored only "
                          "into a new, migrated, empty database; nothing was changed")
    check_no_uploads()


def check_no_uploads():
    root = Path(settings.MEDIA_ROOT)
    if root.is_dir() and any(p.is_file() for p in root.rglob("*")):
        raise BackupError(f"the uploads folder {root} already holds files: restore into an empty installation; nothing was changed")


def _restore_sqlite(dump):
    source = sqlite3.connect(dump)
    try:
        check = source.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"the database in the backup fails SQLite's check ({check}); nothing was changed")
        connection.close()
        connection.ensure_connection()
        source.backup(connection.connection)  # replaces every page of the target, schema and migrations included
    finally:
        source.close()
        connection.close()


def _restore_postgresql(dump, manifest):
    """pg_restore in one transaction; tables the backup does not have (newer migrations) are dropped first."""
    with connection.cursor() as cursor:
        extra = sorted(set(connection.introspection.table_names()) - set(manifest["tables"]))
        if extra:
            cursor.execute("DROP TABLE IF EXISTS " + ", ".join(connection.ops.quote_name(t) for t in extra) + " CASCADE")
    connection.close()
    _run([pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          "--exit-on-error", "-d", connection.settings_dict["NAME"], str(dump)], "pg_restore")


def table_counts():
    """Return {table: rows} for every table of the database."""
    names = connection.introspection.table_names()
    with connection.cursor() as cursor:
        return _counts_and_migrations(cursor, names, quote=connection.ops.quote_name)[0]


# -- nightly ----------------------------------------------------------------------------------------------------------

@periodic("nightly_backup", every=timedelta(hours=1), atomic=False)
def nightly_backup(now=None):
    """Once a day, from LAOGAN_BACKUP_HOUR, write laogan-<date>-<time>.tar.gz and keep the newest LAOGAN_BACKUP_KEEP."""
    keep = settings.LAOGAN_BACKUP_KEEP
    if keep <= 0:
        return None
    local = timezone.localtime(now or timezone.now())
    folder = Path(settings.LAOGAN_BACKUP_DIR)
    if local.hour < settings.LAOGAN_BACKUP_HOUR or any(p.name.startswith(f"laogan-{local:%Y%m%d}-") for p in nightly_backups(folder)):
        return None
    path = folder / f"laogan-{local:%Y%m%d-%H%M%S}.tar.gz"
    create_backup(path)
    prune(folder, keep)
    return path


def nightly_backups(folder):
    """The nightly backups in folder, oldest first."""
    if not Path(folder).is_dir():
        return []
    return sorted(p for p in Path(folder).iterdir() if NIGHTLY_NAME.fullmatch(p.name) and p.is_file())


def prune(folder, keep):
    """Delete all but the newest `keep` nightly backups, and what a crashed backup left behind a day ago."""
    for path in nightly_backups(folder)[:-keep]:
        path.unlink(missing_ok=True)
    cutoff = time.time() - 24 * 3600
    for path in Path(folder).glob(".laogan-*"):
        if path.stat().st_mtime < cutoff:
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
