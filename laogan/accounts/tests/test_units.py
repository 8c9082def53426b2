from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from laogan.accounts.models import PATH_WIDTH, AuditAction, AuditEntry, Role, Unit, UnitKind
from laogan.members.models import Member
from laogan.test import BaseTestCase, make_member, make_unit, make_user


class PathTest(BaseTestCase):
    def test_path_is_the_ancestors_ids_zero_padded(self):
        expected = "".join(f"{u.pk:0{PATH_WIDTH}d}" for u in (self.bureau, self.centre_a, self.branch_a, self.group_a1))
        self.assertEqual(self.group_a1.path, expected)
        self.group_a1.refresh_from_db()
        self.assertEqual(self.group_a1.path, expected)

    def test_depth(self):
        self.assertEqual([u.depth for u in (self.bureau, self.centre_a, self.branch_a, self.group_a1)], [1, 2, 3, 4])

    def test_ancestors_are_listed_from_the_top(self):
        self.assertEqual(self.group_a1.ancestors(), [self.bureau, self.centre_a, self.branch_a])
        self.assertEqual(self.bureau.ancestors(), [])

    def test_centre_is_found_for_every_unit_below_it(self):
        for unit in (self.centre_a, self.branch_a, self.group_a1):
            with self.subTest(unit=unit.code):
                unit.refresh_from_db()
                self.assertEqual(unit.centre_id, self.centre_a.pk)
        self.assertIsNone(self.bureau.centre_id)

    def test_subtree_holds_the_unit_and_everything_below(self):
        self.assertEqual(set(Unit.objects.subtree(self.centre_a)), {self.centre_a, self.branch_a, self.group_a1, self.group_a2})
        self.assertEqual(set(Unit.objects.subtree(self.group_a1)), {self.group_a1})

    def test_subtree_of_the_bureau_is_everything(self):
        self.assertEqual(Unit.objects.subtree(self.bureau).count(), Unit.objects.count())

    def test_an_id_that_shares_leading_digits_is_not_in_the_subtree(self):
        # Units 900012 and 9000120: without padding, 9000120 would look like a child of 900012. (Ids far above
        # any sequence, so PostgreSQL never hands them out again.)
        short = Unit(pk=900012, code="c-short", name="短号中心", kind=UnitKind.CENTRE, parent=self.bureau)
        short.save()
        long = Unit(pk=9000120, code="c-long", name="长号中心", kind=UnitKind.CENTRE, parent=self.bureau)
        long.save()
        branch = make_unit("b-long", UnitKind.BRANCH, long)
        self.assertEqual(set(Unit.objects.subtree(short)), {short})
        self.assertEqual(set(Unit.objects.subtree(long)), {long, branch})

    def test_visible_to_follows_the_users_unit(self):
        self.assertEqual(set(Unit.objects.visible_to(self.secretary)), set(Unit.objects.subtree(self.centre_a)))
        self.assertEqual(set(Unit.objects.visible_to(self.group_leader)), {self.group_a1})
        self.assertEqual(Unit.objects.visible_to(self.admin).count(), Unit.objects.count())

    def test_members_of_a_subtree(self):
        a1 = make_member(name="张建国", unit=self.group_a1)
        a2 = make_member(name="李秀英", unit=self.group_a2, sex="F")
        b1 = make_member(name="陈乙", unit=self.group_b1)
        self.assertEqual(set(Member.objects.in_unit(self.centre_a)), {a1, a2})
        self.assertEqual(set(Member.objects.in_unit(self.group_a2)), {a2})
        self.assertEqual(set(Member.objects.in_unit(self.bureau)), {a1, a2, b1})
        self.assertEqual(a1.centre, self.centre_a)


class ChildKindsTest(BaseTestCase):
    def assert_refused(self, kind, parent, field="kind"):
        with self.assertRaises(ValidationError) as caught:
            Unit(code="new", name="新单位", kind=kind, parent=parent).full_clean()
        self.assertIn(field, caught.exception.message_dict)

    def assert_allowed(self, kind, parent):
        Unit(code="new", name="新单位", kind=kind, parent=parent).full_clean()

    def test_only_a_bureau_sits_at_the_top(self):
        self.assert_allowed(UnitKind.BUREAU, None)
        for kind in (UnitKind.CENTRE, UnitKind.BRANCH, UnitKind.GROUP):
            with self.subTest(kind=kind):
                self.assert_refused(kind, None)

    def test_a_bureau_holds_bureaus_and_centres(self):
        self.assert_allowed(UnitKind.BUREAU, self.bureau)
        self.assert_allowed(UnitKind.CENTRE, self.bureau)
        self.assert_refused(UnitKind.BRANCH, self.bureau)
        self.assert_refused(UnitKind.GROUP, self.bureau)

    def test_a_centre_holds_branches_only(self):
        self.assert_allowed(UnitKind.BRANCH, self.centre_a)
        for kind in (UnitKind.BUREAU, UnitKind.CENTRE, UnitKind.GROUP):
            with self.subTest(kind=kind):
                self.assert_refused(kind, self.centre_a)

    def test_a_branch_holds_groups_only(self):
        self.assert_allowed(UnitKind.GROUP, self.branch_a)
        self.assert_refused(UnitKind.BRANCH, self.branch_a)

    def test_a_group_holds_nothing(self):
        for kind in UnitKind.values:
            with self.subTest(kind=kind):
                self.assert_refused(kind, self.group_a1)

    def test_code_is_lower_case_letters_digits_and_hyphens(self):
        with self.assertRaises(ValidationError) as caught:
            Unit(code="Centre A", name="x", kind=UnitKind.CENTRE, parent=self.bureau).full_clean()
        self.assertIn("code", caught.exception.message_dict)


