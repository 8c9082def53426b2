"""Shared builders for the learning tests: a few members in centre A (two party groups) and one in centre B."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from laogan.lib.documents import clean_attachment
from laogan.test import BaseTestCase, make_member

from .. import actions

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)


def png_bytes(size=(400, 560), colour=(250, 246, 236)):
    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    for y in range(60, size[1], 40):
        draw.line([(20, y), (size[0] - 20, y)], fill=(200, 120, 110), width=2)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def scan(name="手写稿.png"):
    return clean_attachment(SimpleUploadedFile(name, png_bytes(), content_type="image/png"), max_bytes=10 * 1024 * 1024)


class LearningTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.zhang = make_member(name="张建国", born=date(1928, 5, 3), unit=cls.group_a1)
        cls.li = make_member(name="李秀英", born=date(1930, 2, 1), unit=cls.group_a1, sex="F")
        cls.wang = make_member(name="王德明", born=date(1929, 8, 9), unit=cls.group_a2)
        cls.zhao = make_member(name="赵志强", born=date(1931, 3, 3), unit=cls.group_b1)

    def reading(self, member, day=date(2026, 3, 1), title="中国共产党简史", **kw):
        return actions.do_record_reading(member, book_title=title, read_on=day, acting_user=self.liaison, **kw)

    def reflection(self, member, day=date(2026, 4, 1), title="学习体会", text="今年我读了一本好书。", **kw):
        return actions.do_record_reflection(member, title=title, written_on=day, text=text, acting_user=self.liaison, **kw)

    def deed(self, member, day=date(2026, 5, 1), what="为社区青少年讲党史", **kw):
        return actions.do_record_good_deed(member, what=what, for_whom=kw.pop("for_whom", "北湖社区"), done_on=day,
                                           acting_user=self.liaison, **kw)
