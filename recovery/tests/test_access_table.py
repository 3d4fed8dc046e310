"""Who may reach what: every API endpoint, admin page and workspace page, by every caller, in one table.

API rows are called with the caller's token, page rows with a signed-in session. To add a page, add a
row: its method, path (with {case}, {root_cause}, {gesture} or {customer} filled in below), body, and
the status each column expects. `{case}` belongs to "agent"; "other agent" is another agent.
"""

import pytest
from django.test import Client

from cases.models import Gesture
from cases.tests.factories import GestureFactory, RecoveryCaseFactory, RootCauseFactory
from feedback.tests.factories import CustomerFactory
from recovery.tests.tables import fill, table_params

pytestmark = pytest.mark.django_db

CALLERS = ("anonymous", "intake", "agent", "other agent", "manager", "admin")

NOTE = {"body": "Called the customer back."}
FEEDBACK = {"channel": "web", "rating": 5, "customer": {"external_id": "C-TABLE-NEW"}}
ROOT_CAUSE = {"title": "Courier drops parcels", "category": "partner"}
MANAGED_ROOT_CAUSE = {**ROOT_CAUSE, "status": "fixing"}
SLA_EDIT = {"acknowledge_within": "01:00:00"}

# kind, method, path, body: anonymous, intake, agent, other agent, manager, admin
API = [
    ("GET", "/api/v1/schema/", None, (200, 200, 200, 200, 200, 200)),  # public, as the docs
    ("GET", "/api/v1/cases/", None, (401, 403, 200, 200, 200, 200)),
    ("GET", "/api/v1/cases/{case}/", None, (401, 403, 200, 200, 200, 200)),
    ("GET", "/api/v1/cases/{case}/events/", None, (401, 403, 200, 200, 200, 200)),
    ("POST", "/api/v1/cases/{case}/notes/", NOTE, (401, 403, 201, 403, 201, 201)),
    ("POST", "/api/v1/cases/{case}/actions/acknowledge/", {}, (401, 403, 200, 403, 200, 200)),
    ("POST", "/api/v1/feedback/", FEEDBACK, (401, 201, 201, 201, 201, 201)),
    ("GET", "/api/v1/feedback/", None, (401, 403, 200, 200, 200, 200)),
    ("GET", "/api/v1/root-causes/", None, (401, 403, 200, 200, 200, 200)),
    ("POST", "/api/v1/root-causes/", ROOT_CAUSE, (401, 403, 201, 201, 201, 201)),
    ("POST", "/api/v1/root-causes/", MANAGED_ROOT_CAUSE, (401, 403, 403, 403, 201, 201)),
    (
        "PATCH",
        "/api/v1/root-causes/{root_cause}/",
        {"corrective_action": "New courier"},
        (401, 403, 403, 403, 200, 200),
    ),
    ("PATCH", "/api/v1/root-causes/{root_cause}/", {"title": "Renamed"}, (401, 403, 403, 403, 200, 200)),
    ("POST", "/api/v1/root-causes/{root_cause}/cases/", {"case": "{case}"}, (401, 403, 201, 403, 201, 201)),
    ("POST", "/api/v1/gestures/{gesture}/approve/", {}, (401, 403, 403, 403, 200, 200)),
    ("GET", "/api/v1/sla-policies/", None, (401, 403, 200, 200, 200, 200)),
    ("PATCH", "/api/v1/sla-policies/high/", SLA_EDIT, (401, 403, 403, 403, 200, 200)),
    ("GET", "/api/v1/customers/{customer}/export/", None, (401, 403, 403, 403, 200, 200)),
    ("POST", "/api/v1/customers/{customer}/erase/", None, (401, 403, 403, 403, 200, 200)),
    ("GET", "/api/v1/metrics/", None, (401, 403, 403, 403, 200, 200)),
]

