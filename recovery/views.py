"""Signing in and out of the workspace. Django's views do the work; this adds the demo logins in DEBUG
and the answer to a locked-out sign-in."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_GET

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
        "locked_out": f"Too many failed sign-ins. Try again in {minutes} minutes.",
        "next": request.POST.get("next", ""),
    }
    response = render(request, "registration/login.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response


@require_GET
def favicon(request):
    """`/favicon.ico`, which browsers ask for whatever a page links: the icon every page links to.
    A temporary redirect, so a new hashed file name after a deploy is followed at once."""
    return redirect(static("favicon.svg"))
