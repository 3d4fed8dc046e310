"""Settings.INSTALLED_APPS names this config in place of "django.contrib.admin": Django's documented way to
replace the default admin site, so every app's `admin.site.register` lands on Mend's. Kept apart from the
site's module, which imports models and cannot load this early."""

from django.contrib.admin.apps import AdminConfig


class MendAdminConfig(AdminConfig):
    default_site = "recovery.admin_site.MendAdminSite"
