"""Plumbing shared by every HTML page: who may see the workspace, and what the frame needs to draw itself."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.cache import patch_cache_control

from recovery.roles import is_agent, is_manager


class SignInRequiredMiddleware(LoginRequiredMiddleware):
    """Every page needs a signed-in person, except views marked `login_not_required` and the API.

    The check runs before the URL's view looks anything up, so an anonymous visitor learns nothing from
    the answer (`/cases/RC-000001/` and `/cases/RC-999999/` both redirect to the sign-in page). The API
    authenticates by token and answers 401/403 itself.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


def agent_required(view: Callable) -> Callable:
    """The workspace is for agents and managers: anyone else signed in (an intake client) gets 403."""

    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs):
        if not is_agent(request.user):
            raise PermissionDenied("Only agents and managers work in Mend's workspace.")
        return view(request, *args, **kwargs)

    return guarded


def manager_required(view: Callable) -> Callable:
    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs):
        if not is_manager(request.user):
            raise PermissionDenied("Only managers may open this page.")
        return view(request, *args, **kwargs)

    return guarded


def workspace(request: HttpRequest) -> dict:
    """Context for the frame. The counts are callables, so only pages that draw them query them."""
    user = getattr(request, "user", None)
    manager = bool(user and is_manager(user))
    worker = bool(user and is_agent(user))

    def pending_approvals() -> int:
        from cases.models import Gesture

        return Gesture.objects.filter(status=Gesture.Status.PENDING_APPROVAL).count()

    def unread_notices() -> int:
        from cases.notices import selectors

        return selectors.unread_count(user=user)  # type: ignore[arg-type]  # only offered to a case worker

    return {
        "is_manager": manager,
        "is_case_worker": worker,
        "pending_approvals": pending_approvals if manager else 0,
        "unread_notices": unread_notices if worker else 0,
    }


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every page and API answer: they carry customers' names, emails and
    complaints, which no browser cache or shared proxy should keep. Static files (WhiteNoise answers
    them before this runs) and the probes, which carry nothing personal, may be cached."""

    EXEMPT = ("/healthz", "/readyz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        if request.path_info not in self.EXEMPT:
            patch_cache_control(response, no_store=True)
        return response
