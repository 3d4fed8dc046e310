"""Keeps a session that owes a second factor away from everything but the steps to give it."""

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from recovery.two_factor import devices, policy
from recovery.web import page_of


def two_factor_not_required(view: Callable) -> Callable:
    """Mark a view that a signed-in person may open before giving their second factor (the steps to give
    it, and signing out). Views marked `login_not_required` are open to them too."""
    view.two_factor_required = False  # type: ignore[attr-defined]
    return view


class TwoFactorRequiredMiddleware:
    """When MEND_REQUIRE_2FA asks it of a signed-in person whose session has no second factor, every page
    sends them to give one: the code step if they have an authenticator, the enrolment page if not. The
    API answers 403 to such a session (token clients are not concerned: a token is its own credential).

    The rule costs no query when it is off, nor for an agent under "managers" (the role check reads the
    groups the page reads anyway).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        api = request.path_info.startswith("/api/")
        if api and "HTTP_AUTHORIZATION" in request.META:
            return None  # DRF authenticates the token and ignores the session
        # DRF marks its views `login_not_required` (they authenticate for themselves), but a session
        # that owes its second factor must not reach them either.
        open_to_all = not getattr(view_func, "login_required", True) and not api
        exempt = not getattr(view_func, "two_factor_required", True)
        if open_to_all or exempt or not request.user.is_authenticated:
            return None
        if policy.satisfied(request, admin=request.path_info.startswith("/admin/")):
            return None
        if api:
            return JsonResponse({"detail": "Finish two-factor sign-in in the browser first."}, status=403)
        step = "two-factor-code" if devices.has_authenticator(request.user) else "two-factor"
        target = f"{reverse(step)}?{urlencode({'next': page_of(request)})}"
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(target)
        return HttpResponseRedirect(target)
