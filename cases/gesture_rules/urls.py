"""`/gesture-rules/` pages, included into the workspace's URLs (namespace `workspace`)."""

from django.urls import path

from cases.gesture_rules import views

urlpatterns = [
    path("", views.rule_list, name="gesture-rules"),
    path("new/", views.rule_page, name="gesture-rule-new"),
    path("<int:rule_id>/", views.rule_page, name="gesture-rule"),
    path("<int:rule_id>/delete/", views.rule_delete, name="gesture-rule-delete"),
]
