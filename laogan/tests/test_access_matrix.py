"""The authorisation matrix (issue 10): every URL of the project, for every persona and method, gets the outcome its
app declares in laogan/<app>/tests/access.py (see laogan/tests/matrix.py for the vocabulary).

- A URL that no app declares fails test_every_url_is_in_the_matrix, naming it.
- Every URL with an object id is asked for a real object of centre A, built once by the apps' build(world): staff
  of centre B get 404 wherever their role would be let in (exports, attachments, photos and htmx fragments too);
  where their role is refused outright (403), the answer must be the same for an id that does not exist.
- Every request runs in a savepoint that is rolled back, so one persona's request never changes what the next sees;
  a denied request (403, 404, 405, log-in redirect) must write nothing, and an allowed one nothing either unless
  the route says it writes (an audited reveal or export, or a change that empty data still makes).
- No page answered to staff of centre B, a bureau viewer or the anonymous contains a centre-A secret (a member's
  name, a survivor's phone...).
- With CSRF checks on, every POST without a token is a 403 and writes nothing.
"""

import importlib
import shutil
import tempfile
import traceback
from pathlib import Path
from types import SimpleNamespace

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.http import urlencode

from laogan.test import BaseTestCase

from .matrix import ADMIN, ANON, LOGIN, OUTSIDER, PERSONAS, SECRETARY, STAFF, VIEWER

WRITE_PREFIXES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
IGNORED_TABLES = ("django_session",)  # IdleSessionMiddleware: an answer may refresh the session's expiry
HTMX_HEADERS = {"HX-Request": "true", "HX-Target": "results"}
DENIED = {403, 404, 405}
NO_SUCH_ID = 10**8


