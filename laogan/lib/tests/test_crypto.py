import hashlib
from datetime import date

from cryptography.fernet import Fernet
from django.db import connection
from django.test import SimpleTestCase, TestCase, override_settings

from laogan.accounts.models import UnitKind
from laogan.lib import crypto
from laogan.test import make_member, make_unit

# Fixed keys so failures are reproducible; never used outside tests.
OLD_KEY = "b2xkLWtleS1vbGQta2V5LW9sZC1rZXktb2xkLWtleSE="
NEW_KEY = "bmV3LWtleS1uZXcta2V5LW5ldy1rZXktbmV3LWtleSE="


class EncryptDecryptTest(SimpleTestCase):
    def test_the_fixed_test_keys_are_valid_fernet_keys(self):
        for key in (OLD_KEY, NEW_KEY):
            Fernet(key)  # raises ValueError otherwise

    def test_round_trip(self):
        token = crypto.encrypt("广西南宁市青秀区民族大道1号")
        self.assertTrue(token.startswith("f1:"))
        self.assertNotIn("民族大道", token)
        self.assertEqual(crypto.decrypt(token), "广西南宁市青秀区民族大道1号")

    def test_the_same_text_encrypts_differently_each_time(self):
        self.assertNotEqual(crypto.encrypt("13800001234"), crypto.encrypt("13800001234"))

    def test_empty_and_none_pass_through(self):
        self.assertEqual(crypto.encrypt(""), "")
        self.assertIsNone(crypto.encrypt(None))
        self.assertEqual(crypto.decrypt(""), "")

    def test_plain_text_in_the_column_is_an_error_not_a_silent_pass(self):
        with self.assertRaises(crypto.DecryptionError):
            crypto.decrypt("13800001234")

    @override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY])
    def test_value_written_with_the_old_key_decrypts_after_rotation(self):
        token = crypto.encrypt("13800001234")
        with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
            self.assertEqual(crypto.decrypt(token), "13800001234")
            rotated = crypto.rotate(token)
        with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
            self.assertEqual(crypto.decrypt(rotated), "13800001234")
            with self.assertRaises(crypto.DecryptionError):
                crypto.decrypt(token)

    @override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY])
    def test_value_written_with_an_unknown_key_says_so(self):
        with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
            token = crypto.encrypt("13800001234")
        with self.assertRaisesMessage(crypto.DecryptionError, "LAOGAN_FIELD_KEYS"):
            crypto.decrypt(token)


class LookupHashTest(SimpleTestCase):
    @override_settings(LOOKUP_HASH_KEY="lookup-key-one")
    def test_lookup_hash_is_stable(self):
        self.assertEqual(crypto.lookup_hash("11010519491231002X"), crypto.lookup_hash("11010519491231002X"))
        self.assertEqual(len(crypto.lookup_hash("11010519491231002X")), 64)

    @override_settings(LOOKUP_HASH_KEY="lookup-key-one")
    def test_lookup_hash_does_not_follow_field_key_rotation(self):
        before = crypto.lookup_hash("11010519491231002X")
        with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
            self.assertEqual(crypto.lookup_hash("11010519491231002X"), before)

    def test_lookup_hash_depends_on_the_key(self):
        with override_settings(LOOKUP_HASH_KEY="lookup-key-one"):
            one = crypto.lookup_hash("11010519491231002X")
        with override_settings(LOOKUP_HASH_KEY="lookup-key-two"):
            two = crypto.lookup_hash("11010519491231002X")
        self.assertNotEqual(one, two)
        self.assertNotIn("11010519491231002X", one)


class SuffixHashTest(SimpleTestCase):
    @override_settings(LOOKUP_HASH_KEY="lookup-key-one")
    def test_it_hashes_the_last_six_characters_upper_cased(self):
        self.assertEqual(crypto.suffix_hash("11010519491231002X"), crypto.suffix_hash("31002x"))
        self.assertEqual(crypto.suffix_hash("13800001234"), crypto.suffix_hash("99001234"))
        self.assertNotEqual(crypto.suffix_hash("13800001234"), crypto.suffix_hash("13800011234"))
        self.assertEqual(len(crypto.suffix_hash("13800001234")), 16)

    def test_a_number_shorter_than_six_has_none(self):
        self.assertEqual(crypto.suffix_hash("01234"), "")
        self.assertEqual(crypto.suffix_hash(""), "")
        self.assertEqual(crypto.suffix_hash(None), "")

    def test_it_is_keyed_not_a_bare_hash_of_the_digits(self):
        with override_settings(LOOKUP_HASH_KEY="lookup-key-one"):
            one = crypto.suffix_hash("001234")
        with override_settings(LOOKUP_HASH_KEY="lookup-key-two"):
            two = crypto.suffix_hash("001234")
        self.assertNotEqual(one, two)
        for bare in (hashlib.sha256(b"001234"), hashlib.md5(b"001234"), hashlib.sha1(b"001234")):
            self.assertNotIn(one, bare.hexdigest())
        # Not the hash that finds a whole value either: a six-character value never shares a column with a suffix.
        with override_settings(LOOKUP_HASH_KEY="lookup-key-one"):
            self.assertFalse(crypto.lookup_hash("001234").startswith(one))


@override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY])
class StoredValueTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        bureau = make_unit("bureau", UnitKind.BUREAU)
        centre = make_unit("centre", UnitKind.CENTRE, bureau)
        cls.branch = make_unit("branch", UnitKind.BRANCH, centre)

    def raw(self, sql, pk):
        with connection.cursor() as cursor:
            cursor.execute(sql, [pk])
            return cursor.fetchone()

    def test_id_number_address_and_phone_are_not_stored_in_clear(self):
        member = make_member(
            unit=self.branch, id_number="11010519491231002X", born=date(1949, 12, 31), sex="F",
            address="民族大道1号", phones=[("mobile", "13800001234")],
        )
        id_number, address = self.raw("SELECT id_number, address FROM members_member WHERE id = %s", member.pk)
        self.assertTrue(id_number.startswith("f1:"))
        self.assertNotIn("11010519491231002X", id_number)
        self.assertNotIn("民族大道", address)
        (number,) = self.raw("SELECT number FROM members_memberphone WHERE member_id = %s", member.pk)
        self.assertNotIn("13800001234", number)

        member.refresh_from_db()
        self.assertEqual(member.id_number, "11010519491231002X")
        self.assertEqual(member.address, "民族大道1号")
        self.assertEqual(member.phones.get().number, "13800001234")

    def test_the_last_four_are_kept_in_clear_for_search(self):
        member = make_member(unit=self.branch, id_number="11010519491231002X", born=date(1949, 12, 31), sex="F")
        (last4,) = self.raw("SELECT id_number_last4 FROM members_member WHERE id = %s", member.pk)
        self.assertEqual(last4, "002X")

    def test_the_last_six_are_kept_only_as_a_keyed_hash(self):
        member = make_member(unit=self.branch, id_number="11010519491231002X", born=date(1949, 12, 31), sex="F",
                             phones=[("mobile", "13800001234")])
        (stored,) = self.raw("SELECT id_number_suffix_hash FROM members_member WHERE id = %s", member.pk)
        self.assertEqual(stored, crypto.suffix_hash("31002X"))
        (stored,) = self.raw("SELECT suffix_hash FROM members_memberphone WHERE member_id = %s", member.pk)
        self.assertEqual(stored, crypto.suffix_hash("001234"))
        self.assertNotIn("001234", stored)
