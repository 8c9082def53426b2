import signal
import socket
import time

from django.core.management.base import BaseCommand

from laogan.jobs.runner import beat, run_due_jobs


class Command(BaseCommand):
    help = "Run the background worker: heartbeat and periodic jobs, until SIGTERM or Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run one pass and exit.")
        parser.add_argument("--interval", type=float, default=15.0, help="Seconds between passes.")
        parser.add_argument("--name", default=f"worker@{socket.gethostname()}")

    def handle(self, *args, once, interval, name, **options):
        self.stopping = False
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        self.stdout.write(f"worker {name} started")
        while not self.stopping:
            beat(name)
            ran = run_due_jobs()
            if ran:
                self.stdout.write("ran " + ", ".join(ran))
            if once:
                break
            deadline = time.monotonic() + interval
            while not self.stopping and time.monotonic() < deadline:
                time.sleep(0.2)
        self.stdout.write(f"worker {name} stopped")

    def _stop(self, *args):
        self.stopping = True
