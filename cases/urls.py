"""The agent's and the manager's workspace: every HTML page of Mend, one view module per page in cases/views/.

`cases/<str:reference>/` matches any word, so routes under `cases/` with a fixed name come before it.
"""

from django.urls import path

from cases.views.case_export import case_export
from cases.views.dashboard import dashboard, dashboard_export
from cases.views.links import case_permalink

app_name = "workspace"

urlpatterns = [
    path("dashboard/", dashboard, name="dashboard"),
    path("dashboard/export.csv", dashboard_export, name="dashboard-export"),
    path("cases/export.csv", case_export, name="case-export"),
    # The case screen stays last: it would swallow /cases/new/ and /cases/export.csv.
    path("cases/<str:reference>/", case_permalink, name="case"),
]
