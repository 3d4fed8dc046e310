"""`/login/code/`: the sign-in's second step. `/account/two-factor/`: turning on an authenticator app,
and recovery codes."""

from typing import cast
from urllib.parse import urlencode

import django_otp
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from recovery.errors import InvalidInput
from recovery.roles import User
from recovery.two_factor import devices, policy, qr, sign_in
from recovery.two_factor.devices import Outcome
from recovery.two_factor.forms import CodeForm, EnrolForm
from recovery.two_factor.middleware import two_factor_not_required
from recovery.web import show_refusal


@login_not_required
@require_http_methods(["GET", "POST"])
def code_step(request: HttpRequest) -> HttpResponse:
    # Either halfway through signing in (the password was right), or signed in before the policy asked
    # for a second factor: both give a code here.
    signed_in = request.user.is_authenticated
    if signed_in and policy.verified(request):
        return redirect(_safe_next(request))
    user = cast(User, request.user) if signed_in else sign_in.pending_user(request)
    if user is None:
        messages.info(request, "Please sign in again: the sign-in waited too long for its code.")
        return redirect("login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = devices.check_code(user=user, code=form.cleaned_data["code"])
        if check.outcome == Outcome.ACCEPTED:
            if signed_in:
                django_otp.login(request, check.device)
                request.session.cycle_key()
                target = _safe_next(request)
            else:
                target = sign_in.complete(request, user, check.device)
            if check.kind == "recovery":
                _warn_recovery_code_used(request, user)
            return redirect(target)
        if check.outcome == Outcome.WAIT:
            form.add_error("code", "Too many wrong codes: wait a minute, then type the code your app shows.")
        elif not signed_in and sign_in.count_wrong_code(request) == 0:
            messages.error(request, "Too many wrong codes. Sign in again.")
            return redirect("login")
        else:
            form.add_error("code", "That code is not right. Type the 6 digits your app shows now.")
    context = {"form": form, "next": request.GET.get("next", "")}
    status = 422 if form.errors else 200
    return TemplateResponse(request, "registration/login_code.html", context, status=status)


@two_factor_not_required
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # the sign-in middleware lets only signed-in people here
    enrolled = devices.has_authenticator(user)
    if enrolled and not policy.verified(request):
        # Only someone who gave a code may change the authenticator or see new recovery codes.
        return redirect(f"{reverse('two-factor-code')}?{urlencode({'next': request.path})}")
    if request.method == "POST" and request.POST.get("action") == "new-codes" and enrolled:
        codes = devices.new_recovery_codes(user=user)
        messages.success(request, "New recovery codes made. The earlier ones no longer work.")
        return _page(request, codes=codes)
    if request.method == "POST" and request.POST.get("action") == "turn-off" and enrolled:
        try:
            devices.turn_off(user=user, required=policy.required_for(user))
        except InvalidInput as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, "Two-factor sign-in is off. Mend asks only for your password.")
        return redirect("two-factor")
    if enrolled and request.method == "GET" and "replace" not in request.GET:
        return _page(request, enrolled=True, codes_left=devices.recovery_codes_left(user))
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = devices.confirm_authenticator(user=user, code=form.cleaned_data["code"])
        except InvalidInput as refused:
            show_refusal(form, refused)
        else:
            django_otp.login(request, device)
            request.session.cycle_key()
            messages.success(request, "Two-factor sign-in is on. Mend asks for a code each time you sign in.")
            return _page(request, codes=codes)
    device = devices.pending_authenticator(user)
    context = {"form": form, "qr_svg": qr.svg(device.config_url), "secret": devices.secret_text(device)}
    return _page(request, status=422 if form.errors else 200, replacing=enrolled, **context)


def _page(request: HttpRequest, *, status: int = 200, **context) -> HttpResponse:
    context |= {"next": _safe_next(request, default=""), "required": policy.required_for(request.user)}
    return TemplateResponse(request, "account/two_factor.html", context, status=status)


def _safe_next(request: HttpRequest, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else default


def _warn_recovery_code_used(request: HttpRequest, user) -> None:
    left = devices.recovery_codes_left(user)
    remaining = ngettext("%(n)d recovery code is left", "%(n)d recovery codes are left", left) % {"n": left}
    messages.warning(
        request,
        f"You signed in with a recovery code; {remaining}. If your phone is lost, set up the app again "
        "under Two-factor sign-in.",
    )
