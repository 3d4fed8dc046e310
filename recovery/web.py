"""Plumbing shared by every HTML page: who may see the workspace, what the frame needs to draw itself,
and how a form shows a service's refusal."""

from collections.abc import Callable
from functools import wraps

from django import forms
from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.cache import patch_cache_control
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from recovery.errors import InvalidInput
from recovery.roles import is_agent, is_manager


class SignInRequiredMiddleware(LoginRequiredMiddleware):
    """Every page needs a signed-in person, except views marked `login_not_required` and the API.

    The check runs before the URL's view looks anything up, so an anonymous visitor learns nothing from
    the answer (`/cases/RC-000001/` and `/cases/RC-999999/` both redirect to the sign-in page). The API
    authenticates by token and answers 401/403 itself.

    An htmx request (a poll, a partial, a form) whose session has ended would have the sign-in page
    swapped into a corner of the page; it gets an HX-Redirect instead, and the whole page goes to sign
    in, to come back to the page the person was on rather than to the fragment.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        refused = super().process_view(request, view_func, view_args, view_kwargs)
        if refused is None or not getattr(request, "htmx", False):
            return refused
        detour = HttpResponseClientRedirect(redirect_to_login(page_of(request)).url)
        # htmx follows HX-Redirect whatever the status. 401 rather than 200 says the request was not
        # carried out, so the case screen keeps the text of a form that met it as a draft (case.js).
        detour.status_code = 401
        return detour


class HtmxHttpRequest(HttpRequest):
    """A request as django-htmx's middleware leaves it (its documented way to type `request.htmx`)."""

    htmx: HtmxDetails


def page_of(request: HtmxHttpRequest) -> str:
    """The page a request was made from: for an htmx request (a poll, a partial) the page that sent it,
    since a fragment is no page; otherwise the request's own path. A detour (signing in, giving a second
    factor) leads back to it, and the nav marks its current link by it. A page of another site, which
    the header could name, is not followed: home instead."""
    if not (getattr(request, "htmx", False) and request.htmx.current_url):
        return request.get_full_path()
    return request.htmx.current_url_abs_path or settings.LOGIN_REDIRECT_URL


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
    """Context for the frame: which of its parts the person may see. The apps add their own counts
    (`cases.views.frame`)."""
    user = getattr(request, "user", None)
    return {
        "is_manager": bool(user and is_manager(user)),
        "is_case_worker": bool(user and is_agent(user)),
    }


def show_refusal(form: forms.Form, refused: InvalidInput, *, fields: dict[str, str] | None = None) -> None:
    """What every form does with a service's refusal: attach its message to the field it names
    (renamed through `fields` where the form calls it otherwise), or to the whole form when the form
    has no such field. The bound values stay."""
    name = (fields or {}).get(refused.field, refused.field) if refused.field else None
    form.add_error(name if name in form.fields else None, refused.message)


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
