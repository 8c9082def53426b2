"""One pass of the worker: beat, then run every periodic job whose time has come, claiming it first."""

import logging
import os
import socket
import traceback

from django.db import transaction
from django.utils import timezone

from .models import Heartbeat, JobRun
from .registry import all_jobs

log = logging.getLogger("laogan.worker")


def beat(name):
    Heartbeat.objects.update_or_create(
        name=name, defaults={"beat_at": timezone.now(), "pid": os.getpid(), "host": socket.gethostname()[:100]}
    )


def run_due_jobs(now=None):
    """Run each registered job whose next run is due; return the names of the jobs this call ran."""
    now = now or timezone.now()
    ran = []
    for job in all_jobs():
        run, _ = JobRun.objects.get_or_create(name=job.name, defaults={"next_run_at": now})
        if run.next_run_at > now:
            continue
        claimed = JobRun.objects.filter(pk=run.pk, next_run_at=run.next_run_at).update(
            next_run_at=now + job.every, last_started_at=now
        )
        if claimed != 1:
            continue  # another worker took this slot
        error = ""
        try:
            if job.atomic:
                with transaction.atomic():
                    job.func(now=now)
            else:
                job.func(now=now)
        except Exception:
            error = traceback.format_exc()
            log.exception("job %s failed", job.name)
        JobRun.objects.filter(pk=run.pk).update(last_finished_at=timezone.now(), last_error=error[-5000:])
        ran.append(job.name)
    return ran
