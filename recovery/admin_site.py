"""Django's admin on a site that asks for two-factor sign-in (`recovery.admin_config` makes it the default
site)."""

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from recovery.two_factor import policy


class MendAdminSite(admin.AdminSite):
    """Staff whose session has no second factor are treated as not staff (as django-otp's OTPAdminSite
    does), unless MEND_REQUIRE_2FA is off. The login form is Mend's sign-in: a person with an
    authenticator is asked for its code before the admin lets them in."""

    def has_permission(self, request):
        return super().has_permission(request) and policy.satisfied(request, admin=True)

    @method_decorator(never_cache)
    @login_not_required
    def login(self, request, extra_context=None):
        from django.contrib.admin.forms import AdminAuthenticationForm

        from recovery.views import SignInView

        if request.method == "GET" and self.has_permission(request):
            return super().login(request, extra_context)  # already in: Django's redirect to the index
        # The context Django's own admin login builds, around Mend's sign-in view.
        context = {
            **self.each_context(request),
            "title": _("Log in"),
            "subtitle": None,
            "app_path": request.get_full_path(),
            "username": request.user.get_username(),
        }
        if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
            context[REDIRECT_FIELD_NAME] = reverse("admin:index", current_app=self.name)
        context.update(extra_context or {})
        request.current_app = self.name
        return SignInView.as_view(
            extra_context=context,
            authentication_form=self.login_form or AdminAuthenticationForm,
            template_name=self.login_template or "admin/login.html",
            redirect_authenticated_user=False,
        )(request)
