from django.urls import path

from recovery.sso import views

# The names mozilla-django-oidc reverses (its redirect_uri is the callback's).
urlpatterns = [
    path("sso/start/", views.Start.as_view(), name="oidc_authentication_init"),
    path("sso/callback/", views.Callback.as_view(), name="oidc_authentication_callback"),
]
