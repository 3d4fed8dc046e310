"""The agent's and the manager's workspace: every HTML page of Mend, one view module per page in cases/views/.

`cases/<str:reference>/` matches any word, so routes under `cases/` with a fixed name come before it.
"""

from django.urls import path

from cases.views import case, response_templates

app_name = "workspace"

urlpatterns = [
    path("templates/", response_templates.template_list, name="templates"),
    path("templates/new/", response_templates.template_new, name="template-new"),
    path("templates/<int:template_id>/", response_templates.template_edit, name="template-edit"),
    path("cases/<str:reference>/actions/<slug:action>/", case.case_action, name="case-action"),
    # The case screen stays last: it would swallow /cases/new/ and /cases/export.csv.
    path("cases/<str:reference>/", case.case_page, name="case"),
]
