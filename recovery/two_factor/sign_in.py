"""The step between the first factor (a password, or single sign-on) and a signed-in session.

A person with an authenticator is not signed in when their password is right: the session only
remembers who they said they are, for a few minutes and a few tries, and the code step signs them in.
Until then no page, API call or admin screen treats them as signed in. Everyone else is signed in at
once (and `middleware` sends them to enrol first when the policy requires it).
"""

import time

from django.contrib import auth
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from recovery.roles import User
from recovery.two_factor import devices

PENDING = "mend_2fa_pending"
PENDING_SECONDS = 5 * 60
PENDING_TRIES = 5  # wrong codes before the password must be typed again (django-otp also slows them)


def after_first_factor(request: HttpRequest, user: User, *, next_url: str) -> HttpResponse | None:
    """Called once the password (or the identity provider) vouched for `user`. Returns the redirect to
    the code step when a code is owed; None when the caller should sign the user in as usual."""
    if not devices.has_authenticator(user):
        return None
    request.session[PENDING] = {
        "user": user.pk,
        "backend": getattr(user, "backend", None),
        "next": next_url,
        "until": time.time() + PENDING_SECONDS,
        "tries": 0,
    }
    return HttpResponseRedirect(reverse("two-factor-code"))


def pending_user(request: HttpRequest) -> User | None:
    """Who is halfway through signing in on this session, if anyone (and not for too long)."""
    pending = request.session.get(PENDING)
    if not pending or pending["until"] < time.time() or pending["tries"] >= PENDING_TRIES:
        return None
    return get_user_model().objects.filter(pk=pending["user"], is_active=True).first()


def next_url(request: HttpRequest) -> str:
    return (request.session.get(PENDING) or {}).get("next") or "/"


def count_wrong_code(request: HttpRequest) -> int:
    """One more wrong code; returns how many tries are left (0: the sign-in starts again)."""
    pending = request.session[PENDING]
    pending["tries"] += 1
    request.session[PENDING] = pending
    left = PENDING_TRIES - pending["tries"]
    if left <= 0:
        del request.session[PENDING]
    return left


def complete(request: HttpRequest, user: User, device) -> str:
    """Sign `user` in, verified by `device`; returns where to go next."""
    pending = request.session.pop(PENDING, None) or {}
    user.otp_device = device  # type: ignore[attr-defined]  # django-otp stores it in the session when Django signs the user in
    auth.login(request, user, backend=pending.get("backend"))
    return pending.get("next") or "/"


def cancel(request: HttpRequest) -> None:
    request.session.pop(PENDING, None)
