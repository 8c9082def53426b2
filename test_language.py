"""The UI speaks Chinese by default: the compiled zh_Hans catalogue is used for a browser that asks for nothing."""

from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from laogan.test import BaseTestCase


@override_settings(LANGUAGE_CODE="zh-hans")
class ChineseByDefaultTest(BaseTestCase):
    def test_login_page_is_in_chinese(self):
        response = self.client.get(reverse("login"))
        self.assertContains(response, '<html lang="zh-hans">')
        self.assertContains(response, "老干部之家")
        self.assertContains(response, "登录")

    def test_staff_pages_are_in_chinese(self):
        self.login(self.liaison)
        response = self.client.get(reverse("member_list"))
        self.assertContains(response, "新增老干部")

    def test_english_is_available(self):
        with translation.override("en"):
            self.assertEqual(translation.gettext("Members"), "Members")
        with translation.override("zh-hans"):
            self.assertEqual(translation.gettext("Members"), "老干部")
