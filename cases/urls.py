"""The agent's and the manager's workspace: every HTML page of Mend, one view module per page in cases/views/.

`cases/<str:reference>/` matches any word, so routes under `cases/` with a fixed name come before it.
"""

from django.urls import path

from cases.views.case_list import case_list
from cases.views.links import case_permalink
from cases.views.queue import my_queue

app_name = "workspace"

urlpatterns = [
    path("", my_queue, name="queue"),
    path("cases/", case_list, name="cases"),
    # The case screen stays last: it would swallow /cases/new/ and /cases/export.csv.
    path("cases/<str:reference>/", case_permalink, name="case"),
]
