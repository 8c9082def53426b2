"""The special issue: only reflections with consent, a cover, a table of contents whose page numbers are the pages
the articles start on, each article's text, scanned pages as images; the command's errors and summary line."""

import io
import re
import tempfile
from datetime import date
from pathlib import Path

import time_machine
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from .. import booklet
from .base import NOW, LearningTestCase, scan


def pages_text(content):
    return [p.extract_text() or "" for p in PdfReader(io.BytesIO(content)).pages]


def flat(text):
    return re.sub(r"\s+", "", text)


def image_pages(content):
    """Return the 1-based numbers of the pages that draw an image."""
    out = []
    for n, page in enumerate(PdfReader(io.BytesIO(content)).pages, 1):
        xobjects = page["/Resources"].get("/XObject")
        xobjects = xobjects.get_object() if xobjects else {}
        data = page.get_contents().get_data()
        if any(xobjects[k].get_object().get("/Subtype") == "/Image" and (k.encode() + b" Do") in data for k in xobjects):
            out.append(n)
    return out


@time_machine.travel(NOW, tick=False)
class BookletTest(LearningTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        with time_machine.travel(NOW, tick=False):
            ok = {"consent_to_publish": True, "consent_on": date(2026, 6, 1)}
            from .. import actions

            def write(member, title, text="", **kw):
                return actions.do_record_reflection(member, title=title, written_on=date(2026, 5, 20), text=text,
                                                    acting_user=cls.liaison, **kw)

            cls.first = write(cls.zhang, "重温入党誓词", "我一九四八年入党。\n今天重温誓词，心潮澎湃。", **ok)
            cls.second = write(cls.li, "读书使我心明眼亮", "读了学习纲要，体会很深。", dictated=True, scribe="黄海燕", **ok)
            cls.private = write(cls.wang, "不愿发表的体会", "这篇只给自己看。")
            write(cls.zhao, "乙中心的体会", "乙中心。", **ok)

    def setUp(self):
        # Files go to each test's own media directory (conftest), so the scan is stored per test.
        from .. import actions

        self.third = actions.do_record_reflection(
            self.wang, title="手写的心得", written_on=date(2026, 5, 20), checked_file=scan(), consent_to_publish=True,
            consent_on=date(2026, 6, 1), acting_user=self.liaison)

    def render(self, **kw):
        return booklet.render(self.centre_a, 2026, booklet.reflections_for(self.centre_a, 2026, **kw), today=date(2026, 11, 26))

    def test_only_reflections_with_consent_are_printed(self):
        rows = list(booklet.reflections_for(self.centre_a, 2026))
        # party group, then name: 李秀英 and 张建国 of group A1, then 王德明 of A2
        self.assertEqual([r.title for r in rows], ["读书使我心明眼亮", "重温入党誓词", "手写的心得"])
        text = flat("".join(pages_text(self.render())))
        self.assertNotIn("不愿发表", text)
        self.assertNotIn("乙中心", text)

    def test_cover_contents_articles_and_page_numbers(self):
        content = self.render()
        pages = pages_text(content)
        # cover, contents, then each short article on its own page
        self.assertEqual(len(pages), 5)
        cover = flat(pages[0])
        self.assertIn("甲中心2026年学习心得专刊", cover)
        self.assertIn("2026年11月26日", cover)
        self.assertIn("共收录3篇", cover)
        contents = flat(pages[1])
        self.assertIn("目录", contents)
        for title, page in (("读书使我心明眼亮", 3), ("重温入党誓词", 4), ("手写的心得", 5)):
            self.assertRegex(contents, re.escape(title) + rf"\.+{page}(?!\d)")
            self.assertTrue(flat(pages[page - 1]).startswith(title), pages[page - 1])
            self.assertIn(f"—{page}—", flat(pages[page - 1]))
        self.assertIn("李秀英（口述，黄海燕代笔）", flat(pages[2]))
        self.assertIn("读了学习纲要，体会很深。", flat(pages[2]))
        self.assertIn("张建国", flat(pages[3]))
        self.assertIn("我一九四八年入党。今天重温誓词，心潮澎湃。", flat(pages[3]))
        self.assertIn("王德明", flat(pages[4]))
        self.assertEqual(image_pages(content), [5])
        self.assertNotIn("—1—", flat(pages[0]))

    def test_fonts_are_embedded(self):
        reader = PdfReader(io.BytesIO(self.render()))
        fonts = set()
        for page in reader.pages:
            for font in page["/Resources"]["/Font"].values():
                font = font.get_object()
                descriptor = font.get("/FontDescriptor") or font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                descriptor = descriptor.get_object()
                self.assertTrue(any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font)
                fonts.add(str(font["/BaseFont"]))
        self.assertTrue(any("NotoSerifCJKSC" in f.replace("-", "") for f in fonts), fonts)

    def test_the_picked_reflections_only(self):
        content = self.render(ids=[self.second.pk, self.private.pk])
        text = flat("".join(pages_text(content)))
        self.assertIn("读书使我心明眼亮", text)
        self.assertNotIn("重温入党誓词", text)
        self.assertNotIn("不愿发表", text)  # picking never overrides consent

    def test_the_command_writes_the_booklet_and_prints_one_line(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "专刊.pdf"
            stdout = io.StringIO()
            call_command("build_special_issue", "--org", "centre-a", "--year", "2026", str(out), "--title", "十八大学习体会专刊",
                         stdout=stdout)
            lines = stdout.getvalue().strip().splitlines()
            self.assertEqual(lines, [f"{out}: 十八大学习体会专刊, 3 reflections, 5 pages, {out.stat().st_size // 1024} KB"])
            self.assertIn("十八大学习体会专刊", flat(pages_text(out.read_bytes())[0]))

    def test_the_command_says_clearly_what_is_wrong(self):
        with self.assertRaisesMessage(CommandError, "No unit with code 'centre-x'."):
            call_command("build_special_issue", "--org", "centre-x", "--year", "2026", "/tmp/never.pdf")
        with self.assertRaisesMessage(CommandError, "No reflection of 2025 in 甲中心 (centre-a) has the author's consent"):
            call_command("build_special_issue", "--org", "centre-a", "--year", "2025", "/tmp/never.pdf")
        self.assertFalse(Path("/tmp/never.pdf").exists())

    def test_the_button_downloads_the_same_booklet_and_says_when_there_is_nothing(self):
        self.login(self.secretary)
        page = self.client.get("/learning/reflections/", {"unit": "centre-a", "year": 2026})
        self.assertContains(page, "Download the special issue (PDF)")
        self.assertContains(page, f'name="r" value="{self.first.pk}"')
        self.assertNotContains(page, f'name="r" value="{self.private.pk}"')
        response = self.client.get("/learning/special-issue.pdf", {"unit": "centre-a", "year": 2026})
        self.assertEqual(len(pages_text(response.content)), 5)
        empty = self.client.get("/learning/special-issue.pdf", {"unit": "centre-a", "year": 2025})
        self.assertRedirects(empty, "/learning/reflections/?unit=centre-a&year=2025")
