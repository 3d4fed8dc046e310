"""Signing in and out of the workspace. Django's views do the work; this adds the demo logins in DEBUG
and the answer to a locked-out sign-in."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render
from django.utils.translation import ngettext

from cases.devdata.logins import DEMO_LOGINS


class SignInView(auth_views.LoginView):
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"demo_logins": DEMO_LOGINS if settings.DEBUG else ()}


sign_in = SignInView.as_view()
sign_out = auth_views.LogoutView.as_view()


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer once an address or a username has failed too often (/login/ and /admin/login/).

    The sign-in page again, saying why and for how long, with 429 and Retry-After. It names neither the
    limit nor whether the username exists.
    """
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    minutes = max(1, round(seconds / 60))
    context = {
        "form": AuthenticationForm(request),
        "locked_out": ngettext(
            "Too many failed sign-ins. Try again in %(count)d minute.",
            "Too many failed sign-ins. Try again in %(count)d minutes.",
            minutes,
        )
        % {"count": minutes},
        "next": request.POST.get("next", ""),
    }
    response = render(request, "registration/login.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response
