"""The accounts app's part of the authorisation matrix (laogan/tests/test_access_matrix.py)."""

from laogan.accounts.models import Role
from laogan.test import make_user
from laogan.tests.matrix import LOGIN, Route, expect, post_only


def build(world):
    world.staff_a = make_user("matrix-staff-a", world.centre_a, Role.STAFF, full_name="韦矩阵")


def _user(w):
    return {"pk": w.staff_a.pk}


ROUTES = [
    # Signed-in users are sent home from the log-in page; a failed log-in is audited.
    Route("login", get=expect("signed-in", 302, obj=False, anonymous=200),
          post=expect("signed-in", 302, obj=False, anonymous=200),
          writes=True),
    # Logging in with a one-time code needs a password checked within five minutes: without one, back to log-in.
    Route("login_code", get=expect("anyone", LOGIN, obj=False), post=expect("anyone", LOGIN, obj=False)),
    Route("logout", get=post_only(), post=expect("signed-in", LOGIN, obj=False), writes=True),
    # One's own two-step log-in: opening the page makes the device to enrol.
    Route("totp_setup", get=expect("signed-in", obj=False), post=expect("signed-in", obj=False), writes=True),
    Route("password_change", get=expect("signed-in", obj=False), post=expect("signed-in", obj=False)),
    Route("user_list", get=expect("admin-only", obj=False)),
    Route("user_create", get=expect("admin-only", obj=False), post=expect("admin-only", obj=False)),
    Route("user_edit", kwargs=_user, get=expect("admin-only"), post=expect("admin-only")),
    # Empty data: the form's "active" is missing, so the user is disabled; unlocking and resetting need no data.
    Route("user_set_active", kwargs=_user, get=post_only(), post=expect("admin-only", 302), writes=True),
    Route("user_unlock", kwargs=_user, get=post_only(), post=expect("admin-only", 302), writes=True),
    Route("user_reset_password", kwargs=_user, get=post_only(), post=expect("admin-only", 302), writes=True),
    Route("user_reset_totp", kwargs=_user, get=post_only(), post=expect("admin-only", 302), writes=True),
    Route("unit_list", get=expect("admin-only", obj=False)),
    Route("unit_create", get=expect("admin-only", obj=False), post=expect("admin-only", obj=False)),
    Route("unit_edit", kwargs=lambda w: {"pk": w.centre_a.pk}, get=expect("admin-only"), post=expect("admin-only")),
    Route("audit_log", get=expect("managers", obj=False)),
    # Who saw or exported one member's data: reading it is itself audited.
    Route("member_access_report", kwargs=lambda w: {"pk": w.member.pk}, get=expect("managers"), writes=True),
]

