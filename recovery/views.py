"""Signing in and out of the workspace. Django's views do the work; this adds the demo logins in DEBUG.
How often anyone may try: `recovery.sign_in`."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from recovery.sign_in.demo_logins import DEMO_LOGINS
from recovery.sso import config as sso_config
from recovery.two_factor import sign_in as two_factor_sign_in


class SignInView(auth_views.LoginView):
    redirect_authenticated_user = True

    def form_valid(self, form):
        # A person with an authenticator app gives its code before they are signed in (recovery.two_factor).
        user, next_url = form.get_user(), self.get_success_url()
        owed = two_factor_sign_in.after_first_factor(self.request, user, next_url=next_url)
        return owed or super().form_valid(form)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "demo_logins": DEMO_LOGINS if settings.DEBUG else (),
            "sso_enabled": sso_config.enabled(),
        }


sign_in = SignInView.as_view()
sign_out = auth_views.LogoutView.as_view()


@require_GET
def favicon(request):
    """`/favicon.ico`, which browsers ask for whatever a page links: the icon every page links to.
    A temporary redirect, so a new hashed file name after a deploy is followed at once."""
    return redirect(static("favicon.svg"))