class MoveTest(BaseTestCase):
    def test_a_unit_cannot_move_under_its_own_descendant(self):
        district = make_unit("district", UnitKind.BUREAU, self.bureau)
        self.bureau.parent = district
        with self.assertRaises(ValidationError) as caught:
            self.bureau.full_clean()
        self.assertIn("parent", caught.exception.message_dict)

    def test_a_unit_cannot_move_under_itself(self):
        self.bureau.parent = self.bureau
        with self.assertRaises(ValidationError) as caught:
            self.bureau.full_clean()
        self.assertIn("parent", caught.exception.message_dict)

    def test_the_edit_form_cannot_move_a_unit(self):
        self.login(self.admin)
        self.client.post(reverse("unit_edit", args=[self.group_a1.pk]),
                         {"code": "group-a1", "name": "第一党小组", "kind": "group", "parent": self.branch_b.pk})
        self.group_a1.refresh_from_db()
        self.assertEqual(self.group_a1.parent, self.branch_a)
        self.assertTrue(self.group_a1.path.startswith(self.centre_a.path))


@override_settings(LANGUAGE_CODE="en")
class UnitViewsTest(BaseTestCase):
    def test_admin_creates_a_group(self):
        self.login(self.admin)
        response = self.client.post(reverse("unit_create"), {"code": "group-a3", "name": "第三党小组", "kind": "group", "parent": self.branch_a.pk})
        self.assertRedirects(response, reverse("unit_list"))
        unit = Unit.objects.get(code="group-a3")
        self.assertTrue(unit.path.startswith(self.branch_a.path))
        self.assertEqual(unit.centre_id, self.centre_a.pk)
        self.assertTrue(AuditEntry.objects.filter(action=AuditAction.CREATE, object_type="accounts.unit", object_id=str(unit.pk)).exists())

    def test_wrong_kind_under_the_parent_is_shown_on_the_form(self):
        self.login(self.admin)
        response = self.client.post(reverse("unit_create"), {"code": "bad", "name": "错", "kind": "group", "parent": self.centre_a.pk})
        self.assertEqual(response.status_code, 200)
        self.assertIn("kind", response.context["form"].errors)
        self.assertFalse(Unit.objects.filter(code="bad").exists())

    def test_duplicate_code_is_refused(self):
        self.login(self.admin)
        response = self.client.post(reverse("unit_create"), {"code": "group-a1", "name": "重复", "kind": "group", "parent": self.branch_a.pk})
        self.assertIn("code", response.context["form"].errors)

    def test_admin_renames_a_unit_and_it_is_audited(self):
        self.login(self.admin)
        self.client.post(reverse("unit_edit", args=[self.group_a1.pk]), {"name": "一组", "hotline": "", "address": ""})
        self.group_a1.refresh_from_db()
        self.assertEqual(self.group_a1.name, "一组")
        entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_type="accounts.unit")
        self.assertEqual(entry.changes["name"], ["第一党小组", "一组"])

    def test_non_admins_cannot_manage_units(self):
        for user in (self.secretary, self.liaison, self.viewer, self.group_leader):
            self.login(user)
            for url in (reverse("unit_list"), reverse("unit_create"), reverse("unit_edit", args=[self.group_a1.pk])):
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(self.client.get(url).status_code, 403)

    def test_admin_of_a_centre_cannot_reach_another_centres_units(self):
        centre_admin = self.login(make_user("admin-a", self.centre_a, Role.ADMIN))
        self.assertEqual(self.client.get(reverse("unit_edit", args=[self.group_b1.pk])).status_code, 404)
        response = self.client.post(reverse("unit_create"), {"code": "g-x", "name": "x", "kind": "group", "parent": self.branch_b.pk})
        self.assertIn("parent", response.context["form"].errors)
        self.assertEqual(set(self.client.get(reverse("unit_list")).context["units"]), set(Unit.objects.visible_to(centre_admin)))
