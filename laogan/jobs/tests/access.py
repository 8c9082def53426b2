"""The jobs app's part of the authorisation matrix (laogan/tests/test_access_matrix.py)."""

from laogan.tests.matrix import Route, expect


def build(world):
    pass


ROUTES = [
    # Everyone reads their own messages; secretaries and admins those sent within their unit.
    Route("outbox", get=expect("signed-in", obj=False)),
]
