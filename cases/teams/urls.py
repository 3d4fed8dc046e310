"""`/teams/` pages, included into the workspace's URLs (namespace `workspace`)."""

from django.urls import path

from cases.teams import views

urlpatterns = [
    path("", views.team_list, name="teams"),
    path("away/", views.set_my_away, name="away"),
    path("away/<str:username>/", views.set_member_away, name="member-away"),
    path("new/", views.team_new, name="team-new"),
    path("rules/", views.rule_new, name="rule-new"),
    path("rules/preview/", views.rule_preview, name="rule-preview"),
    path("rules/<int:rule_id>/delete/", views.rule_delete, name="rule-delete"),
    path("rules/<int:rule_id>/move/", views.rule_move, name="rule-move"),
    path("<slug:slug>/", views.team_page, name="team"),
    path("<slug:slug>/delete/", views.team_delete, name="team-delete"),
]
