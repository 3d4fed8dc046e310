from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import health, views

api_v1 = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]
api_v1.append(path("", include("cases.api.urls")))

urlpatterns = [
    path("", views.home, name="home"),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/v1/", include(api_v1)),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

if settings.BENCH_CEILING:
    urlpatterns.append(path("bench/ceiling/", include("bench.ceiling.urls")))
