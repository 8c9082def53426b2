"""backup / restore: a round trip restores every table exactly; damaged backups and non-empty databases are refused."""

import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from laogan.accounts.models import AuditAction, AuditEntry
from laogan.jobs import backup
from laogan.jobs.backup import BackupError, nightly_backup, nightly_backups
from laogan.members.models import Member
from laogan.test import BaseTestCase, ReferenceRowsTestCase

PHOTO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40


def fingerprints():
    """{table: (rows, SHA-256 of every row in a fixed order)} for every table of the database."""
    result = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            name = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {name} WHERE 1 = 0")
            order = ", ".join(str(i) for i in range(1, len(cursor.description) + 1))
            cursor.execute(f"SELECT * FROM {name} ORDER BY {order}")
            digest, rows = hashlib.sha256(), 0
            for row in cursor.fetchall():
                digest.update(repr(row).encode())
                rows += 1
            result[table] = (rows, digest.hexdigest())
    return result


def media_files():
    root = Path(settings.MEDIA_ROOT)
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()} if root.exists() else {}


def rewrite(src, dest, change):
    """Copy the archive src to dest, passing each (name, bytes) through change(name, data) -> data or None (left out)."""
    with tarfile.open(src, "r:gz") as tar:
        entries = [(m.name, tar.extractfile(m).read()) for m in tar]
    with tarfile.open(dest, "w:gz") as tar:
        for name, data in entries:
            data = change(name, data)
            if data is not None:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))


class RoundTripTest(ReferenceRowsTestCase):
    """On whichever database is configured (SQLite, or PostgreSQL with pg_dump/pg_restore)."""

    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.tmp)

    def test_a_backup_restores_every_table_and_every_upload_exactly(self):
        call_command("seed_demo", stdout=io.StringIO())
        photo = Path(settings.MEDIA_ROOT) / "members" / "photos" / "张建国.png"
        photo.parent.mkdir(parents=True, exist_ok=True)
        photo.write_bytes(PHOTO)
        before, files = fingerprints(), media_files()
        self.assertGreater(Member.objects.count(), 50)

        audit_before = list(AuditEntry.objects.order_by("id").values_list("id", flat=True))
        out = io.StringIO()
        call_command("backup", str(self.tmp / "b.tar.gz"), stdout=out)
        self.assertIn(f"{len(files)} uploaded files", out.getvalue())
        self.assertEqual([p.name for p in self.tmp.iterdir()], ["b.tar.gz"])  # no temporary file left behind
        manifest = json.loads(tarfile.open(self.tmp / "b.tar.gz").extractfile("manifest.json").read())
        self.assertEqual(manifest["engine"], connection.vendor)
        self.assertEqual({t: n for t, (n, _) in before.items() if t in manifest["tables"]}, manifest["tables"])
        self.assertIn("0001_initial", manifest["migrations"]["members"])
        self.assertEqual({f["name"] for f in manifest["files"]} - {backup.DB_FILES[connection.vendor]}, {f"media/{n}" for n in files})

        # A new machine: the database migrated but empty, no uploads.
        call_command("flush", interactive=False, verbosity=0)
        shutil.rmtree(settings.MEDIA_ROOT)
        self.assertNotEqual(fingerprints(), before)
        out = io.StringIO()
        call_command("restore", str(self.tmp / "b.tar.gz"), stdout=out)
        self.assertIn(f"{len(manifest['tables'])} tables, {sum(manifest['tables'].values())} rows, {len(files)} uploaded files", out.getvalue())
        after = fingerprints()
        self.assertEqual(after.keys(), before.keys())
        for table in set(before) - {AuditEntry._meta.db_table}:
            self.assertEqual(after[table], before[table], table)
        # The audit log is the backup's, plus the restore's own entry (tied to no unit: the top administrator's).
        restored = AuditEntry.objects.exclude(id__in=audit_before).get()
        self.assertEqual((restored.action, restored.object_type, restored.object_repr, restored.actor, restored.unit_path),
                         (AuditAction.IMPORT, "backup", "b.tar.gz", None, ""))
        self.assertIn(f"restored the backup of {manifest['created_at']}", restored.detail)
        self.assertEqual(list(AuditEntry.objects.exclude(pk=restored.pk).order_by("id").values_list("id", flat=True)), audit_before)
        self.assertEqual(media_files(), files)

        # Restored, the database is no longer empty: a second restore is refused.
        with self.assertRaisesMessage(CommandError, "the database is not empty"):
            call_command("restore", str(self.tmp / "b.tar.gz"))


