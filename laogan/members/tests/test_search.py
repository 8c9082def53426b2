from datetime import date

from laogan.members.models import Contact, Member
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

    def test_longer_suffix_costs_the_same_queries_however_many_share_the_last_four(self):
        for i, name in enumerate(["王一", "王二", "王三", "王四", "王五"]):
            make_member(name=name, born=date(1930, 3, 1 + i), unit=self.group_a2, phones=[("mobile", f"1390000{i}234")])
        # candidates, their phones, their contacts, then the final list
        with self.assertNumQueries(4):
            self.assertEqual(self.search("77001234"), {self.zhang_jianguo})

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
