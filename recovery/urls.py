from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from cases.follow_ups.views import survey_page
from cases.views.links import case_permalink
from recovery import health, views

api_v1 = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("", include("feedback.api.urls")),
]
api_v1.append(path("", include("cases.api.urls")))

urlpatterns = [
    path("", views.home, name="home"),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/v1/", include(api_v1)),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("r/<str:token>/", survey_page, name="survey"),  # the customer's follow-up survey, no login
    path("cases/<str:reference>/", case_permalink, name="case"),  # the link in every email about a case
]

if settings.BENCH_CEILING:
    urlpatterns.append(path("bench/ceiling/", include("bench.ceiling.urls")))
