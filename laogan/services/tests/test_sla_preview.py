from datetime import time
from io import StringIO

from django.core.management import CommandError, call_command

from laogan.services import actions
from laogan.services.models import Clock
from laogan.test import BaseTestCase

from .helpers import category


class SlaPreviewTest(BaseTestCase):
    def preview(self, org, code, moment):
        out = StringIO()
        call_command("sla_preview", "--org", org, "--category", code, "--at", moment, stdout=out)
        return out.getvalue()

    def test_water_at_2230_prints_the_exact_line(self):
        self.assertEqual(self.preview("centre-a", "water", "2026-03-10 22:30"),
                         "respond_by=2026-03-10 23:00:00 resolve_by=2026-03-11 01:30:00\n")

    def test_water_at_0900_is_due_at_the_end_of_the_day(self):
        self.assertEqual(self.preview("centre-a", "water", "2026-03-10 09:00"),
                         "respond_by=2026-03-10 09:30:00 resolve_by=2026-03-10 23:59:59\n")

    def test_every_shipped_category_code_is_known(self):
        for code in ("water", "electricity", "bulb", "medicine", "bills", "repairs", "card", "housekeeping", "escort", "other"):
            with self.subTest(code=code):
                self.assertRegex(self.preview("centre-a", code, "2026-03-10 09:00"),
                                 r"^respond_by=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d resolve_by=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\n$")
        self.assertEqual(self.preview("centre-a", "electricity", "2026-03-10 09:00"),
                         "respond_by=2026-03-10 09:30:00 resolve_by=2026-03-11 09:00:00\n")
        self.assertEqual(self.preview("centre-a", "bulb", "2026-03-10 09:00"),
                         "respond_by=2026-03-10 11:00:00 resolve_by=2026-03-13 09:00:00\n")

    def test_it_follows_the_centres_own_policy(self):
        actions.do_save_policy(self.centre_a, category("card"), {
            "respond_minutes": 120, "respond_anchor": "duration", "resolve_minutes": 16 * 60, "resolve_anchor": "duration",
            "clock": Clock.WORKING_HOURS, "morning_start": time(8, 30), "morning_end": time(12), "afternoon_start": time(14, 30),
            "afternoon_end": time(17, 30)}, acting_user=self.secretary)
        self.assertEqual(self.preview("centre-a", "card", "2026-09-30 16:00"),
                         "respond_by=2026-10-08 09:00:00 resolve_by=2026-10-10 10:00:00\n")
        self.assertEqual(self.preview("group-a1", "card", "2026-09-30 16:00"),
                         "respond_by=2026-10-08 09:00:00 resolve_by=2026-10-10 10:00:00\n")
        self.assertEqual(self.preview("centre-b", "card", "2026-09-30 16:00"),
                         "respond_by=2026-09-30 18:00:00 resolve_by=2026-10-03 16:00:00\n")

    def test_bad_input_is_refused_with_a_message(self):
        with self.assertRaisesMessage(CommandError, "no unit"):
            self.preview("nowhere", "water", "2026-03-10 09:00")
        with self.assertRaisesMessage(CommandError, "no category"):
            self.preview("centre-a", "garden", "2026-03-10 09:00")
        with self.assertRaisesMessage(CommandError, "YYYY-MM-DD HH:MM"):
            self.preview("centre-a", "water", "10/03/2026 9am")
