from datetime import date
from importlib import import_module
from unittest import mock

from django.db import connection
from django.db.migrations.loader import MigrationLoader

from laogan.lib.crypto import suffix_hash
from laogan.members.actions import do_update_member, snapshot
from laogan.members.models import Contact, Member, MemberPhone
from laogan.test import BaseTestCase, make_member


class SearchTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.zhang_jianguo = make_member(
            name="张建国", born=date(1928, 5, 3), id_number="450107192805031238", unit=cls.group_a1,
            phones=[("mobile", "13877001234"), ("home", "0771-5551111")],
        )
        cls.zhang_jianhua = make_member(
            name="张建华", born=date(1930, 8, 15), id_number="450107193008152111", unit=cls.group_a2,
            phones=[("mobile", "13977005678")],
        )
        cls.shan_yulan = make_member(
            name="单玉兰", born=date(1933, 2, 14), sex="F", id_number="45010319330214028X", unit=cls.group_a1,
        )
        Contact.objects.create(member=cls.shan_yulan, name="李明", relationship="儿子", phone="13600009876")
        # Centre B has a namesake whose mobile ends in the same four digits.
        cls.zhang_jianjun = make_member(
            name="张建军", born=date(1931, 1, 20), id_number="450102193101203153", unit=cls.group_b1,
            phones=[("mobile", "13500001234")],
        )

    def search(self, text, user=None):
        return set(Member.objects.visible_to(user or self.liaison).search(text))

    def test_empty_search_returns_everyone_in_scope(self):
        self.assertEqual(self.search(""), {self.zhang_jianguo, self.zhang_jianhua, self.shan_yulan})

    def test_name_prefix_finds_members(self):
        self.assertEqual(self.search("张"), {self.zhang_jianguo, self.zhang_jianhua})
        self.assertEqual(self.search("张建国"), {self.zhang_jianguo})

    def test_spaces_in_the_name_are_ignored(self):
        self.assertEqual(self.search(" 张 建国 "), {self.zhang_jianguo})

    def test_name_in_the_middle_does_not_match(self):
        self.assertEqual(self.search("建国"), set())

    def test_full_pinyin_finds_the_member(self):
        self.assertEqual(self.search("zhangjianguo"), {self.zhang_jianguo})

    def test_pinyin_prefix_finds_members(self):
        self.assertEqual(self.search("zhangjian"), {self.zhang_jianguo, self.zhang_jianhua})

    def test_pinyin_with_spaces_and_capitals(self):
        self.assertEqual(self.search("Zhang Jian Guo"), {self.zhang_jianguo})

    def test_pinyin_initials_find_the_member(self):
        self.assertEqual(self.search("zjg"), {self.zhang_jianguo})
        self.assertEqual(self.search("ZJ"), {self.zhang_jianguo, self.zhang_jianhua})

    def test_polyphonic_surname_by_pinyin_and_initials(self):
        self.assertEqual(self.search("shanyulan"), {self.shan_yulan})
        self.assertEqual(self.search("syl"), {self.shan_yulan})
        self.assertEqual(self.search("danyulan"), set())

    def test_phone_last_four(self):
        self.assertEqual(self.search("1234"), {self.zhang_jianguo})

    def test_second_phone_last_four(self):
        self.assertEqual(self.search("1111"), {self.zhang_jianguo})

    def test_longer_phone_suffix(self):
        self.assertEqual(self.search("77001234"), {self.zhang_jianguo})
        self.assertEqual(self.search("13877001234"), {self.zhang_jianguo})

    def test_longer_suffix_that_only_shares_the_last_four_does_not_match(self):
        self.assertEqual(self.search("99001234"), set())

    def test_five_digits_cost_the_same_queries_however_many_share_the_last_four(self):
        for i, name in enumerate(["王一", "王二", "王三", "王四", "王五"]):
            make_member(name=name, born=date(1930, 3, 1 + i), unit=self.group_a2, phones=[("mobile", f"13900{i}91234")])
        # candidates, their phones, their contacts, then the final list
        with self.assertNumQueries(4):
            self.assertEqual(self.search("01234"), {self.zhang_jianguo})

    def test_six_or_more_digits_cost_two_queries(self):
        for i, name in enumerate(["王一", "王二", "王三", "王四", "王五"]):
            make_member(name=name, born=date(1930, 3, 1 + i), unit=self.group_a2, phones=[("mobile", f"1396600{i}234")])
        # the numbers that share the last six (one union, decrypted here), then the final list
        with self.assertNumQueries(2):
            self.assertEqual(self.search("77001234"), {self.zhang_jianguo})

    def test_phone_suffix_of_every_length(self):
        for digits in (4, 5, 6, 7, 8, 9, 10, 11):
            with self.subTest(digits=digits):
                self.assertEqual(self.search("13877001234"[-digits:]), {self.zhang_jianguo})

    def test_fixed_line_suffix(self):
        # 0771-5551111 is stored as 07715551111.
        self.assertEqual(self.search("5551111"), {self.zhang_jianguo})
        self.assertEqual(self.search("15551111"), {self.zhang_jianguo})
        self.assertEqual(self.search("05551111"), set())

    def test_id_number_suffix_of_every_length(self):
        for digits in (4, 5, 6, 7, 8, 11, 14, 16, 17):
            with self.subTest(digits=digits):
                self.assertEqual(self.search("450107192805031238"[-digits:]), {self.zhang_jianguo})

    def test_id_number_suffix_with_x_in_either_case(self):
        for text in ("14028X", "214028x", "0214028X", "19330214028x", "5010319330214028X"):
            with self.subTest(text=text):
                self.assertEqual(self.search(text), {self.shan_yulan})

    def test_contact_phone_suffix_of_every_length(self):
        for digits in (4, 5, 6, 7, 8, 11):
            with self.subTest(digits=digits):
                self.assertEqual(self.search("13600009876"[-digits:]), {self.shan_yulan})

    def test_a_number_sharing_only_the_last_four_does_not_match_six_or_more(self):
        wang = make_member(name="王一", born=date(1928, 5, 11), id_number="450107192805111238", unit=self.group_a2,
                           phones=[("mobile", "13877991234")])
        self.assertEqual(self.search("1238"), {self.zhang_jianguo, wang})
        self.assertEqual(self.search("031238"), {self.zhang_jianguo})
        self.assertEqual(self.search("111238"), {wang})
        self.assertEqual(self.search("1234"), {self.zhang_jianguo, wang})
        self.assertEqual(self.search("001234"), {self.zhang_jianguo})
        self.assertEqual(self.search("13877991234"), {wang})

    def test_a_number_sharing_the_last_six_matches_only_as_far_as_it_agrees(self):
        wang = make_member(name="王一", born=date(1930, 3, 1), unit=self.group_a2, phones=[("mobile", "13966001234")])
        self.assertEqual(self.search("001234"), {self.zhang_jianguo, wang})
        self.assertEqual(self.search("7001234"), {self.zhang_jianguo})
        self.assertEqual(self.search("6001234"), {wang})
        self.assertEqual(self.search("77001234"), {self.zhang_jianguo})
        self.assertEqual(self.search("13966001234"), {wang})
        self.assertEqual(self.search("23966001234"), set())

    def test_an_edited_number_is_found_by_its_new_suffix_only(self):
        member = Member.objects.get(pk=self.zhang_jianhua.pk)
        do_update_member(member, acting_user=self.secretary, expected_version=member.version, before=snapshot(member),
                         phones=[("mobile", "13977334455")],
                         contacts=[{"name": "张小华", "relationship": "女儿", "phone": "13788776655"}])
        self.assertEqual(self.search("77334455"), {self.zhang_jianhua})
        self.assertEqual(self.search("88776655"), {self.zhang_jianhua})
        self.assertEqual(self.search("77005678"), set())

    def test_full_width_digits(self):
        self.assertEqual(self.search("１２３４"), {self.zhang_jianguo})

    def test_contact_phone_finds_the_member(self):
        self.assertEqual(self.search("9876"), {self.shan_yulan})

    def test_id_number_last_four(self):
        self.assertEqual(self.search("1238"), {self.zhang_jianguo})

    def test_id_number_last_four_with_x_in_either_case(self):
        self.assertEqual(self.search("028X"), {self.shan_yulan})
        self.assertEqual(self.search("028x"), {self.shan_yulan})

    def test_full_id_number(self):
        self.assertEqual(self.search("450107192805031238"), {self.zhang_jianguo})

    def test_full_id_number_with_lower_case_x(self):
        self.assertEqual(self.search("45010319330214028x"), {self.shan_yulan})

    def test_old_fifteen_digit_id_number(self):
        self.assertEqual(self.search("450107280503123"), {self.zhang_jianguo})

    def test_id_number_with_a_bad_check_character_finds_nothing(self):
        self.assertEqual(self.search("450107192805031230"), set())

    def test_fewer_than_four_digits_finds_nothing(self):
        self.assertEqual(self.search("234"), set())

    def test_search_never_leaves_the_users_scope(self):
        for text in ("张建军", "zhangjianjun", "zjj", "1234", "00001234", "3153", "450102193101203153"):
            with self.subTest(text=text):
                self.assertNotIn(self.zhang_jianjun, self.search(text))
        self.assertEqual(self.search("zjj", user=self.outsider), {self.zhang_jianjun})

    def test_group_leader_searches_only_their_group(self):
        self.assertEqual(self.search("张", user=self.group_leader), {self.zhang_jianguo})

    def test_viewer_finds_nobody(self):
        self.assertEqual(self.search("张", user=self.viewer), set())


