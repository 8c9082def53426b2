"""The periodic jobs the worker runs. Apps register theirs from AppConfig.ready() with @periodic."""

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    func: object
    atomic: bool = True  # False for a job that commits as it goes (message delivery, backups)


_jobs = {}


def periodic(name, *, every, atomic=True):
    """Register func(now=...) to run every `every`. An atomic job runs in one transaction, so a crash or a kill
    part-way leaves nothing of it; a non-atomic job must make each of its own steps safe to interrupt."""

    def register(func):
        _jobs[name] = PeriodicJob(name=name, every=every, func=func, atomic=atomic)
        return func

    return register


def all_jobs():
    return list(_jobs.values())
