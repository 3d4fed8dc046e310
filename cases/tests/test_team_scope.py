"""Who sees which team's cases: every case page and endpoint, by five callers, in one table.

The world: teams A and B. `{case}` belongs to team A and to its agent (agent A); `{free}` is team A's
and nobody's yet. Agent B is in team B, the lead manager leads team B only, one manager is in no team,
and the admin is a superuser. So agent B and the lead see neither case (404, as if none existed: a
403 would say that it does), the rest see both.

A status in the table is what the caller gets. A list row says instead whether the case is LISTED in
the answer (a 200 that names it) or HIDDEN (a 200 that does not).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cases.models import Attachment, CaseEvent, Gesture, Message, Notice, RecoveryCase, Stage
from cases.teams.models import Team
from cases.teams.scope import case_scope, may_see
from cases.tests.factories import GestureFactory, RecoveryCaseFactory, RootCauseFactory
from conftest import make_user
from feedback.tests.factories import CustomerFactory, FeedbackFactory
from recovery.roles import Role
from recovery.tests.tables import fill, table_params

pytestmark = pytest.mark.django_db

CALLERS = ("agent A", "agent B", "lead of B", "manager", "admin")
LISTED, HIDDEN = "listed", "hidden"
SEEN = (LISTED, HIDDEN, HIDDEN, LISTED, LISTED)  # a list, as each caller gets it
MANAGERS_SEE = (403, 403, HIDDEN, LISTED, LISTED)  # a managers' page

NOTE = {"body": "Called the customer back."}
GESTURE = {"kind": "gift", "amount": "5.00", "currency": "EUR"}

# method, path, body: agent A, agent B, lead of B, manager, admin
API = [
    ("GET", "/api/v1/cases/", None, SEEN),
    ("GET", "/api/v1/cases/?q={case}", None, SEEN),
    ("GET", "/api/v1/cases/?stage=new&severity=medium", None, SEEN),
    ("GET", "/api/v1/cases/{case}/", None, (200, 404, 404, 200, 200)),
    ("PATCH", "/api/v1/cases/{case}/", {"title": "Renamed"}, (200, 404, 404, 200, 200)),
    ("POST", "/api/v1/cases/{case}/actions/acknowledge/", {}, (200, 404, 404, 200, 200)),
    ("GET", "/api/v1/cases/{case}/events/", None, (200, 404, 404, 200, 200)),
    ("POST", "/api/v1/cases/{case}/notes/", NOTE, (201, 404, 404, 201, 201)),
    ("GET", "/api/v1/cases/{case}/messages/", None, (200, 404, 404, 200, 200)),
    ("POST", "/api/v1/cases/{case}/messages/", {"body": "We are on it."}, (201, 404, 404, 201, 201)),
    ("POST", "/api/v1/cases/{case}/gestures/", GESTURE, (201, 404, 404, 201, 201)),
    ("POST", "/api/v1/cases/{free}/actions/acknowledge/", {}, (200, 404, 404, 200, 200)),
    # Not found before the role is asked: agent B learns nothing of a gesture of team A.
    ("POST", "/api/v1/gestures/{gesture}/approve/", {}, (403, 404, 404, 200, 200)),
    ("POST", "/api/v1/gestures/{gesture}/reject/", {}, (403, 404, 404, 200, 200)),
    ("POST", "/api/v1/root-causes/{root_cause}/cases/", {"case": "{case}"}, (200, 404, 404, 200, 200)),
    ("DELETE", "/api/v1/root-causes/{root_cause}/cases/{case}/", None, (204, 404, 404, 204, 204)),
    ("GET", "/api/v1/feedback/", None, SEEN),
    ("GET", "/api/v1/feedback/{feedback}/", None, (200, 404, 404, 200, 200)),
]

# Signed-in pages; a POST is a form post, as the browser sends it.
PAGES = [
    ("GET", "/", None, SEEN),  # the queue: team A's free case
    ("GET", "/?show=unassigned", None, SEEN),
    ("GET", "/cases/", None, SEEN),
    ("GET", "/cases/?q={case}", None, SEEN),  # search
    ("GET", "/cases/?stage=new&severity=medium", None, SEEN),  # a dashboard drill-down, a saved view
    ("GET", "/cases/export.csv", None, SEEN),
    ("GET", "/cases/{case}/", None, (200, 404, 404, 200, 200)),
    ("GET", "/cases/{case}/sla/", None, (200, 404, 404, 200, 200)),
    ("GET", "/cases/{case}/actions/note/", None, (200, 404, 404, 200, 200)),
    ("POST", "/cases/{case}/actions/note/", {"note": "Called back."}, (302, 404, 404, 302, 302)),
    ("POST", "/cases/{case}/actions/acknowledge/", {"version": "0"}, (302, 404, 404, 302, 302)),
    ("GET", "/cases/{free}/actions/acknowledge/", None, (200, 404, 404, 200, 200)),
    ("GET", "/cases/{case}/attachments/{attachment}/", None, (200, 404, 404, 200, 200)),
    ("GET", "/cases/{case}/messages/{message}/raw/", None, (200, 404, 404, 200, 200)),
    ("GET", "/customers/{customer_id}/", None, SEEN),
    ("GET", "/cases/new/customers/?q=jo@example.com", None, SEEN),
    ("GET", "/root-causes/{root_cause}/", None, SEEN),
    ("GET", "/gestures/pending/", None, MANAGERS_SEE),
    ("POST", "/gestures/{gesture}/decide/", {"decision": "reject"}, (403, 403, 404, 302, 302)),
    ("GET", "/notifications/", None, SEEN),
    # The admin: agents are sent to its sign-in; another team's case is "not found" there the admin's
    # way, a redirect to its index.
    ("GET", "/admin/cases/recoverycase/", None, (302, 302, HIDDEN, LISTED, LISTED)),
    ("GET", "/admin/cases/recoverycase/{case_pk}/change/", None, (302, 302, 302, 200, 200)),
    ("GET", "/admin/cases/gesture/", None, (302, 302, HIDDEN, LISTED, LISTED)),
]


@pytest.fixture
def people(django_user_model):
    made = {
        "agent A": make_user(django_user_model, "alice", Role.AGENT),
        "agent B": make_user(django_user_model, "bob", Role.AGENT),
        # Staff, as `accounts.grant_role` makes every manager.
        "lead of B": make_user(django_user_model, "lena", Role.MANAGER, is_staff=True),
        "manager": make_user(django_user_model, "maria", Role.MANAGER, is_staff=True),
        "admin": django_user_model.objects.create_superuser("root", password="pw-root"),
    }
    team_a = Team.objects.create(name="Team A", slug="a")
    team_a.members.add(made["agent A"])
    team_b = Team.objects.create(name="Team B", slug="b")
    team_b.members.add(made["agent B"])
    team_b.leads.add(made["lead of B"])
    made["team A"], made["team B"] = team_a, team_b
    return made


@pytest.fixture
def world(people):
    customer = CustomerFactory(email="jo@example.com")
    case = RecoveryCaseFactory(customer=customer, owner=people["agent A"], team=people["team A"])
    free = RecoveryCaseFactory(customer=customer, team=people["team A"])
    feedback = FeedbackFactory(customer=customer, case=case)
    inbound = Message.objects.create(
        case=case,
        direction=Message.Direction.INBOUND,
        status=Message.Status.RECEIVED,
        from_address=customer.email,
        to_address="reply@reply.localhost",
        subject="Charged twice",
        body="Nobody answers the phone.",
        message_id="<scope-1@example.com>",
        raw=SimpleUploadedFile("raw.eml", b"Subject: Charged twice\r\n\r\nNobody answers."),
    )
    attachment = Attachment.objects.create(
        message=inbound,
        file=SimpleUploadedFile("receipt.pdf", b"%PDF-1.4"),
        name="receipt.pdf",
        size=8,
        content_type="application/pdf",
    )
    root_cause = RootCauseFactory()
    root_cause.cases.add(case)
    gesture = GestureFactory(
        case=case, status=Gesture.Status.PENDING_APPROVAL, requested_by=people["agent A"]
    )
    for caller in CALLERS:
        Notice.objects.create(user=people[caller], kind="gesture_approved", case=case, text="Gesture decided")
    return {
        "case": case.reference,
        "case_pk": case.pk,
        "free": free.reference,
        "feedback": feedback.pk,
        "message": inbound.pk,
        "attachment": attachment.pk,
        "root_cause": root_cause.pk,
        "gesture": gesture.pk,
        "customer_id": customer.pk,
    }


def _marker(kind: str, path: str, world: dict) -> str:
    """What names the case in a list's answer (spaces removed), and nowhere else: a page echoes the
    searched reference back in its form, so a page names a case by its link."""
    # The queue shows the free case; the new-case lookup names the customer's newest open case.
    reference = world["free"] if path.split("?")[0] in ("/", "/cases/new/customers/") else world["case"]
    if path.startswith("/api/v1/feedback/"):
        return f'"id":{world["feedback"]},'
    if kind == "api":
        return f'"reference":"{reference}"'
    if path.startswith("/notifications/"):
        return "Gesturedecided"
    if path.startswith(("/cases/export.csv", "/admin/")):
        return reference
    return f"/cases/{reference}/"


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode()


@pytest.mark.parametrize(
    ("kind", "method", "path", "body", "caller", "expected"),
    [*table_params(API, "api", CALLERS), *table_params(PAGES, "page", CALLERS)],
)
def test_scope(kind, method, path, body, caller, expected, world, people, api_client):
    user = people[caller]
    url = fill(path, world)
    if kind == "api":
        etag = f'"{world["case_pk"]}-0"'
        client = api_client(user)
        response = getattr(client, method.lower())(url, fill(body, world), format="json", HTTP_IF_MATCH=etag)
    else:
        client = Client()
        client.force_login(user)
        # A POST is a form post, as the browser sends it.
        response = client.generic(method, url) if body is None else client.post(url, fill(body, world))

    if expected in (LISTED, HIDDEN):
        assert response.status_code == 200, _body(response)[:300]
        shown = _marker(kind, path, world)
        assert (shown in _body(response).replace(" ", "")) == (expected == LISTED), shown
    else:
        assert response.status_code == expected, _body(response)[:300]


def test_another_teams_case_is_left_untouched_by_every_refused_call(world, people, api_client):
    client = api_client(people["agent B"])
    ref = world["case"]

    client.post(f"/api/v1/cases/{ref}/actions/acknowledge/", {}, format="json")
    client.post(f"/api/v1/cases/{ref}/notes/", NOTE, format="json")
    client.post(f"/api/v1/cases/{ref}/gestures/", GESTURE, format="json")

    case = RecoveryCase.objects.get(pk=world["case_pk"])
    assert (case.stage, case.version, case.events.count(), case.gestures.count()) == (Stage.NEW, 0, 0, 1)


def test_bulk_actions_refuse_another_teams_cases_as_not_found_and_do_the_others(world, people):
    mine = RecoveryCaseFactory(team=people["team B"])
    client = Client()
    client.force_login(people["agent B"])

    ticked = {"action": "acknowledge", "case": [world["case"], mine.reference], "next": "/"}
    response = client.post("/cases/bulk/", ticked, follow=True)

    said = [str(message) for message in response.context["messages"]]
    assert said == ["1 acknowledged; 1 refused.", f"There is no case {world['case']}."]
    assert RecoveryCase.objects.get(pk=world["case_pk"]).stage == Stage.NEW
    mine.refresh_from_db()
    assert (mine.stage, mine.owner) == (Stage.ACKNOWLEDGED, people["agent B"])


@pytest.mark.parametrize("action", ["acknowledge", "hold", "assign"])
def test_no_bulk_refusal_tells_of_another_teams_case_its_stage_or_owner(people, action):
    theirs = RecoveryCaseFactory(team=people["team A"], owner=people["agent A"], acknowledged=True)
    client = Client()
    client.force_login(people["agent B"])

    ticked = {"action": action, "case": [theirs.reference], "reason": "Waiting", "next": "/"}
    ticked |= {"owner": people["agent B"].pk} if action == "assign" else {}
    response = client.post("/cases/bulk/", ticked, follow=True)

    said = [str(message) for message in response.context["messages"]]
    assert said[1:] == [f"There is no case {theirs.reference}."]
    theirs.refresh_from_db()
    assert (theirs.stage, theirs.owner, theirs.version) == (Stage.ACKNOWLEDGED, people["agent A"], 0)


def test_a_lead_sees_and_works_their_teams_cases(world, people, api_client):
    theirs = RecoveryCaseFactory(team=people["team B"], owner=people["agent B"])
    client = api_client(people["lead of B"])

    listed = [row["reference"] for row in client.get("/api/v1/cases/").json()["results"]]
    acted = client.post(f"/api/v1/cases/{theirs.reference}/actions/acknowledge/", {}, format="json")

    assert listed == [theirs.reference]
    assert acted.status_code == 200
    assert acted.json()["owner"]["id"] == people["agent B"].pk  # a manager acts without taking the case


def test_a_case_with_no_team_is_everyones(people, api_client):
    nobodys = RecoveryCaseFactory(team=None)

    for caller in CALLERS:
        response = api_client(people[caller]).get(f"/api/v1/cases/{nobodys.reference}/")
        assert response.status_code == 200, caller


def test_an_agent_keeps_seeing_the_cases_they_own_in_another_team(people, api_client):
    moved = RecoveryCaseFactory(team=people["team B"], owner=people["agent A"])

    response = api_client(people["agent A"]).get(f"/api/v1/cases/{moved.reference}/")

    assert response.status_code == 200


def test_an_agents_queue_holds_their_own_cases_and_their_teams_unassigned_ones(people):
    agent = people["agent A"]
    own_elsewhere = RecoveryCaseFactory(team=people["team B"], owner=agent)
    teams_free = RecoveryCaseFactory(team=people["team A"])
    nobodys_free = RecoveryCaseFactory(team=None)
    RecoveryCaseFactory(team=people["team A"], owner=people["manager"])  # a colleague's
    RecoveryCaseFactory(team=people["team B"])  # another team's pool
    client = Client()
    client.force_login(agent)

    shown = {case.pk for case in client.get("/").context["cases"]}

    assert shown == {own_elsewhere.pk, teams_free.pk, nobodys_free.pk}


def test_an_agent_in_no_team_sees_the_cases_of_no_team_once_teams_exist(people, django_user_model):
    loner = make_user(django_user_model, "lone", Role.AGENT)
    teamless, teamed = RecoveryCaseFactory(team=None), RecoveryCaseFactory(team=people["team A"])

    seen = set(RecoveryCase.objects.filter(case_scope(loner)).values_list("pk", flat=True))

    assert seen == {teamless.pk}
    assert (may_see(loner, teamless), may_see(loner, teamed)) == (True, False)


def test_while_no_team_exists_everyone_sees_everything(agent, other_agent):
    case = RecoveryCaseFactory(owner=other_agent)

    assert RecoveryCase.objects.filter(case_scope(agent)).get() == case
    assert may_see(agent, case)


def test_the_scope_costs_one_small_query_per_request(people, django_assert_num_queries):
    agent = people["agent A"]
    RecoveryCaseFactory.create_batch(3, team=people["team A"])

    with django_assert_num_queries(1):
        case_scope(agent)
        case_scope(agent, through="case")
        may_see(agent, RecoveryCase(team=people["team B"]))

    with django_assert_num_queries(0):
        case_scope(people["admin"])


def test_the_timeline_of_a_team_case_records_nothing_for_a_refused_note(world, people):
    client = Client()
    client.force_login(people["agent B"])

    response = client.post(f"/cases/{world['case']}/actions/note/", {"note": "Peek"})

    assert response.status_code == 404
    assert not CaseEvent.objects.filter(case_id=world["case_pk"]).exists()
