"""rotate_field_keys: every encrypted column ends on the newest key, in batches, resumably."""

import io
from datetime import date

from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from laogan.accounts import keyrotation, totp
from laogan.accounts.models import KeyRotationCheckpoint, TotpDevice
from laogan.lib import crypto
from laogan.lib.tests.test_crypto import NEW_KEY, OLD_KEY
from laogan.members.models import Member, MemberPhone
from laogan.test import BaseTestCase, make_member


def run(*args):
    out = io.StringIO()
    call_command("rotate_field_keys", *args, stdout=out)
    return out.getvalue()


class KeyRotationTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
            cls.members = [
                make_member(name=f"成员{i}", unit=cls.group_a1, born=date(1930, 1, 1 + i), address=f"民族大道{i}号",
                            health_notes="高血压" if i % 2 else "", phones=[("mobile", f"1380000{i:04d}")])
                for i in range(5)
            ]
            cls.device = TotpDevice.objects.create(user=cls.secretary, secret=totp.new_secret())

    def raw_tokens(self):
        """Every non-empty encrypted value in the database, read raw."""
        tokens = []
        with connection.cursor() as cursor:
            for model, names in keyrotation.encrypted_tables():
                cols = ", ".join(model._meta.get_field(n).column for n in names)
                cursor.execute(f"SELECT {cols} FROM {model._meta.db_table}")
                tokens += [v for row in cursor.fetchall() for v in row if v]
        return tokens

    def test_finds_every_encrypted_column(self):
        tables = dict((m._meta.label_lower, names) for m, names in keyrotation.encrypted_tables())
        self.assertEqual(tables["members.member"], ["id_number", "address", "health_notes"])
        self.assertIn("members.memberphone", tables)
        self.assertEqual(tables["accounts.totpdevice"], ["secret"])

    def test_rotate_resume_then_drop_the_old_key(self):
        before = {m.pk: (m.id_number, m.address, m.health_notes) for m in self.members}
        secret = self.device.secret
        with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
            # A run killed after two batches of two rows: it stops, remembering where.
            total = len(self.raw_tokens())
            output = run("--batch-size", "2", "--max-batches", "3")
            self.assertIn("stopped early", output)
            newest = keyrotation.Fernet(NEW_KEY)
            on_new = sum(keyrotation.on_newest(t, newest) for t in self.raw_tokens())
            self.assertTrue(0 < on_new < total, (on_new, total))
            self.assertTrue(KeyRotationCheckpoint.objects.filter(key_id=keyrotation.key_id(NEW_KEY), done=False).exists())
            # The re-run continues after the checkpoint and finishes.
            output = run("--batch-size", "2")
            self.assertIn("Key rotation finished", output)
            self.assertIn("re-encrypted", output)
            # A third run has nothing to do.
            self.assertIn("0 rows checked, 0 re-encrypted", run().splitlines()[-1])
            # With --restart every row is checked again and all are found on the newest key cheaply.
            last = run("--restart").splitlines()[-1]
            self.assertRegex(last, r"(\d+) rows checked, 0 re-encrypted")
        with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
            for token in self.raw_tokens():
                crypto.decrypt(token)  # raises if any value is still on the old key
            after = {m.pk: (m.id_number, m.address, m.health_notes) for m in Member.objects.all()}
            self.assertEqual(after, before)
            self.assertEqual(sorted(MemberPhone.objects.values_list("number", flat=True)),
                             [f"1380000{i:04d}" for i in range(5)])
            self.assertEqual(TotpDevice.objects.get().secret, secret)

    def test_suffix_hashes_stay_valid_through_a_rotation(self):
        # They are keyed with LAOGAN_LOOKUP_KEY, which never rotates (docs/SECURITY.md), over the plain number,
        # so re-encrypting must leave them as they are and search by six or more digits must still find everyone.
        def hashes():
            return (sorted(Member.objects.values_list("pk", "id_number_suffix_hash")),
                    sorted(MemberPhone.objects.values_list("pk", "suffix_hash")))

        before = hashes()
        self.assertNotIn("", [h for _, h in before[0] + before[1]])
        with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
            self.assertIn("Key rotation finished", run())
        with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
            self.assertEqual(hashes(), before)
            member = self.members[3]
            self.assertEqual(list(Member.objects.visible_to(self.secretary).search(member.id_number[-6:])), [member])
            self.assertEqual(list(Member.objects.visible_to(self.secretary).search("13800000003")), [member])
            self.assertEqual(list(Member.objects.visible_to(self.secretary).search("00000003")), [member])

    def test_rows_written_during_a_rotation_are_already_on_the_newest_key(self):
        with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
            run("--batch-size", "3", "--max-batches", "1")
            make_member(name="新成员", unit=self.group_a1, born=date(1931, 2, 2), address="新地址")
            run()
        with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
            for token in self.raw_tokens():
                crypto.decrypt(token)

    def test_without_a_rotation_the_old_key_is_still_needed(self):
        with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
            with self.assertRaises(crypto.DecryptionError):
                for token in self.raw_tokens():
                    crypto.decrypt(token)
