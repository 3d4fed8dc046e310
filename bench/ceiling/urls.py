from django.urls import path

from bench.ceiling.views import CeilingRows

urlpatterns = [path("rows/", CeilingRows.as_view(), name="ceiling-rows")]