class SuffixHashTest(BaseTestCase):
    """The keyed hashes of the last six characters that search by six or more reads."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.shan = make_member(name="单玉兰", born=date(1933, 2, 14), sex="F", id_number="45010319330214028x",
                               unit=cls.group_a1, phones=[("mobile", "138 7700 1234"), ("home", "0771-5551111")])
        Contact.objects.create(member=cls.shan, name="李明", relationship="儿子", phone="+86 136-0000-9876")
        Contact.objects.create(member=cls.shan, name="李红", relationship="女儿")
        cls.no_id = make_member(name="王一", born=date(1930, 3, 1), id_number="", unit=cls.group_a1)

    def stored(self):
        """Return {(table, number): stored hash} for every ID number, phone and contact, read back from the database."""
        rows = [("member", n, h) for n, h in Member.objects.values_list("id_number", "id_number_suffix_hash")]
        rows += [("phone", n, h) for n, h in MemberPhone.objects.values_list("number", "suffix_hash")]
        rows += [("contact", n, h) for n, h in Contact.objects.values_list("phone", "phone_suffix_hash")]
        return {(table, n): h for table, n, h in rows}

    def test_every_number_carries_the_keyed_hash_of_its_last_six(self):
        self.assertEqual(self.stored(), {
            ("member", "45010319330214028X"): suffix_hash("14028X"),
            ("member", ""): "",
            ("phone", "13877001234"): suffix_hash("001234"),
            ("phone", "07715551111"): suffix_hash("551111"),
            ("contact", "13600009876"): suffix_hash("009876"),
            ("contact", ""): "",
        })
        self.assertEqual(len(suffix_hash("001234")), 16)

    def test_the_migration_fills_the_hashes_of_existing_rows_in_batches(self):
        expected = self.stored()
        Member.objects.update(id_number_suffix_hash="")
        MemberPhone.objects.update(suffix_hash="")
        Contact.objects.update(phone_suffix_hash="")
        self.assertEqual(self.search_count("77001234"), 0)
        migration = import_module("laogan.members.migrations.0006_number_suffix_hashes")
        # The models as the migration sees them; the schema editor is only asked for its connection.
        historical = MigrationLoader(connection).project_state(("members", "0006_number_suffix_hashes")).apps
        with mock.patch.object(migration, "BATCH", 1):
            migration.fill_suffix_hashes(historical, connection.schema_editor())
        self.assertEqual(self.stored(), expected)
        self.assertEqual(self.search_count("77001234"), 1)
        self.assertEqual(self.search_count("0214028x"), 1)

    def search_count(self, text):
        return Member.objects.visible_to(self.liaison).search(text).count()
