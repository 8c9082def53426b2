import inspect
from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import time_machine
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.urls import reverse

from laogan.jobs import registry
from laogan.jobs.messaging import deliver_messages, queue_message
from laogan.jobs.models import Heartbeat, JobRun, Message
from laogan.jobs.runner import beat, run_due_jobs
from laogan.lib import messaging
from laogan.test import BaseTestCase

NOON = datetime(2026, 11, 26, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


class JobClaimingTest(TestCase):
    def setUp(self):
        self.calls = []
        self.job = registry.periodic("test_job", every=timedelta(minutes=5))(lambda now: self.calls.append(now))
        self.addCleanup(registry._jobs.pop, "test_job")

    def test_a_due_job_runs_once_per_slot_even_when_two_workers_pass(self):
        run_due_jobs(now=NOON)
        run_due_jobs(now=NOON)  # the second worker finds next_run_at already moved on
        self.assertEqual(self.calls, [NOON])
        run_due_jobs(now=NOON + timedelta(minutes=5))
        self.assertEqual(len(self.calls), 2)

    def test_a_failing_job_records_its_error_and_runs_next_time(self):
        registry.periodic("test_job", every=timedelta(minutes=5))(lambda now: 1 / 0)
        run_due_jobs(now=NOON)
        self.assertIn("ZeroDivisionError", JobRun.objects.get(name="test_job").last_error)


class RegisteredJobsTest(TestCase):
    def test_every_registered_job_takes_the_time_the_runner_passes(self):
        # The runner calls job.func(now=...); a job without that parameter failed on every run (audit retention did).
        for job in registry.all_jobs():
            with self.subTest(job=job.name):
                inspect.signature(job.func).bind(now=NOON)


class HeartbeatTest(BaseTestCase):
    def test_pages_warn_when_the_worker_is_silent(self):
        self.login(self.liaison)
        with time_machine.travel(NOON, tick=False):
            beat("w1")
        with time_machine.travel(NOON + timedelta(minutes=6), tick=False):
            self.assertContains(self.client.get(reverse("outbox")), "banner warn")
        with time_machine.travel(NOON + timedelta(minutes=2), tick=False):
            self.assertNotContains(self.client.get(reverse("outbox")), "banner warn")

    def test_worker_once_beats_and_exits(self):
        call_command("worker", "--once", "--name", "t", stdout=open("/dev/null", "w"))
        self.assertTrue(Heartbeat.objects.filter(name="t").exists())


class MessagingTest(BaseTestCase):
    def test_the_same_notification_is_queued_once(self):
        first, created = queue_message(dedupe_key="req:1:breach", body="超时", recipient=self.secretary)
        again, created_again = queue_message(dedupe_key="req:1:breach", body="超时", recipient=self.secretary)
        self.assertEqual((created, created_again, first.pk), (True, False, again.pk))

    def test_two_deliveries_send_each_message_once(self):
        queue_message(dedupe_key="k1", body="一", recipient=self.liaison)
        with mock.patch.object(messaging.DatabaseBackend, "send", autospec=True) as send:
            self.assertEqual(deliver_messages(now=NOON), 1)
            self.assertEqual(deliver_messages(now=NOON), 0)
        self.assertEqual(send.call_count, 1)
        self.assertIsNotNone(Message.objects.get().sent_at)

    @override_settings(LAOGAN_MESSAGE_BACKEND="sms_http", LAOGAN_SMS_GATEWAY_URL="http://127.0.0.1:9/none", LAOGAN_SMS_GATEWAY_TOKEN="t")
    def test_a_gateway_failure_is_kept_for_retry(self):
        queue_message(dedupe_key="k2", body="二", to_address="13800000000")
        with mock.patch("urllib.request.urlopen", autospec=True, side_effect=OSError("refused")):
            self.assertEqual(deliver_messages(now=NOON), 0)
        message = Message.objects.get()
        self.assertEqual((message.sent_at, message.attempts, message.claimed_at), (None, 1, None))
        self.assertIn("refused", message.error)

    def test_outbox_shows_own_messages_to_staff_and_unit_messages_to_the_secretary(self):
        queue_message(dedupe_key="a", body="给联络员", recipient=self.liaison)
        queue_message(dedupe_key="b", body="给书记", recipient=self.secretary)
        queue_message(dedupe_key="c", body="乙中心", recipient=self.outsider)
        self.login(self.liaison)
        response = self.client.get(reverse("outbox"))
        self.assertContains(response, "给联络员")
        self.assertNotContains(response, "给书记")
        self.login(self.secretary)
        response = self.client.get(reverse("outbox"))
        self.assertContains(response, "给联络员")
        self.assertContains(response, "给书记")
        self.assertNotContains(response, "乙中心")
