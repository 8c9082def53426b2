"""The shared optimistic-locking pieces (lib/locking.py): reading the version a form sent, and claiming it."""

from datetime import date

from django import forms
from django.test import SimpleTestCase

from laogan.lib.locking import StaleEdit, VersionedFormMixin, claim, parse_version
from laogan.members.models import Member
from laogan.test import BaseTestCase, make_member


class ParseVersionTest(SimpleTestCase):
    def test_a_good_version_is_read_and_anything_else_is_zero_which_no_record_has(self):
        self.assertEqual(parse_version("3"), 3)
        self.assertEqual(parse_version(" 12 "), 12)
        for raw in (None, "", "x", "-1", "1.5", "١", "３", "9" * 40, "1e3", "0x10"):
            with self.subTest(raw=raw):
                self.assertEqual(parse_version(raw), 0)


class ThingForm(VersionedFormMixin, forms.Form):
    title = forms.CharField()


class VersionedFormTest(SimpleTestCase):
    def test_the_form_carries_the_version_hidden_and_reads_it_back(self):
        class Row:
            version = 4

        form = ThingForm(version_of=Row(), prefix="edit")
        self.assertIn('type="hidden" name="edit-version" value="4"', str(form["version"]))
        self.assertEqual([f.name for f in form.hidden_fields()], ["version"])
        self.assertEqual(ThingForm({"edit-title": "x", "edit-version": "4"}, prefix="edit").expected_version, 4)
        self.assertEqual(ThingForm({"edit-title": "x", "edit-version": "四"}, prefix="edit").expected_version, 0)
        self.assertEqual(ThingForm({"edit-title": "x"}, prefix="edit").expected_version, 0)


class ClaimTest(BaseTestCase):
    def test_the_claim_moves_the_version_on_once_and_refuses_a_stale_or_missing_one(self):
        member = make_member("张建国", date(1928, 5, 3), unit=self.group_a1)
        self.assertEqual(claim(Member, member.pk, 1), 2)
        for stale in (1, 0, 3, None, "2", True):
            with self.subTest(version=stale), self.assertRaises(StaleEdit):
                claim(Member, member.pk, stale)
        with self.assertRaisesMessage(StaleEdit, "张建国 was changed by someone else while you were editing."):
            claim(Member, member.pk, 1, name="张建国")
        self.assertEqual(Member.objects.get(pk=member.pk).version, 2)
