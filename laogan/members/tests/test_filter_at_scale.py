from unittest import mock

from laogan.members.forms import MemberFilterForm
from laogan.test import BaseTestCase


class GroupFilterAtScaleTest(BaseTestCase):
    def test_a_scope_with_few_groups_filters_by_group(self):
        form = MemberFilterForm(acting_user=self.admin)
        self.assertEqual(set(form.fields["group"].queryset), {self.branch_a, self.group_a1, self.group_a2, self.branch_b, self.group_b1})

    def test_a_scope_with_thousands_of_groups_filters_by_centre(self):
        with mock.patch("laogan.members.forms.GROUP_CHOICES_MAX", 3):
            form = MemberFilterForm({"group": self.centre_b.pk}, acting_user=self.admin)
            self.assertEqual(set(form.fields["group"].queryset), {self.centre_a, self.centre_b})
            self.assertTrue(form.is_valid())
            self.assertEqual(form.cleaned_data["group"], self.centre_b)
