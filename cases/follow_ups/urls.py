"""The customer's side of a follow-up: the survey link in their email. Outside the workspace: no sign-in."""

from django.urls import path

from cases.follow_ups.views import survey_page

# No app_name: "survey" is the one name for the link, wherever it is built.
urlpatterns = [
    path("r/<str:token>/", survey_page, name="survey"),
]
