from datetime import date

from django.test import SimpleTestCase

from laogan.lib import idcard

# A real-format number (Beijing Chaoyang region code, born 1949-12-31, a woman) with a correct check character X.
WOMAN_1949 = "11010519491231002X"


class CheckCharacterTest(SimpleTestCase):
    def test_valid_number_parses(self):
        parsed = idcard.parse(WOMAN_1949)
        self.assertEqual(parsed.number, WOMAN_1949)
        self.assertEqual(parsed.upgraded_from, "")

    def test_check_character_follows_iso_7064_mod_11_2(self):
        self.assertEqual(idcard.check_char("11010519491231002"), "X")
        self.assertEqual(idcard.check_char("45010719280503123"), "8")

    def test_wrong_check_character_is_refused_and_says_which_it_should_be(self):
        with self.assertRaisesMessage(idcard.IdNumberError, "末位应为X，实为1"):
            idcard.parse("110105194912310021")

    def test_one_mistyped_digit_is_caught(self):
        with self.assertRaises(idcard.IdNumberError):
            idcard.parse("11010519491231003X")

    def test_wrong_length_is_refused(self):
        for text in ("1101051949123100", "11010519491231002X1", ""):
            with self.subTest(text=text), self.assertRaises(idcard.IdNumberError):
                idcard.parse(text)

    def test_letters_other_than_final_x_are_refused(self):
        with self.assertRaises(idcard.IdNumberError):
            idcard.parse("1101051949123100AX")

    def test_impossible_birth_date_is_refused(self):
        first17 = "11010519490230002"  # 30 February
        with self.assertRaisesMessage(idcard.IdNumberError, "19490230"):
            idcard.parse(first17 + idcard.check_char(first17))

    def test_make_builds_a_number_that_parses_back(self):
        number = idcard.make("450107", date(1928, 5, 3), 123, "M")
        self.assertEqual(number, "450107192805031238")
        self.assertEqual(idcard.parse(number).birth_date, date(1928, 5, 3))

    def test_make_adjusts_the_sequence_to_the_sex(self):
        self.assertEqual(idcard.parse(idcard.make("450107", date(1928, 5, 3), 123, "F")).sex, "F")
        self.assertEqual(idcard.parse(idcard.make("450107", date(1928, 5, 3), 122, "M")).sex, "M")


class BirthDateAndSexTest(SimpleTestCase):
    def test_birth_date_comes_from_digits_7_to_14(self):
        self.assertEqual(idcard.parse(WOMAN_1949).birth_date, date(1949, 12, 31))

    def test_even_sequence_digit_is_a_woman(self):
        self.assertEqual(idcard.parse(WOMAN_1949).sex, "F")

    def test_odd_sequence_digit_is_a_man(self):
        self.assertEqual(idcard.parse("450107192805031238").sex, "M")


class FifteenDigitUpgradeTest(SimpleTestCase):
    def test_fifteen_digit_number_is_upgraded_to_eighteen(self):
        parsed = idcard.parse("110105491231002")
        self.assertEqual(parsed.number, WOMAN_1949)
        self.assertEqual(parsed.upgraded_from, "110105491231002")

    def test_upgraded_number_keeps_birth_date_and_sex(self):
        parsed = idcard.parse("450107280503123")
        self.assertEqual(parsed.number, "450107192805031238")
        self.assertEqual(parsed.birth_date, date(1928, 5, 3))
        self.assertEqual(parsed.sex, "M")

    def test_fifteen_digit_number_with_impossible_date_is_refused(self):
        with self.assertRaises(idcard.IdNumberError):
            idcard.parse("110105491331002")


class NormalisationTest(SimpleTestCase):
    def test_lower_case_x_is_raised(self):
        self.assertEqual(idcard.parse("11010519491231002x").number, WOMAN_1949)

    def test_full_width_digits_and_letter_are_folded(self):
        self.assertEqual(idcard.parse("１１０１０５１９４９１２３１００２ｘ").number, WOMAN_1949)

    def test_spaces_and_hyphens_inside_are_removed(self):
        self.assertEqual(idcard.parse(" 110105 19491231 002X ").number, WOMAN_1949)
        self.assertEqual(idcard.parse("110105-19491231-002X").number, WOMAN_1949)
        self.assertEqual(idcard.parse("110105\u300019491231002X").number, WOMAN_1949)

    def test_normalize_leaves_the_number_otherwise_alone(self):
        self.assertEqual(idcard.normalize("４５０１０７ 19280503123x"), "45010719280503123X")


class MaskTest(SimpleTestCase):
    def test_mask_keeps_first_four_and_last_four(self):
        self.assertEqual(idcard.mask("45010719280503123X"), "4501**********123X")

    def test_mask_of_nothing_is_empty(self):
        self.assertEqual(idcard.mask(""), "")
        self.assertEqual(idcard.mask(None), "")

    def test_short_value_is_hidden_entirely(self):
        self.assertEqual(idcard.mask("12345678"), "********")
