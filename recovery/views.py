"""Signing in and out of the workspace. Django's views do the work; this adds the demo logins in DEBUG.
How often anyone may try: `recovery.sign_in`."""

from django.conf import settings
from django.contrib.auth import views as auth_views

from cases.devdata.logins import DEMO_LOGINS


class SignInView(auth_views.LoginView):
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"demo_logins": DEMO_LOGINS if settings.DEBUG else ()}


sign_in = SignInView.as_view()
sign_out = auth_views.LogoutView.as_view()
