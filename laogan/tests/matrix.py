"""The vocabulary of the authorisation matrix (laogan/tests/test_access_matrix.py).

Each app declares its own part in `laogan/<app>/tests/access.py`:

    def build(world):        # add the app's objects of centre A to the shared world (ids for the URLs' kwargs)
    ROUTES = [Route(...)]    # one per URL name of the app, with what each persona gets for GET and POST

An expectation maps each persona to an outcome: an HTTP status (200, 302, 400, 403, 404, 405) or LOGIN (a redirect
to the log-in page). The shorthands below say who may use a page; `obj=True` (the default) means the URL names an
object of centre A, so staff of centre B get 404 where their role would otherwise be let in.
"""

from dataclasses import dataclass, field
from typing import Callable

ANON, STAFF, LEADER, SECRETARY, OUTSIDER, VIEWER, ADMIN = (
    "anonymous", "liaison", "group_leader", "secretary", "outsider", "viewer", "admin")
PERSONAS = (ANON, STAFF, LEADER, SECRETARY, OUTSIDER, VIEWER, ADMIN)
LOGIN = "login"  # 302 to the log-in page

# Who is let in, by shorthand. The outsider is staff of centre B: let in wherever staff are.
_WHO = {
    "anyone": {ANON, STAFF, LEADER, SECRETARY, OUTSIDER, VIEWER, ADMIN},
    "signed-in": {STAFF, LEADER, SECRETARY, OUTSIDER, VIEWER, ADMIN},
    "personal-data": {STAFF, LEADER, SECRETARY, OUTSIDER, ADMIN},  # everyone but the bureau viewer
    "staff-only": {STAFF, SECRETARY, OUTSIDER, ADMIN},  # staff, secretaries, admins: not group leaders, not viewers
    "managers": {SECRETARY, ADMIN},  # secretaries and admins
    "admin-only": {ADMIN},
    "nobody": set(),
}


def expect(who, ok=200, *, obj=True, denied=403, **overrides):
    """Return {persona: outcome}: `ok` for those `who` lets in, `denied` for the rest, LOGIN for the anonymous
    (unless `who` is "anyone"); with `obj`, 404 for the outsider where their role is let in. Keyword overrides
    (liaison=, group_leader=, secretary=, outsider=, viewer=, admin=, anonymous=) win."""
    allowed = _WHO[who]
    out = {p: (ok if p in allowed else denied) for p in PERSONAS}
    if ANON not in allowed:
        out[ANON] = LOGIN
    if obj and OUTSIDER in allowed:
        out[OUTSIDER] = 404
    for persona, outcome in overrides.items():
        if persona not in out:
            raise ValueError(f"unknown persona {persona!r}")
        out[persona] = outcome
    return out


def post_only():
    """GET of a view that only takes POST: 405 for anyone signed in."""
    return expect("signed-in", 405, obj=False)


@dataclass
class Route:
    """One URL name and what each persona gets from it.

    kwargs/query: a dict, or a callable taking the world (called before every request, so it may make a fresh
    object, e.g. an upload token). get/post: expectations (None: the method is not part of the matrix, which for
    POST means the view writes nothing). htmx: also send every request as htmx would (HX-Request, HX-Target),
    expecting the same unless htmx_get/htmx_post say otherwise. post_data: what a POST sends (default: nothing).
    writes: an allowed POST or GET may write (audit of a reveal or export, or a change that empty data still makes);
    a denied request never writes. names_object: whether kwargs/query name an object of centre A (default: when
    there are any); then staff of centre B must be refused it (403 or 404, or 405 for a wrong method).
    """

    name: str
    get: dict | None = None
    post: dict | None = None
    kwargs: dict | Callable = field(default_factory=dict)
    query: dict | Callable = field(default_factory=dict)
    post_data: dict | Callable = field(default_factory=dict)
    htmx: bool = False
    htmx_get: dict | None = None
    htmx_post: dict | None = None
    writes: bool = False
    names_object: bool | None = None  # default: the URL names an object when it has kwargs or a query
    note: str = ""

    @property
    def is_about_an_object(self):
        return bool(self.kwargs or self.query) if self.names_object is None else self.names_object

    def resolve(self, value, world):
        return value(world) if callable(value) else dict(value)
