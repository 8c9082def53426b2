"""Periodic checks of the liaison roster, run by the worker."""

from datetime import timedelta

from laogan.jobs.registry import periodic

from . import actions


@periodic("liaison_orphans", every=timedelta(hours=1))
def notify_orphaned_members(now):
    """Nobody silently loses their liaison: secretaries hear of members whose liaison left."""
    return actions.do_notify_orphaned_members(now)
