"""The periodic jobs the worker runs. Apps register theirs from AppConfig.ready() with @periodic."""

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    func: object


_jobs = {}


def periodic(name, *, every):
    def register(func):
        _jobs[name] = PeriodicJob(name=name, every=every, func=func)
        return func

    return register


def all_jobs():
    return list(_jobs.values())