class RefusalTest(BaseTestCase):
    """Refusals change nothing; BaseTestCase's users and units make the database non-empty."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.tmp = Path(tempfile.mkdtemp())
        cls.addClassCleanup(shutil.rmtree, cls.tmp)
        cls.archive = cls.tmp / "good.tar.gz"
        backup.create_backup(cls.archive)

    def state(self):
        return fingerprints(), media_files()

    def assertRefused(self, archive, message):
        before = self.state()
        with self.assertRaisesMessage(BackupError, message):
            backup.restore_backup(archive)
        self.assertEqual(self.state(), before)

    def test_a_non_empty_database_is_refused(self):
        self.assertRefused(self.archive, "the database is not empty (accounts_unit, accounts_user hold rows)")

    def test_existing_uploads_are_refused(self):
        (Path(settings.MEDIA_ROOT) / "old").mkdir(parents=True)
        (Path(settings.MEDIA_ROOT) / "old" / "a.txt").write_text("x")
        with self.assertRaisesMessage(BackupError, "already holds files"):
            backup.check_no_uploads()

    def test_a_truncated_backup_is_refused(self):
        data = self.archive.read_bytes()
        for size in (0, 10, len(data) // 2, len(data) - 10):
            with self.subTest(size=size):
                cut = self.tmp / f"cut{size}.tar.gz"
                cut.write_bytes(data[:size])
                self.assertRefused(cut, "nothing was changed")

    def test_a_changed_file_is_refused_by_its_checksum(self):
        db_name = backup.DB_FILES[connection.vendor]

        def flip(name, data):
            return data[:100] + bytes([data[100] ^ 1]) + data[101:] if name == db_name else data

        rewrite(self.archive, self.tmp / "flipped.tar.gz", flip)
        self.assertRefused(self.tmp / "flipped.tar.gz", f"{db_name} does not match its checksum")

    def test_a_missing_or_extra_file_is_refused(self):
        db_name = backup.DB_FILES[connection.vendor]
        rewrite(self.archive, self.tmp / "nodb.tar.gz", lambda n, d: None if n == db_name else d)
        self.assertRefused(self.tmp / "nodb.tar.gz", f"{db_name} does not match")
        rewrite(self.archive, self.tmp / "nomanifest.tar.gz", lambda n, d: None if n == "manifest.json" else d)
        self.assertRefused(self.tmp / "nomanifest.tar.gz", "has no manifest")

    def test_entries_outside_the_backup_layout_are_refused(self):
        with tarfile.open(self.tmp / "evil.tar.gz", "w:gz") as tar:
            info = tarfile.TarInfo("media/../../etc/passwd")
            info.size = 1
            tar.addfile(info, io.BytesIO(b"x"))
        self.assertRefused(self.tmp / "evil.tar.gz", "unexpected entry")
        self.assertRefused(self.tmp / "missing.tar.gz", "is not a file")
        (self.tmp / "plain.tar.gz").write_bytes(b"not a backup at all")
        self.assertRefused(self.tmp / "plain.tar.gz", "damaged or truncated")

    def test_another_engine_or_a_newer_version_is_refused(self):
        other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
        with self.assertRaisesMessage(BackupError, f"this backup is of a {other} database"):
            backup._check_compatible({"engine": other, "migrations": {}})
        with self.assertRaisesMessage(BackupError, "newer version of Laogan (migrations unknown here: members.9999_future)"):
            backup._check_compatible({"engine": connection.vendor, "migrations": {"members": ["0001_initial", "9999_future"]}})

    def test_the_command_says_why(self):
        with self.assertRaisesMessage(CommandError, "the database is not empty"):
            call_command("restore", str(self.archive))


class NightlyTest(BaseTestCase):
    def setUp(self):
        self.folder = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.folder)
        override = override_settings(LAOGAN_BACKUP_DIR=self.folder, LAOGAN_BACKUP_KEEP=3, LAOGAN_BACKUP_HOUR=2)
        override.enable()
        self.addCleanup(override.disable)

    def at(self, day, hour):
        return datetime(2026, 11, day, hour, 30, tzinfo=ZoneInfo("Asia/Shanghai"))

    def test_one_backup_a_night_and_the_newest_kept(self):
        for day in (20, 21, 22):
            (self.folder / f"laogan-202611{day}-020000.tar.gz").write_bytes(b"old")
        (self.folder / "notes.txt").write_text("not ours")
        self.assertIsNone(nightly_backup(now=self.at(26, 1)))  # before the hour
        made = nightly_backup(now=self.at(26, 3))
        self.assertEqual(made.name, "laogan-20261126-033000.tar.gz")
        self.assertIsNone(nightly_backup(now=self.at(26, 4)))  # one a day
        self.assertEqual([p.name for p in nightly_backups(self.folder)],
                         ["laogan-20261121-020000.tar.gz", "laogan-20261122-020000.tar.gz", made.name])
        self.assertTrue((self.folder / "notes.txt").exists())
        with tempfile.TemporaryDirectory() as folder:
            manifest = backup.unpack(made, Path(folder))
        self.assertEqual(manifest["engine"], connection.vendor)

    def test_leftovers_of_a_crashed_backup_are_removed_after_a_day(self):
        stale, fresh = self.folder / ".laogan-x.tar.gz.partial-1", self.folder / ".laogan-y.tar.gz.partial-2"
        stale.write_bytes(b"half")
        fresh.write_bytes(b"half")
        os.utime(stale, (time.time() - 2 * 86400,) * 2)
        backup.prune(self.folder, 3)
        self.assertEqual((stale.exists(), fresh.exists()), (False, True))

    def test_keep_zero_turns_nightly_backups_off(self):
        with self.settings(LAOGAN_BACKUP_KEEP=0):
            self.assertIsNone(nightly_backup(now=self.at(26, 3)))
        self.assertEqual(list(self.folder.iterdir()), [])

    def test_the_worker_runs_it_outside_a_transaction(self):
        from laogan.jobs.registry import all_jobs

        job = next(j for j in all_jobs() if j.name == "nightly_backup")
        self.assertFalse(job.atomic)
