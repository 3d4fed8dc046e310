from django.urls import path

from bench.ceiling import views

urlpatterns = [
    path("rows/", views.CeilingRows.as_view(), name="ceiling-rows"),
    path("rows/<int:pk>/", views.CeilingRowDetail.as_view(), name="ceiling-row"),
]
