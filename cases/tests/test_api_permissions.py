"""Who may do what over the case API, role by role. Every rule of the issue, spelled out."""

import pytest

from cases.models import Gesture, RecoveryCase, Stage
from cases.tests.factories import GestureFactory, RecoveryCaseFactory, RootCauseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(agent):
    case = RecoveryCaseFactory(owner=agent)
    return {
        "case": case,
        "gesture": GestureFactory(case=case, status="pending_approval", requested_by=agent),
        "root_cause": RootCauseFactory(),
    }


def every_endpoint(world):
    """(method, url, body) for each endpoint of the case API."""
    ref = world["case"].reference
    rc = world["root_cause"].pk
    gesture = world["gesture"].pk
    return [
        ("get", "/api/v1/cases/", None),
        ("post", "/api/v1/cases/", {"customer": "C-1", "title": "x", "severity": "low"}),
        ("get", f"/api/v1/cases/{ref}/", None),
        ("patch", f"/api/v1/cases/{ref}/", {"title": "x"}),
        ("post", f"/api/v1/cases/{ref}/actions/acknowledge/", {}),
        ("get", f"/api/v1/cases/{ref}/events/", None),
        ("post", f"/api/v1/cases/{ref}/notes/", {"body": "x"}),
        ("post", f"/api/v1/cases/{ref}/gestures/", {"kind": "gift", "amount": "5.00", "currency": "EUR"}),
        ("post", f"/api/v1/gestures/{gesture}/approve/", {}),
        ("post", f"/api/v1/gestures/{gesture}/reject/", {}),
        ("get", "/api/v1/root-causes/", None),
        ("post", "/api/v1/root-causes/", {"title": "x", "category": "process"}),
        ("get", f"/api/v1/root-causes/{rc}/", None),
        ("patch", f"/api/v1/root-causes/{rc}/", {"title": "y"}),
        ("post", f"/api/v1/root-causes/{rc}/cases/", {"case": ref}),
        ("delete", f"/api/v1/root-causes/{rc}/cases/{ref}/", None),
        ("get", "/api/v1/sla-policies/", None),
        ("get", "/api/v1/sla-policies/high/", None),
        ("patch", "/api/v1/sla-policies/high/", {"acknowledge_within": "PT2H"}),
    ]


def call(client, method, url, body):
    return getattr(client, method)(url, body, format="json", HTTP_IF_MATCH='"0-0"')


def test_unauthenticated_callers_get_401_everywhere(api_client, world):
    for method, url, body in every_endpoint(world):
        response = call(api_client(), method, url, body)
        assert response.status_code == 401, (method, url)
        assert response["WWW-Authenticate"].startswith("Token")


@pytest.mark.parametrize("user_fixture", ["intake_user", "outsider"])
def test_intake_clients_and_role_less_users_get_403_everywhere_and_change_nothing(
    request, api_client, world, user_fixture
):
    client = api_client(request.getfixturevalue(user_fixture))

    for method, url, body in every_endpoint(world):
        response = call(client, method, url, body)
        assert response.status_code == 403, (method, url)
        assert response.json()["detail"]

    case = world["case"]
    case.refresh_from_db()
    assert (case.stage, case.version, case.events.count()) == (Stage.NEW, 0, 0)
    assert Gesture.objects.get().status == "pending_approval"


# Agents: free cases and their own ---------------------------------------------------


