from django.test import SimpleTestCase

from laogan.surveys import codes


class CodesTest(SimpleTestCase):
    def test_a_new_code_has_eight_characters_without_0_o_1_or_i(self):
        for _ in range(200):
            code = codes.new_code()
            self.assertEqual(len(code), 8)
            self.assertFalse(set(code) & set("0O1I"))

    def test_typed_codes_forgive_case_spaces_dashes_and_full_width_characters(self):
        self.assertEqual(codes.normalize(" k7mq-3xpa "), "K7MQ3XPA")
        self.assertEqual(codes.normalize("Ｋ７ＭＱ　３ＸＰＡ"), "K7MQ3XPA")

    def test_anything_that_cannot_be_a_code_normalises_to_nothing(self):
        for text in ("", None, "K7MQ3XP", "K7MQ3XPAA", "K0MQ3XPA", "K7MQ3XPI", "阿拉伯数字"):
            self.assertEqual(codes.normalize(text), "", text)

    def test_codes_are_printed_in_two_groups_of_four(self):
        self.assertEqual(codes.display("K7MQ3XPA"), "K7MQ-3XPA")
        self.assertRegex(codes.display(codes.new_code()), codes.PATTERN)

    def test_the_stored_hash_is_keyed_and_differs_from_the_plain_digest(self):
        import hashlib

        digest = codes.code_hash("K7MQ3XPA")
        self.assertEqual(len(digest), 64)
        self.assertNotEqual(digest, hashlib.sha256(b"K7MQ3XPA").hexdigest())
        self.assertEqual(digest, codes.code_hash("K7MQ3XPA"))
