from django.contrib.auth.decorators import login_not_required
from django.urls import path
from django.views.i18n import JavaScriptCatalog, set_language

from recovery.languages import views

urlpatterns = [
    path("account/preferences/", views.preferences, name="preferences"),
    path("account/language/", views.choose_language, name="choose-language"),
    # Django's own, for whoever is not signed in (the sign-in page's language links).
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    # The JS strings' catalogue (static/js/*.js use gettext/interpolate): a script file, as the CSP wants.
    path(
        "i18n/js/",
        login_not_required(JavaScriptCatalog.as_view(packages=["recovery.languages"])),
        name="javascript-catalog",
    ),
]
