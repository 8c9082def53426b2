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
