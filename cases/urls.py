"""The agent's and the manager's workspace: every HTML page of Mend, one view module per page in cases/views/.

`cases/<str:reference>/` matches any word, so routes under `cases/` with a fixed name come before it.
"""

from django.urls import include, path

from cases.at_risk import views as at_risk
from cases.emerging import views as emerging
from cases.notices import mentions_views as mentions
from cases.notices import views as notices
from cases.outreach import views as outreach
from cases.presence import views as presence
from cases.views import (
    approvals,
    attachments,
    case,
    customers,
    new_case,
    response_templates,
    root_causes,
    saved_views,
)
from cases.views.bulk import bulk_action
from cases.views.case_export import case_export
from cases.views.case_list import case_count, case_list
from cases.views.dashboard import dashboard, dashboard_export
from cases.views.queue import my_queue

app_name = "workspace"

urlpatterns = [
    path("gestures/pending/", approvals.approval_inbox, name="approvals"),
    path("gestures/<int:gesture_id>/decide/", approvals.decide, name="decide_gesture"),
    path("notifications/", notices.notice_list, name="notifications"),
    path("notifications/<int:notice_id>/read/", notices.mark_read, name="notice-read"),
    path("notifications/read-all/", notices.mark_all_read, name="notices-read-all"),
    path("notifications/bell/", notices.bell, name="notice-bell"),
    path("notifications/settings/", notices.email_settings, name="notice-settings"),
    path("customers/<int:customer_id>/", customers.customer_page, name="customer"),
    path("customers/<int:customer_id>/contact/", customers.contact_preference, name="customer-contact"),
    path("root-causes/", root_causes.root_cause_list, name="root_causes"),
    path("root-causes/<int:root_cause_id>/", root_causes.root_cause_page, name="root_cause"),
    path("root-causes/<int:root_cause_id>/notify/", outreach.notify_page, name="notify"),
    path("customers/at-risk/", at_risk.at_risk_page, name="at_risk"),
    path("root-causes/<int:root_cause_id>/rules/", root_causes.add_rule, name="root_cause_rules"),
    path(
        "root-causes/<int:root_cause_id>/rules/<int:rule_id>/delete/",
        root_causes.remove_rule,
        name="root_cause_rule_delete",
    ),
    path("emerging/", emerging.emerging_list, name="emerging"),
    path("emerging/<int:group_id>/dismiss/", emerging.dismiss, name="emerging_dismiss"),
    path("emerging/<int:group_id>/root-cause/", emerging.create_root_cause, name="emerging_root_cause"),
    path("webhooks/", include("cases.webhooks.urls")),
    path("gesture-rules/", include("cases.gesture_rules.urls")),
    path("teams/", include("cases.teams.urls")),
    path("templates/", response_templates.template_list, name="templates"),
    path("templates/new/", response_templates.template_new, name="template-new"),
    path("templates/<int:template_id>/", response_templates.template_edit, name="template-edit"),
    path("cases/new/", new_case.new_case, name="new_case"),
    path("cases/new/customers/", new_case.customer_matches, name="new_case_customers"),
    path("", my_queue, name="queue"),
    path("cases/", case_list, name="cases"),
    path("cases/count/", case_count, name="case_count"),
    path("cases/<str:reference>/actions/<slug:action>/", case.case_action, name="case-action"),
    path("cases/<str:reference>/sla/", case.case_sla, name="case-sla"),
    path("cases/<str:reference>/presence/", presence.heartbeat, name="case-presence"),
    path("cases/<str:reference>/mentions/", mentions.candidates, name="case-mentions"),
    path(
        "cases/<str:reference>/attachments/<int:attachment_id>/",
        attachments.attachment_download,
        name="attachment",
    ),
    path("dashboard/", dashboard, name="dashboard"),
    path("dashboard/export.csv", dashboard_export, name="dashboard-export"),
    path("cases/export.csv", case_export, name="case-export"),
    path("cases/bulk/", bulk_action, name="bulk"),
    path("cases/views/", saved_views.save_view, name="save-view"),
    path("cases/views/menu/", saved_views.views_menu, name="views-menu"),
    path("cases/views/<int:view_id>/delete/", saved_views.delete_view, name="delete-view"),
    # The case screen stays last: it would swallow /cases/new/, /cases/export.csv, /cases/bulk/ and
    # /cases/views/.
    path("cases/<str:reference>/", case.case_page, name="case"),
]
