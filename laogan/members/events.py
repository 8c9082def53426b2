"""Life events announced to the apps that must act on them.

`members` knows nothing of the work done for members, so when an event must set work going elsewhere (a death
cancels visits and opens the after-death case), the other apps register a handler here from their AppConfig.ready().
This list is the one place to look to see what follows a life event.
"""

from collections import defaultdict

_handlers = defaultdict(list)


def on(kind):
    """Register the decorated function to run, inside the recording transaction, after an event of `kind`."""

    def register(handler):
        if handler not in _handlers[kind]:
            _handlers[kind].append(handler)
        return handler

    return register


def handlers_for(kind):
    return list(_handlers[kind])


def announce(event, *, acting_user):
    for handler in _handlers[event.kind]:
        handler(event, acting_user=acting_user)
