"""The agent's and the manager's workspace: every HTML page of Mend, one view module per page in cases/views/.

`cases/<str:reference>/` matches any word, so routes under `cases/` with a fixed name come before it.
"""

from django.urls import path

from cases.views import approvals, customers, new_case, root_causes
from cases.views.case_list import case_list
from cases.views.links import case_permalink
from cases.views.queue import my_queue

app_name = "workspace"

urlpatterns = [
    path("gestures/pending/", approvals.approval_inbox, name="approvals"),
    path("gestures/<int:gesture_id>/decide/", approvals.decide, name="decide_gesture"),
    path("customers/<int:customer_id>/", customers.customer_page, name="customer"),
    path("root-causes/", root_causes.root_cause_list, name="root_causes"),
    path("root-causes/<int:root_cause_id>/", root_causes.root_cause_page, name="root_cause"),
    path("cases/new/", new_case.new_case, name="new_case"),
    path("cases/new/customers/", new_case.customer_matches, name="new_case_customers"),
    path("", my_queue, name="queue"),
    path("cases/", case_list, name="cases"),
    # The case screen stays last: it would swallow /cases/new/ and /cases/export.csv.
    path("cases/<str:reference>/", case_permalink, name="case"),
]