# Signed-in pages. 302 for anonymous is the sign-in page; in the admin, 302 is its own sign-in page
# (only staff enter: managers, and superusers).
PAGES = [
    ("GET", "/login/", None, (200, 302, 302, 302, 302, 302)),
    ("GET", "/", None, (302, 403, 200, 200, 200, 200)),
    ("GET", "/cases/", None, (302, 403, 200, 200, 200, 200)),
    ("GET", "/cases/{case}/", None, (302, 403, 200, 200, 200, 200)),
    ("GET", "/cases/{case}/actions/note/", None, (302, 403, 200, 403, 200, 200)),
    ("POST", "/cases/{case}/actions/note/", {"note": "Called back."}, (302, 403, 302, 403, 302, 302)),
    ("GET", "/cases/new/", None, (302, 403, 200, 200, 200, 200)),
    ("GET", "/customers/{customer_id}/", None, (302, 403, 200, 200, 200, 200)),
    ("GET", "/root-causes/", None, (302, 403, 200, 200, 200, 200)),
    ("GET", "/root-causes/{root_cause}/", None, (302, 403, 200, 200, 200, 200)),
    ("GET", "/templates/", None, (302, 403, 200, 200, 200, 200)),
    ("GET", "/templates/new/", None, (302, 403, 403, 403, 200, 200)),
    ("GET", "/gestures/pending/", None, (302, 403, 403, 403, 200, 200)),
    ("GET", "/dashboard/", None, (302, 403, 403, 403, 200, 200)),
    ("GET", "/dashboard/export.csv", None, (302, 403, 403, 403, 200, 200)),
    ("GET", "/cases/export.csv", None, (302, 403, 200, 200, 200, 200)),
    ("GET", "/cases/RC-999999/", None, (302, 403, 404, 404, 404, 404)),
    ("GET", "/api/docs/", None, (200, 200, 200, 200, 200, 200)),
    ("GET", "/api/redoc/", None, (200, 200, 200, 200, 200, 200)),
    ("GET", "/admin/", None, (302, 302, 302, 302, 200, 200)),
    ("GET", "/admin/cases/recoverycase/", None, (302, 302, 302, 302, 200, 200)),
    ("GET", "/admin/cases/rootcause/add/", None, (302, 302, 302, 302, 200, 200)),
    ("GET", "/admin/cases/rootcause/{root_cause}/change/", None, (302, 302, 302, 302, 200, 200)),
    ("GET", "/admin/cases/slapolicy/", None, (302, 302, 302, 302, 200, 200)),
    ("GET", "/admin/cases/businesscalendar/add/", None, (302, 302, 302, 302, 200, 200)),
    ("GET", "/admin/cases/notification/", None, (302, 302, 302, 302, 200, 200)),
    ("GET", "/admin/feedback/customer/", None, (302, 302, 302, 302, 200, 200)),
    ("GET", "/admin/feedback/datasubjectrequest/", None, (302, 302, 302, 302, 200, 200)),
    ("GET", "/admin/auth/user/", None, (302, 302, 302, 302, 403, 200)),
    ("GET", "/admin/auth/group/", None, (302, 302, 302, 302, 403, 200)),
]


@pytest.fixture
def world(agent):
    case = RecoveryCaseFactory(owner=agent)
    pending = GestureFactory(status=Gesture.Status.PENDING_APPROVAL)
    customer = CustomerFactory(external_id="C-TABLE")
    return {
        "case": case.reference,
        "root_cause": RootCauseFactory().pk,
        "gesture": pending.pk,
        "customer": customer.external_id,
        "customer_id": customer.pk,
    }


@pytest.fixture
def callers(agent, other_agent, manager, intake_user, admin_user):
    return {
        "anonymous": None,
        "intake": intake_user,
        "agent": agent,
        "other agent": other_agent,
        "manager": _staff(manager),
        "admin": admin_user,
    }


def _staff(user):
    user.is_staff = True  # as `accounts.grant_role` makes every manager
    user.save(update_fields=["is_staff"])
    return user


@pytest.mark.parametrize(
    ("kind", "method", "path", "body", "caller", "expected"),
    [*table_params(API, "api", CALLERS), *table_params(PAGES, "page", CALLERS)],
)
def test_access(kind, method, path, body, caller, expected, world, callers, api_client):
    user = callers[caller]
    if kind == "api":
        client = api_client(user)
        response = getattr(client, method.lower())(fill(path, world), fill(body, world), format="json")
    else:
        client = Client()
        if user is not None:
            client.force_login(user)
        if body is None:
            response = client.generic(method, fill(path, world))
        else:  # a form post, as the browser sends it
            response = client.post(fill(path, world), fill(body, world))

    assert response.status_code == expected, response.content[:300]
