import time

from django.shortcuts import redirect
from django.urls import reverse


class HtmxMiddleware:
    """Set request.htmx for requests made by htmx, so views can answer with a fragment."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.htmx = request.headers.get("HX-Request") == "true"
        return self.get_response(request)


class ForcePasswordChangeMiddleware:
    """Send a user who must change their password to the change page before anything else, and a user who must
    log in with a one-time code but has not set one up (or has not used it this session) to the set-up page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/static/"):
            if user.must_change_password:
                if request.path not in {reverse("password_change"), reverse("logout")}:
                    return redirect("password_change")
            elif user.must_use_totp and request.path not in {reverse("totp_setup"), reverse("logout")}:
                from .totp_views import enforce

                response = enforce(request)
                if response is not None:
                    return response
        return self.get_response(request)


class IdleSessionMiddleware:
    """Keep a signed-in session alive while it is used, writing it at most once a minute instead of on every request.

    Each write moves the session's end to SESSION_COOKIE_AGE (30 minutes) ahead, so a session ends 29 to 30 minutes
    after its last request. Writing on every request (SESSION_SAVE_EVERY_REQUEST) made every page view a database
    write, which SQLite serialises: the member list served half the requests a second under load.
    """

    TOUCH_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key and not session.is_empty():
            now = int(time.time())
            if now - session.get("_touched", 0) >= self.TOUCH_SECONDS:
                session["_touched"] = now  # a change: SessionMiddleware saves it and moves its end
        return response
