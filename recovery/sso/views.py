"""`/sso/start/` sends the browser to the identity provider; `/sso/callback/` is where it comes back.
Both 404 while single sign-on is off."""

import logging

import requests
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from recovery.sso import config
from recovery.sso.backend import SESSION_BACKEND
from recovery.two_factor import sign_in

log = logging.getLogger(__name__)
UNAVAILABLE = "Single sign-on is not answering just now. Try again, or sign in with your password."


@method_decorator(login_not_required, name="dispatch")
class Start(OIDCAuthenticationRequestView):
    get_settings = staticmethod(config.setting)

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)  # reads its settings in get()

    def get(self, request):
        if not config.enabled():
            raise Http404("Single sign-on is off.")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = config.setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except config.DiscoveryFailed as exc:
            log.warning("Single sign-on unavailable: %s", exc)
            messages.error(request, UNAVAILABLE)
            return redirect("login")
        self.OIDC_RP_CLIENT_ID = config.setting("OIDC_RP_CLIENT_ID")
        return super().get(request)


@method_decorator(login_not_required, name="dispatch")
class Callback(OIDCAuthenticationCallbackView):
    get_settings = staticmethod(config.setting)

    def get(self, request):
        if not config.enabled():
            raise Http404("Single sign-on is off.")
        try:
            return super().get(request)
        except (requests.RequestException, config.DiscoveryFailed) as exc:
            log.warning("Single sign-on unavailable: %s", type(exc).__name__)
            request.mend_sso_refusal = UNAVAILABLE
        except SuspiciousOperation as exc:  # a replayed or forged answer (unknown state, bad token)
            log.warning("Single sign-on answer refused: %s", exc)
        return self.login_failure()

    def login_success(self):
        self.user.backend = SESSION_BACKEND
        owed = sign_in.after_first_factor(self.request, self.user, next_url=self.success_url)
        return owed or super().login_success()

    def login_failure(self):
        refusal = getattr(self.request, "mend_sso_refusal", "")
        messages.error(self.request, refusal or "Single sign-on did not sign you in.")
        return redirect("login")