def access_modules():
    """Return [(app label, module)] of every laogan app that declares its routes, in INSTALLED_APPS order."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("laogan."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.tests.access")
        except ModuleNotFoundError as e:
            if e.name not in (f"{config.name}.tests", f"{config.name}.tests.access"):
                raise
            continue
        found.append((config.label, module))
    return found


def all_routes():
    routes = {}
    for label, module in access_modules():
        for route in module.ROUTES:
            if route.name in routes:
                raise AssertionError(f"{route.name} is declared twice in the authorisation matrix ({label})")
            routes[route.name] = route
    return routes


def url_patterns(resolver=None, prefix=""):
    """Yield (name, full pattern, view module) for every URL pattern of the project, recursively."""
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from url_patterns(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield p.name, prefix + str(p.pattern), getattr(p.callback, "__module__", "?")


def write_statements(queries):
    writes = []
    for q in queries:
        sql = q["sql"].lstrip()
        if sql.upper().startswith(WRITE_PREFIXES) and not any(t in sql.split("(")[0] for t in IGNORED_TABLES):
            writes.append(sql[:120])
    return writes


class AccessMatrixTest(BaseTestCase):
    @classmethod
    def setUpClass(cls):
        cls.files = Path(tempfile.mkdtemp(prefix="laogan-matrix-"))
        cls.file_settings = override_settings(MEDIA_ROOT=cls.files / "media", DATA_DIR=cls.files / "data")
        cls.file_settings.enable()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.file_settings.disable()
        shutil.rmtree(cls.files, ignore_errors=True)

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        world = SimpleNamespace(secrets=[], files=cls.files)
        for name in ("bureau", "centre_a", "branch_a", "group_a1", "group_a2", "centre_b", "branch_b", "group_b1",
                     "admin", "viewer", "secretary", "liaison", "group_leader", "outsider"):
            setattr(world, name, getattr(cls, name))
        for _label, module in access_modules():
            module.build(world)
        cls.world = world
        cls.sessions = {}
        for persona in PERSONAS:
            if persona != ANON:
                client = Client()
                client.force_login(getattr(cls, persona))
                cls.sessions[persona] = client.cookies[settings.SESSION_COOKIE_NAME].value

    def setUp(self):
        # pytest's autouse fixture points MEDIA_ROOT at a fresh folder per test: the world's files live in ours.
        self.enterContext(override_settings(MEDIA_ROOT=self.files / "media", DATA_DIR=self.files / "data"))

    # -- running one request ---------------------------------------------------------------------------------------
    def client_for(self, persona, **kw):
        """Return a client carrying only the persona's session (one per test, persona and kind)."""
        clients = self.__dict__.setdefault("_clients", {})
        key = (persona, tuple(sorted(kw.items())))
        client = clients.get(key) or clients.setdefault(key, Client(**kw))
        client.cookies.clear()
        if persona != ANON:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[persona]
        return client

    def ask(self, route, persona, method, htmx=False, client=None, no_such_ids=False):
        """Send one request in a savepoint that is rolled back; return (status or LOGIN or "500: ...", writes, body).
        With no_such_ids, every id in the URL is one that no object has."""
        world = self.world
        kwargs = route.resolve(route.kwargs, world)
        if no_such_ids:
            kwargs = {k: (NO_SUCH_ID if isinstance(v, int) else v) for k, v in kwargs.items()}
        url = reverse(route.name, kwargs=kwargs)
        query = route.resolve(route.query, world)
        client = client or self.client_for(persona)
        headers = HTMX_HEADERS if htmx else {}
        with CaptureQueriesContext(connection) as ctx:
            try:
                with transaction.atomic():
                    if method == "GET":
                        response = client.get(url, query, headers=headers)
                    else:
                        if query:
                            url += "?" + urlencode(query)
                        response = client.post(url, route.resolve(route.post_data, world), headers=headers)
                    body = b"".join(response.streaming_content) if response.streaming else response.content
                    transaction.set_rollback(True)
            except Exception as e:  # a server error: report it with where it happened
                frame = traceback.extract_tb(e.__traceback__)[-1]
                return f"500: {type(e).__name__}: {e} ({frame.filename.split('/laogan/')[-1]}:{frame.lineno})", [], b""
        status = response.status_code
        if status == 302 and response["Location"].startswith(reverse("login")):
            status = LOGIN
        return status, write_statements(ctx.captured_queries), body

    def check_route(self, route):
        problems, cases = [], 0
        for method, expected in (("GET", route.get), ("POST", route.post)):
            if expected is None:
                continue
            for htmx in (False, True) if route.htmx else (False,):
                table = (getattr(route, f"htmx_{method.lower()}") or expected) if htmx else expected
                for persona in PERSONAS:
                    cases += 1
                    want = table[persona]
                    got, writes, body = self.ask(route, persona, method, htmx)
                    where = f"{method}{' htmx' if htmx else ''} as {persona}"
                    if got != want:
                        problems.append(f"{where}: expected {want}, got {got}")
                        continue
                    if want == 403 and persona == OUTSIDER and route.is_about_an_object and route.kwargs:
                        # Refused for their role: the same answer as for an id that does not exist, telling nothing.
                        other = self.ask(route, persona, method, htmx, no_such_ids=True)[0]
                        if other != want:
                            problems.append(f"{where}: {want} for centre A's object but {other} for no object")
                    denied = want in DENIED or (want == LOGIN and persona == ANON)
                    if writes and (denied or not route.writes):
                        problems.append(f"{where}: {want} but it wrote: {writes[:3]}")
                    if persona in (OUTSIDER, VIEWER, ANON) and body:  # (compressed files, e.g. xlsx, are not read)
                        text = body.decode("utf-8", "replace")
                        leaked = [s for s in self.world.secrets if s in text]
                        if leaked:
                            problems.append(f"{where}: {want} shows centre A's {leaked}")
        return cases, problems

    # -- the matrix ------------------------------------------------------------------------------------------------
    def test_every_url_is_in_the_matrix(self):
        declared = all_routes()
        missing, unnamed, names = [], [], set()
        for name, pattern, module in url_patterns():
            if not name:
                unnamed.append(f"/{pattern} ({module})")
                continue
            names.add(name)
            if name not in declared:
                app = module.split(".")[1] if module.startswith("laogan.") else module
                missing.append(f"{name} (/{pattern}): declare it in laogan/{app}/tests/access.py")
        stale = sorted(set(declared) - names)
        if unnamed:
            self.fail("URL patterns without a name cannot be in the authorisation matrix:\n" + "\n".join(unnamed))
        if missing:
            self.fail(f"{len(missing)} URLs missing from the authorisation matrix:\n" + "\n".join(missing))
        if stale:
            self.fail(f"The authorisation matrix declares URLs that no longer exist: {stale}")

    def test_no_route_lets_staff_of_centre_b_at_an_object_of_centre_a(self):
        wrong = []
        for route in all_routes().values():
            for method, expected in (("GET", route.get), ("POST", route.post), ("GET htmx", route.htmx_get),
                                     ("POST htmx", route.htmx_post)):
                if expected is not None and route.is_about_an_object and expected[OUTSIDER] not in DENIED:
                    wrong.append(f"{route.name} {method}: {expected[OUTSIDER]}")
        if wrong:
            self.fail("Declared as letting staff of centre B at centre A's object:\n" + "\n".join(wrong))

    def test_the_secrets_are_there_for_centre_a(self):
        """The check that other personas' pages hold none of centre A's secrets means something: centre A's own
        pages show them."""
        client = self.client_for(STAFF)
        for name, kwargs, query, secret in (
            ("member_list", {}, {}, self.world.member.name),
            ("request_member_search", {}, {"q": self.world.member.name}, self.world.member.name),
            ("case_detail", {"pk": self.world.case.pk}, {}, "矩阵困难帮扶"),
            ("survivor_list", {}, {}, "蒙矩阵遗属"),
        ):
            self.assertContains(client.get(reverse(name, kwargs=kwargs), query), secret)
        client = self.client_for(SECRETARY)
        self.assertContains(client.post(reverse("member_reveal", args=[self.world.member.pk, "phones"])), "13977100999")

    def test_every_write_is_refused_without_a_csrf_token(self):
        problems = []
        for route in all_routes().values():
            if route.post is None:
                continue
            for persona in (SECRETARY, ADMIN):
                client = self.client_for(persona, enforce_csrf_checks=True)
                got, writes, _body = self.ask(route, persona, "POST", client=client)
                if got != 403 or writes:
                    problems.append(f"{route.name} as {persona}: {got} {writes[:2]}")
        if problems:
            self.fail("A POST without a CSRF token was not refused:\n" + "\n".join(problems))
        # The same client with the token of the form it was shown gets through.
        client = self.client_for(SECRETARY, enforce_csrf_checks=True)
        url = reverse("member_create")
        self.assertEqual(client.get(url).status_code, 200)
        token = client.cookies[settings.CSRF_COOKIE_NAME].value
        self.assertEqual(client.post(url, {"csrfmiddlewaretoken": token}).status_code, 200)


def _make_test(route):
    def test(self):
        cases, problems = self.check_route(route)
        self.assertTrue(cases)
        if problems:
            self.fail(f"{route.name}: {len(problems)} of {cases} cases wrong\n" + "\n".join(problems))

    test.__name__ = f"test_{route.name}"
    test.__doc__ = route.note or None
    return test


for _route in all_routes().values():
    setattr(AccessMatrixTest, f"test_{_route.name}", _make_test(_route))
del _route


def case_count():
    """Return the number of URL × persona × method (× htmx) cases the matrix checks."""
    n = 0
    for route in all_routes().values():
        for expected in (route.get, route.post):
            if expected is not None:
                n += len(PERSONAS) * (2 if route.htmx else 1)
    return n
