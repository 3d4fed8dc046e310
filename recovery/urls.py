from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from recovery import docs, health, views
from recovery.two_factor.middleware import two_factor_not_required

api_v1: list[URLPattern | URLResolver] = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("", include("feedback.api.urls")),
    path("", include("cases.api.urls")),
]

urlpatterns = [
    path("login/", views.sign_in, name="login"),
    path("logout/", two_factor_not_required(views.sign_out), name="logout"),
    path("", include("recovery.two_factor.urls")),
    path("", include("recovery.api_tokens.urls")),
    path("", include("recovery.languages.urls")),
    path("", include("recovery.sso.urls")),
    path("admin/", admin.site.urls),
    path("favicon.ico", login_not_required(views.favicon), name="favicon"),
    path("healthz", login_not_required(health.healthz), name="healthz"),
    path("readyz", login_not_required(health.readyz), name="readyz"),
    path("api/v1/", include(api_v1)),
    # The split view serves Swagger UI's set-up as a script file, so the docs run under the strict CSP.
    path(
        "api/docs/",
        login_not_required(
            SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="docs/swagger_ui.html")
        ),
        name="api-docs",
    ),
    path("api/redoc/", login_not_required(docs.redoc), name="api-redoc"),
    path("", include("feedback.widget.urls")),  # the DEBUG demo page
    path("", include("cases.follow_ups.urls")),  # the customer's survey, /r/<token>/
    path("", include("cases.conversation.inbound.urls")),  # providers' inbound email webhooks, raw messages
    path("", include("cases.urls")),
]

if settings.BENCH_CEILING:
    urlpatterns.append(path("bench/ceiling/", include("bench.ceiling.urls")))

handler404 = "recovery.error_pages.not_found"
handler500 = "recovery.error_pages.server_error"
