from django.test import SimpleTestCase

from laogan.lib import pinyin


class PinyinTest(SimpleTestCase):
    def test_full_pinyin_has_no_spaces(self):
        self.assertEqual(pinyin.full("张建国"), "zhangjianguo")

    def test_initials_are_the_first_letter_of_each_syllable(self):
        self.assertEqual(pinyin.initials("张建国"), "zjg")

    def test_spaces_in_a_name_are_ignored(self):
        self.assertEqual(pinyin.full("张 建国"), "zhangjianguo")
        self.assertEqual(pinyin.full("张\u3000建国"), "zhangjianguo")

    def test_an_empty_name_gives_empty_pinyin(self):
        self.assertEqual(pinyin.full(""), "")
        self.assertEqual(pinyin.initials(None), "")

    def test_polyphonic_surnames_are_read_as_surnames(self):
        cases = {
            "单": "shan", "区": "ou", "曾": "zeng", "解": "xie", "仇": "qiu", "朴": "piao",
            "查": "zha", "翟": "zhai", "覃": "qin", "盖": "ge", "缪": "miao",
        }
        for surname, reading in cases.items():
            with self.subTest(surname=surname):
                self.assertEqual(pinyin.full(surname + "建国"), reading + "jianguo")
                self.assertEqual(pinyin.initials(surname + "建国"), reading[0] + "jg")

    def test_compound_surname_yuchi(self):
        self.assertEqual(pinyin.full("尉迟恭"), "yuchigong")
        self.assertEqual(pinyin.initials("尉迟恭"), "ycg")

    def test_a_polyphonic_character_later_in_the_name_keeps_its_ordinary_reading(self):
        # Only the surname position is forced: 单 in a given name keeps the ordinary reading dān.
        self.assertEqual(pinyin.full("张单"), "zhangdan")

    def test_other_compound_surnames_split_into_two_initials(self):
        self.assertEqual(pinyin.initials("欧阳修"), "oyx")
        self.assertEqual(pinyin.initials("诸葛亮"), "zgl")
        self.assertEqual(pinyin.full("单于夫"), "chanyufu")
