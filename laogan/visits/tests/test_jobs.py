from datetime import date

from django.utils import timezone

from laogan.jobs.models import Message
from laogan.jobs.runner import run_due_jobs
from laogan.members.models import EventKind, Member
from laogan.test import BaseTestCase, make_member
from laogan.visits.jobs import send_visit_reminders
from laogan.visits.models import PlannedVisit
from laogan.visits.planning import plan, rules_for

from .builders import event, frozen


class ReminderTest(BaseTestCase):
    def setUp(self):
        self.zhang = make_member("张建国", date(1936, 5, 3), unit=self.group_a1)
        self.li = make_member("李秀英", date(1930, 7, 20), unit=self.group_a1, sex="F")
        self.wang = make_member("王振华", date(1931, 2, 1), unit=self.group_a2)
        Member.objects.filter(pk__in=[self.zhang.pk, self.li.pk]).update(liaison=self.liaison)
        with frozen(2026, 1, 1):
            plan(date(2026, 1, 1), date(2026, 12, 31), org=self.centre_a)

    def remind(self, *day):
        with frozen(*day):
            return send_visit_reminders()

    def test_a_birthday_is_reminded_three_days_ahead_once(self):
        self.assertEqual(self.remind(2026, 4, 29), 0)
        self.assertEqual(self.remind(2026, 4, 30), 1)
        self.assertEqual(self.remind(2026, 5, 1), 0)
        visit = PlannedVisit.objects.get(member=self.zhang, kind="birthday")
        message = Message.objects.get(dedupe_key=f"visit-reminder:{visit.pk}:{self.liaison.pk}")
        self.assertEqual(message.recipient, self.liaison)
        self.assertIn("3天后（5月3日，星期日）是张建国的生日（90岁寿辰，请订好蛋糕）", message.body)

    def test_a_centre_may_remind_earlier(self):
        rules = rules_for(self.centre_a)
        rules.reminder_days = 7
        rules.save(update_fields=["reminder_days"])
        self.assertEqual(self.remind(2026, 4, 26), 1)

    def test_a_festival_is_one_message_per_liaison_and_the_secretary_covers_members_without_one(self):
        self.remind(2026, 9, 22)  # 中秋 is 25 September 2026
        festival = Message.objects.filter(subject="中秋走访提醒").order_by("recipient__username")
        self.assertEqual([m.recipient.username for m in festival], ["liaison", "secretary"])
        self.assertIn("2位老干部尚待走访：李秀英、张建国", festival[0].body)
        self.assertIn("王振华", festival[1].body)
        self.remind(2026, 9, 23)
        self.assertEqual(Message.objects.filter(subject="中秋走访提醒").count(), 2)

    def test_the_worker_runs_the_daily_plan_and_the_reminders(self):
        with frozen(2026, 4, 30):
            PlannedVisit.objects.all().delete()
            ran = run_due_jobs(timezone.now())
            self.assertIn("plan_visits", ran)
            self.assertIn("visit_reminders", ran)
            self.assertTrue(PlannedVisit.objects.filter(member=self.zhang, due_date=date(2026, 5, 3)).exists())
            self.assertNotIn("plan_visits", run_due_jobs(timezone.now()))


class HospitalReminderTest(BaseTestCase):
    def test_a_long_stays_next_visit_is_reminded_days_ahead_not_when_planned(self):
        zhang = make_member("张建国", date(1936, 5, 3), unit=self.group_a1)
        Member.objects.filter(pk=zhang.pk).update(liaison=self.liaison)
        with frozen(2026, 3, 2):
            event(zhang, EventKind.ADMITTED, date(2026, 3, 2))
        self.assertEqual(Message.objects.count(), 1)  # the first visit, at once
        monthly = PlannedVisit.objects.get(member=zhang, key__endswith=":1")
        self.assertEqual(monthly.due_date, date(2026, 4, 1))
        with frozen(2026, 3, 27):
            send_visit_reminders()
        self.assertEqual(Message.objects.count(), 1)
        with frozen(2026, 3, 29):
            send_visit_reminders()
        message = Message.objects.get(dedupe_key=f"visit-due:{monthly.pk}:{self.liaison.pk}")
        self.assertIn("3天后（4月1日", message.body)
