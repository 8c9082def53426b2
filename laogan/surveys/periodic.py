"""The surveys' periodic jobs: close surveys past their last day, scrub delivered codes from the outbox, forget old
guessing counts."""

from datetime import timedelta

from django.utils import timezone

from laogan.jobs.registry import periodic

from . import actions, guard


@periodic("surveys_close_due", every=timedelta(minutes=30))
def close_due(now=None):
    now = now or timezone.now()
    return actions.close_due_surveys(timezone.localdate(now))


@periodic("surveys_scrub_codes", every=timedelta(minutes=1))
def scrub_codes(now=None):
    # A code stays readable in the outbox only until the gateway has taken the message.
    return actions.scrub_code_messages()


@periodic("surveys_prune_guesses", every=timedelta(hours=1))
def prune_guesses(now=None):
    return guard.prune(now or timezone.now())
