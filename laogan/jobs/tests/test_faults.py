"""Faults with real processes on a real SQLite file: the worker killed mid-job, the database briefly locked, a backup
taken while another connection writes. Each test migrates nothing itself: the class migrates one file database."""

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

MANAGE = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
KEYS = ["fault:1", "fault:2", "fault:3", "fault:4"]
QUEUE = """
from laogan.jobs.messaging import queue_message
for i, key in enumerate({keys!r}):
    queue_message(dedupe_key=key, body="体检通知", to_address="1390771%04d" % i)
"""
LOGIN_WHILE_LOCKED = """
import os, sys, time
from django.test import Client
from django.urls import reverse
from laogan.accounts.models import Role, UnitKind, User
from laogan.test import PASSWORD, make_unit, make_user
make_user("busy", make_unit("busy-c", UnitKind.CENTRE), Role.STAFF)
print("ready", flush=True)
while not os.path.exists({marker!r}):
    time.sleep(0.05)
response = Client().post(reverse("login"), {{"username": "busy", "password": PASSWORD}})
print(response.status_code, User.objects.get(username="busy").last_login is not None, flush=True)
"""


class Gateway:
    """An SMS gateway on a local port that records every request and, like real gateways given a client message id,
    delivers each id once. It holds the request for `hold` until told to answer, so the test can kill the worker
    while a message is in flight."""

    def __init__(self, hold):
        self.received, self.hold = [], hold
        self.in_flight, self.release = threading.Event(), threading.Event()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                gateway.received.append(body["id"])
                if body["id"] == gateway.hold and not gateway.in_flight.is_set():
                    gateway.in_flight.set()
                    gateway.release.wait(60)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_port}/send"

    def delivered(self):
        return sorted(set(self.received))

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


class RealProcessTestCase(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dir = Path(tempfile.mkdtemp(prefix="laogan-faults-"))
        cls.addClassCleanup(shutil.rmtree, cls.dir, True)
        cls.db = cls.dir / "db.sqlite3"
        cls.env = {
            **os.environ, "DATABASE_URL": f"sqlite:///{cls.db}", "LAOGAN_DATA_DIR": str(cls.dir),
            "LAOGAN_MEDIA_ROOT": str(cls.dir / "media"), "LAOGAN_BACKUP_KEEP": "0", "LAOGAN_LOG_LEVEL": "WARNING",
        }
        cls.manage("migrate", "-v0")

    @classmethod
    def manage(cls, *args, env=None, timeout=300):
        result = subprocess.run([*MANAGE, *args], env=env or cls.env, capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def query(self, sql, params=()):
        with sqlite3.connect(self.db, timeout=20) as db:
            return db.execute(sql, params).fetchall()


class KilledWorkerTest(RealProcessTestCase):
    def test_a_worker_killed_mid_delivery_loses_and_duplicates_nothing(self):
        gateway = Gateway(hold=KEYS[1])
        self.addCleanup(gateway.close)
        env = {**self.env, "LAOGAN_MESSAGE_BACKEND": "sms_http", "LAOGAN_SMS_GATEWAY_URL": gateway.url,
               "LAOGAN_SMS_GATEWAY_TOKEN": "t"}
        self.manage("shell", "-c", QUEUE.format(keys=KEYS), env=env)

        worker = subprocess.Popen([*MANAGE, "worker", "--interval", "0.2", "--name", "w1"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(lambda: worker.poll() is None and worker.kill())
        self.assertTrue(gateway.in_flight.wait(120), "the worker never sent the second message")
        os.kill(worker.pid, signal.SIGKILL)  # mid-job: the first message sent, the second at the gateway
        worker.wait(30)
        gateway.release.set()

        rows = self.query("SELECT dedupe_key, sent_at IS NOT NULL, claimed_at IS NOT NULL FROM jobs_message ORDER BY id")
        self.assertEqual(rows, [(KEYS[0], 1, 1), (KEYS[1], 0, 1), (KEYS[2], 0, 0), (KEYS[3], 0, 0)])

        # Time passes: the dead worker's claim goes stale (10 minutes) and the job's next slot comes round.
        self.query("UPDATE jobs_message SET claimed_at = '2000-01-01 00:00:00' WHERE sent_at IS NULL AND claimed_at IS NOT NULL")
        self.query("UPDATE jobs_jobrun SET next_run_at = '2000-01-01 00:00:00' WHERE name = 'deliver_messages'")
        self.manage("worker", "--once", "--name", "w2", env=env)

        rows = self.query("SELECT dedupe_key, sent_at IS NOT NULL, attempts FROM jobs_message ORDER BY id")
        self.assertEqual(rows, [(key, 1, 1) for key in KEYS])  # every message sent, each row once
        self.assertEqual(gateway.delivered(), KEYS)
        # The interrupted one reached the gateway twice with the same id; the others exactly once.
        self.assertEqual(Counter(gateway.received), {KEYS[0]: 1, KEYS[1]: 2, KEYS[2]: 1, KEYS[3]: 1})


class LockedDatabaseTest(RealProcessTestCase):
    def test_a_request_waits_out_a_briefly_locked_database(self):
        marker = self.dir / "locked"
        process = subprocess.Popen([*MANAGE, "shell", "-c", LOGIN_WHILE_LOCKED.format(marker=str(marker))], env=self.env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(lambda: process.poll() is None and process.kill())
        for line in process.stdout:  # after what the shell prints about its own imports
            if line.strip() == "ready":
                break
        else:
            self.fail(process.stderr.read())
        lock = sqlite3.connect(self.db, timeout=20, isolation_level=None)
        lock.execute("BEGIN IMMEDIATE")  # another process holds the write lock…
        marker.touch()
        time.sleep(1)  # …for a second, while the log-in (which writes the session and the audit) is made
        lock.execute("COMMIT")
        lock.close()
        out, err = process.communicate(timeout=120)
        self.assertEqual(out.strip().splitlines()[-1:], ["302 True"], err)

    def test_a_backup_is_taken_while_another_connection_writes(self):
        writer = sqlite3.connect(self.db, timeout=20, isolation_level=None)
        self.addCleanup(writer.close)
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO jobs_heartbeat (name, beat_at, pid, host) VALUES ('uncommitted', '2026-11-26 00:00:00', 1, 'x')")
        archive = self.dir / "online.tar.gz"
        self.manage("backup", str(archive), timeout=120)
        writer.execute("COMMIT")
        manifest = json.loads(tarfile.open(archive).extractfile("manifest.json").read())
        committed = self.query("SELECT COUNT(*) FROM jobs_heartbeat")[0][0]
        self.assertEqual(manifest["tables"]["jobs_heartbeat"], committed - 1)  # the snapshot, not the open write
