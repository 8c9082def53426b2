"""Recording the three: text or a checked scan, dictation with the scribe, consent with its date; bad input changes
nothing."""

from datetime import date

import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from laogan.accounts.models import AuditAction, AuditEntry

from ..models import BookReading, GoodDeed, Reflection
from .base import NOW, LearningTestCase, png_bytes


@time_machine.travel(NOW, tick=False)
class RecordTest(LearningTestCase):
    def test_a_typed_reflection_is_recorded_with_its_year_and_path(self):
        self.login(self.liaison)
        response = self.client.post(f"/learning/members/{self.zhang.pk}/reflection/", {
            "title": "重温入党誓词", "written_on": "2026-06-30", "text": "第一段。\n第二段。",
            "dictated": "on", "scribe": "黄海燕", "consent_to_publish": "on", "consent_on": "2026-07-01"})
        r = Reflection.objects.get()
        self.assertRedirects(response, f"/learning/members/{self.zhang.pk}/?year=2026")
        self.assertEqual((r.year, r.unit_path, r.dictated, r.scribe, r.consent_on), (2026, self.group_a1.path, True, "黄海燕", date(2026, 7, 1)))
        self.assertEqual(AuditEntry.objects.filter(action=AuditAction.CREATE, object_type="learning.reflection").count(), 1)

    def test_a_photo_of_the_handwritten_page_is_re_encoded(self):
        self.login(self.liaison)
        upload = SimpleUploadedFile("scan.png", png_bytes(), content_type="image/png")
        self.client.post(f"/learning/members/{self.zhang.pk}/reflection/", {"title": "手写体会", "written_on": "2026-06-30",
                                                                            "file": upload})
        r = Reflection.objects.get()
        self.assertEqual((r.file_kind, r.text), ("image", ""))
        self.assertTrue(r.file.name.endswith(".jpg"))
        self.assertEqual(r.file.open("rb").read(3), b"\xff\xd8\xff")
        shown = self.client.get(f"/learning/reflections/{r.pk}/file/")
        self.assertEqual(shown["Content-Type"], "image/jpeg")
        opened = AuditEntry.objects.get(action=AuditAction.REVEAL, object_type="learning.reflection")
        self.assertEqual((opened.actor, list(opened.subjects.values_list("object_id", flat=True))), (self.liaison, [self.zhang.pk]))

    def test_refused_input_says_why_and_records_nothing(self):
        self.login(self.liaison)
        url = f"/learning/members/{self.zhang.pk}/reflection/"
        cases = [
            ({"title": "空白", "written_on": "2026-06-30"}, "Type the text or attach a scan, photo or document of it."),
            ({"title": "代笔", "written_on": "2026-06-30", "text": "正文", "dictated": "on"}, "Say who wrote down the dictated reflection."),
            ({"title": "同意", "written_on": "2026-06-30", "text": "正文", "consent_to_publish": "on"}, "Say on which day the member agreed."),
            ({"title": "未来", "written_on": "2026-12-30", "text": "正文"}, "The date cannot be in the future."),
            ({"title": "病毒", "written_on": "2026-06-30", "file": SimpleUploadedFile("a.pdf", b"MZ\x90\x00 not a pdf")},
             "Only photos, PDF files and Word documents (.docx) can be attached."),
        ]
        for data, message in cases:
            with self.subTest(message=message):
                response = self.client.post(url, data)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, message)
        self.assertFalse(Reflection.objects.exists())

    def test_a_book_and_a_good_deed_are_recorded_from_the_member_page(self):
        self.login(self.group_leader)
        self.client.post(f"/learning/members/{self.zhang.pk}/reading/", {"book_title": "《红岩》", "read_on": "2026-03-01"})
        self.client.post(f"/learning/members/{self.zhang.pk}/deed/", {"what": "帮邻居买药", "for_whom": "独居邻居", "done_on": "2026-03-02"})
        self.assertEqual(BookReading.objects.get().book_title, "红岩")
        self.assertEqual(GoodDeed.objects.get().recorded_by, self.group_leader)
        page = self.client.get(f"/learning/members/{self.zhang.pk}/")
        self.assertContains(page, "《红岩》")
        self.assertContains(page, "帮邻居买药")

    def test_consent_is_recorded_and_withdrawn(self):
        r = self.reflection(self.zhang)
        self.login(self.liaison)
        self.client.post(f"/learning/reflections/{r.pk}/consent/", {"consent": "on", "consent_on": "2026-05-01"})
        r.refresh_from_db()
        self.assertEqual((r.consent_to_publish, r.consent_on), (True, date(2026, 5, 1)))
        self.client.post(f"/learning/reflections/{r.pk}/consent/", {"consent_on": "2026-05-01"})
        r.refresh_from_db()
        self.assertEqual((r.consent_to_publish, r.consent_on), (False, None))
        with self.assertRaises(ValidationError):
            from .. import actions

            actions.do_set_consent(r, consent=True, on=None, acting_user=self.liaison)

    def test_a_record_made_by_mistake_is_deleted_and_audited(self):
        d = self.deed(self.zhang)
        self.login(self.liaison)
        self.assertEqual(self.client.get(f"/learning/records/deed/{d.pk}/delete/").status_code, 405)
        self.client.post(f"/learning/records/deed/{d.pk}/delete/")
        self.assertFalse(GoodDeed.objects.exists())
        self.assertTrue(AuditEntry.objects.filter(action=AuditAction.DELETE, object_type="learning.gooddeed").exists())

    def test_nothing_is_recorded_after_the_members_death(self):
        from laogan.members.actions import do_record_life_event
        from laogan.members.models import EventKind

        do_record_life_event(self.li, kind=EventKind.DIED, date=date(2026, 3, 1), acting_user=None)
        self.li.refresh_from_db()
        with self.assertRaises(ValidationError):
            self.deed(self.li, day=date(2026, 4, 1))

    def test_the_member_page_shows_this_years_three_and_links_here(self):
        self.reading(self.zhang)
        self.login(self.liaison)
        page = self.client.get(f"/members/{self.zhang.pk}/")
        self.assertContains(page, f'href="/learning/members/{self.zhang.pk}/"')
        self.assertContains(page, "✓ read a book")
        self.assertContains(page, "— wrote a reflection")
