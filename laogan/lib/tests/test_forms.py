"""lib.forms.QuickSelect writes the same HTML as Django's Select, without a template per option."""

import re

from django import forms
from django.test import SimpleTestCase

from laogan.lib.forms import QuickSelect

CHOICES = [("", "全部"), (1, "第一党小组 <东区>"), (2, "第二党小组 & 家属"), ("并入", [(3, "三组"), (4, "四组")]), (5, "五组")]


def same_shape(html):
    # Django's templates put each option on its own line; the options and their order are what matter.
    return re.sub(r">\s+<", "><", html.strip())


class QuickSelectTest(SimpleTestCase):
    def test_the_html_is_django_selects(self):
        for value in (None, "", 1, "2", 4, 9):
            with self.subTest(value=value):
                ours = QuickSelect(choices=CHOICES).render("group", value, attrs={"id": "id_group"})
                django = forms.Select(choices=CHOICES).render("group", value, attrs={"id": "id_group"})
                self.assertHTMLEqual(same_shape(ours), same_shape(django))

    def test_only_the_first_match_is_selected_in_a_single_select(self):
        html = QuickSelect(choices=[(1, "a"), (1, "b")]).render("x", 1)
        self.assertEqual(html.count("selected"), 1)

    def test_labels_are_escaped(self):
        html = QuickSelect(choices=CHOICES).render("group", None)
        self.assertIn("第一党小组 &lt;东区&gt;", html)
        self.assertIn("第二党小组 &amp; 家属", html)
