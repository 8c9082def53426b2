"""Test base: a small org tree with two centres under one bureau, and the personas every scope test uses.

    bureau (demo-like) ─┬─ centre A ── branch A ─┬─ group A1
                        │                        └─ group A2
                        └─ centre B ── branch B ─── group B1
"""

import os
import time
from datetime import date

from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.core.management import call_command
from django.test import TestCase, TransactionTestCase

from laogan.accounts.models import Role, Unit, UnitKind, User
from laogan.lib import idcard
from laogan.members.actions import do_create_member
from laogan.members.models import Member

PASSWORD = "correct-horse-battery"


def make_unit(code, kind, parent=None, name=None, **kw):
    return Unit.objects.create(code=code, name=name or code, kind=kind, parent=parent, **kw)


def make_user(username, unit, role=Role.STAFF, **kw):
    user = User(username=username, full_name=kw.pop("full_name", username), unit=unit, role=role, **kw)
    user.set_password(PASSWORD)
    user.save()
    return user


_sequence = iter(range(1, 10**6))


def make_member(name="张建国", born=date(1928, 5, 3), unit=None, sex="M", id_number=None, phones=(), **kw):
    """Return a saved member; the ID number is made valid for the birth date and sex unless given."""
    if id_number is None:
        id_number = idcard.make("450107", born, next(_sequence) * 2 % 1000, sex)
    member = Member(name=name, birth_date=born, sex=sex, unit=unit, id_number=id_number, **kw)
    return do_create_member(member, acting_user=None, phones=phones)


class BaseTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.bureau = make_unit("bureau", UnitKind.BUREAU, name="城区老干部局")
        cls.centre_a = make_unit("centre-a", UnitKind.CENTRE, cls.bureau, name="甲中心", hotline="0771-1111111")
        cls.branch_a = make_unit("branch-a", UnitKind.BRANCH, cls.centre_a, name="甲支部")
        cls.group_a1 = make_unit("group-a1", UnitKind.GROUP, cls.branch_a, name="第一党小组")
        cls.group_a2 = make_unit("group-a2", UnitKind.GROUP, cls.branch_a, name="第二党小组")
        cls.centre_b = make_unit("centre-b", UnitKind.CENTRE, cls.bureau, name="乙中心")
        cls.branch_b = make_unit("branch-b", UnitKind.BRANCH, cls.centre_b, name="乙支部")
        cls.group_b1 = make_unit("group-b1", UnitKind.GROUP, cls.branch_b, name="乙一组")

        cls.admin = make_user("admin", cls.bureau, Role.ADMIN)
        cls.viewer = make_user("viewer", cls.bureau, Role.VIEWER)
        cls.secretary = make_user("secretary", cls.centre_a, Role.SECRETARY)
        cls.liaison = make_user("liaison", cls.centre_a, Role.STAFF)
        cls.group_leader = make_user("leader", cls.group_a1, Role.GROUP_LEADER)
        cls.outsider = make_user("outsider", cls.centre_b, Role.STAFF)

    def login(self, user):
        self.client.force_login(user)
        # As if the log-in page had just renewed the session: views within the minute only read it
        # (accounts.middleware.IdleSessionMiddleware), so query counts do not depend on which view came first.
        session = self.client.session
        session["_touched"] = int(time.time())
        session.save()
        return user


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-quic", "--no-first-run", "--disable-dev-shm-usage",
]


class ReferenceRowsMixin:
    """For tests that commit (TransactionTestCase): start from the database as migrations left it.

    Between such tests Django empties every table, and the rows data migrations insert (case types, request
    categories, advisory fields) would be gone for the next one; flush's post_migrate brings back content types
    under other ids. So each test empties the tables and reloads the rows serialized when the test database was made.
    """

    serialized_rollback = True

    @classmethod
    def _fixture_setup(cls):
        for alias in cls._databases_names(include_mirrors=False):
            call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True, database=alias)
        super()._fixture_setup()


class ReferenceRowsTestCase(ReferenceRowsMixin, TransactionTestCase):
    pass


class BrowserTestCase(ReferenceRowsMixin, StaticLiveServerTestCase):
    """A live server and Debian's chromium driven by Playwright (never `playwright install`)."""

    @classmethod
    def setUpClass(cls):
        if not os.path.exists(CHROMIUM):
            raise AssertionError(f"{CHROMIUM} is missing: install Debian's chromium package (make test does)")
        super().setUpClass()
        from playwright.sync_api import sync_playwright

        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

    def open_phone(self, **options):
        """Open a page in a fresh browser context the size of a 360 px phone, in Chinese; it is self.page."""
        context = self.browser.new_context(viewport={"width": 360, "height": 760}, device_scale_factor=2, is_mobile=True,
                                           has_touch=True, locale="zh-CN", **options)
        self.addCleanup(context.close)
        self.page = context.new_page()
        self.page.set_default_timeout(30_000)
        return self.page

    def assert_no_horizontal_scroll(self):
        """Every staff page must fit a 360 px phone: nothing may stick out sideways."""
        width = self.page.evaluate("document.documentElement.scrollWidth")
        self.assertLessEqual(width, 360, f"{self.page.url} is {width} px wide on a 360 px phone")

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()
