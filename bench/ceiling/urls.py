from django.urls import path

from .views import CeilingRows

urlpatterns = [path("rows/", CeilingRows.as_view(), name="ceiling-rows")]
