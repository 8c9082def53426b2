"""Work panels on the dashboard: each app contributes what needs doing today and this week.

An app registers a panel function from its `figures.py` (loaded with the figures); the function receives the user
and today's date and returns a Panel, or None when it has nothing for that user.
"""

from dataclasses import dataclass, field


@dataclass
class Item:
    text: str
    url: str = ""
    note: str = ""
    urgent: bool = False


@dataclass
class Panel:
    key: str
    title: str
    items: list = field(default_factory=list)
    count: int | None = None
    more_url: str = ""
    empty_text: str = ""


_panels = []


def panel(order):
    def register(func):
        if all(f is not func for _, f in _panels):
            _panels.append((order, func))
            _panels.sort(key=lambda p: p[0])
        return func

    return register


def panels_for(user, today):
    result = []
    for _, func in _panels:
        p = func(user, today)
        if p is not None:
            result.append(p)
    return result