def test_an_agent_acting_on_a_free_case_takes_it(api_client, agent):
    case = RecoveryCaseFactory()

    response = api_client(agent).post(
        f"/api/v1/cases/{case.reference}/actions/acknowledge/", {}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["owner"]["id"] == agent.pk


def test_an_agent_acts_on_their_own_case(api_client, agent):
    case = RecoveryCaseFactory(owner=agent, acknowledged=True)

    response = api_client(agent).post(
        f"/api/v1/cases/{case.reference}/actions/apologize/", {"note": "Sorry"}, format="json"
    )

    assert response.status_code == 200


def test_an_agent_cannot_act_on_another_agents_case(api_client, agent, other_agent):
    case = RecoveryCaseFactory(owner=other_agent)
    client = api_client(agent)
    ref = case.reference
    etag = f'"{case.pk}-0"'

    responses = [
        client.post(f"/api/v1/cases/{ref}/actions/acknowledge/", {}, format="json"),
        client.patch(f"/api/v1/cases/{ref}/", {"title": "Mine now"}, format="json", HTTP_IF_MATCH=etag),
        client.post(f"/api/v1/cases/{ref}/notes/", {"body": "x"}, format="json"),
        client.post(
            f"/api/v1/cases/{ref}/gestures/",
            {"kind": "gift", "amount": "5", "currency": "EUR"},
            format="json",
        ),
        client.post(f"/api/v1/root-causes/{RootCauseFactory().pk}/cases/", {"case": ref}, format="json"),
    ]

    assert [r.status_code for r in responses] == [403] * 5
    assert all("another agent" in r.json()["detail"] for r in responses)
    case.refresh_from_db()
    assert (case.stage, case.title, case.version, case.events.count()) == (Stage.NEW, case.title, 0, 0)


def test_an_agent_cannot_reassign_a_case(api_client, agent, other_agent):
    case = RecoveryCaseFactory(owner=agent)

    response = api_client(agent).patch(
        f"/api/v1/cases/{case.reference}/",
        {"owner": other_agent.pk},
        format="json",
        HTTP_IF_MATCH=f'"{case.pk}-0"',
    )

    assert response.status_code == 403
    assert "manager" in response.json()["detail"]
    case.refresh_from_db()
    assert (case.owner, case.version) == (agent, 0)


def test_an_agent_may_take_a_free_case_by_patch(api_client, agent):
    case = RecoveryCaseFactory()

    response = api_client(agent).patch(
        f"/api/v1/cases/{case.reference}/", {"owner": agent.pk}, format="json", HTTP_IF_MATCH=f'"{case.pk}-0"'
    )

    assert response.status_code == 200
    assert response.json()["owner"]["id"] == agent.pk


def test_an_agent_cannot_approve_or_reject_gestures(api_client, agent):
    gesture = GestureFactory(status="pending_approval", requested_by=agent)
    client = api_client(agent)

    for decision in ("approve", "reject"):
        response = client.post(f"/api/v1/gestures/{gesture.pk}/{decision}/", {}, format="json")
        assert response.status_code == 403
        assert "manager" in response.json()["detail"]
    gesture.refresh_from_db()
    assert gesture.status == "pending_approval"


def test_an_agent_reads_but_cannot_edit_sla_policies(api_client, agent):
    client = api_client(agent)

    assert client.get("/api/v1/sla-policies/high/").status_code == 200
    response = client.patch("/api/v1/sla-policies/high/", {"acknowledge_within": "PT2H"}, format="json")
    assert response.status_code == 403
    assert "manager" in response.json()["detail"]
    assert client.get("/api/v1/sla-policies/high/").json()["acknowledge_within"] == "01:00:00"


def test_an_agent_cannot_override_a_close(api_client, agent):
    case = RecoveryCaseFactory(owner=agent, acknowledged=True)

    response = api_client(agent).post(
        f"/api/v1/cases/{case.reference}/actions/close/", {"reason": "Duplicate"}, format="json"
    )

    assert response.status_code == 403
    body = response.json()
    assert "Only a manager" in body["detail"]
    assert (body["stage"], body["allowed_actions"]) == ("acknowledged", ["apologize", "hold"])
    case.refresh_from_db()
    assert case.stage == Stage.ACKNOWLEDGED


# Managers: every case --------------------------------------------------------------


def test_a_manager_acts_on_an_agents_case_without_taking_it(api_client, manager, agent):
    case = RecoveryCaseFactory(owner=agent)

    response = api_client(manager).post(
        f"/api/v1/cases/{case.reference}/actions/acknowledge/", {}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["owner"]["id"] == agent.pk


def test_a_manager_overrides_a_close_with_a_reason(api_client, manager, agent):
    case = RecoveryCaseFactory(owner=agent, acknowledged=True)
    client = api_client(manager)

    without_reason = client.post(f"/api/v1/cases/{case.reference}/actions/close/", {}, format="json")
    with_reason = client.post(
        f"/api/v1/cases/{case.reference}/actions/close/", {"reason": "Duplicate of RC-000001"}, format="json"
    )

    assert without_reason.status_code == 400 and "reason" in without_reason.json()
    assert with_reason.status_code == 200
    assert RecoveryCase.objects.get(pk=case.pk).close_reason == "Duplicate of RC-000001"


def test_a_manager_edits_another_agents_case_and_sla_policies(api_client, manager, agent):
    case = RecoveryCaseFactory(owner=agent)
    client = api_client(manager)

    edit = client.patch(
        f"/api/v1/cases/{case.reference}/",
        {"title": "Retitled"},
        format="json",
        HTTP_IF_MATCH=f'"{case.pk}-0"',
    )
    policy = client.patch("/api/v1/sla-policies/high/", {"acknowledge_within": "PT2H"}, format="json")
    note = client.post(f"/api/v1/cases/{case.reference}/notes/", {"body": "Checked"}, format="json")

    assert (edit.status_code, policy.status_code, note.status_code) == (200, 200, 201)
