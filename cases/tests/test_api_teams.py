"""The teams contract: /api/v1/teams/, /api/v1/routing-rules/, /api/v1/agents/{username}/, and `team` on
every case."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from cases.models import CaseEvent, Notice, Notification, RecoveryCase
from cases.notices import preferences
from cases.teams.models import AgentStatus, RoutingRule, Team
from cases.tests.factories import RecoveryCaseFactory

pytestmark = pytest.mark.django_db

TEAMS = "/api/v1/teams/"
RULES = "/api/v1/routing-rules/"


@pytest.fixture
def care(agent, other_agent, manager):
    team = Team.objects.create(name="Care", slug="care")
    team.members.set([agent, other_agent])
    team.leads.set([manager])
    return team


# Teams ------------------------------------------------------------------------------------------------


def test_a_manager_makes_a_team_and_reads_it_back(api_client, manager, agent, other_agent):
    body = {
        "name": "Deliveries",
        "slug": "deliveries",
        "members": ["bob", "agent"],
        "leads": ["manager"],
        "assignment": "least_open",
        "max_open_per_agent": 5,
        "default": True,
    }

    made = api_client(manager).post(TEAMS, body, format="json")

    expected = {**body, "members": ["agent", "bob"]}
    assert made.status_code == 201, made.json()
    assert made.json() == expected
    assert api_client(manager).get(TEAMS + "deliveries/").json() == expected
    assert api_client(manager).get(TEAMS).json() == [expected]


def test_a_team_made_without_leads_is_led_by_the_manager_who_made_it(api_client, manager):
    made = api_client(manager).post(TEAMS, {"name": "Care", "slug": "care"}, format="json")

    assert made.status_code == 201
    assert made.json()["leads"] == ["manager"]
    assert made.json()["assignment"] == "round_robin"
    assert made.json()["max_open_per_agent"] is None
    assert made.json()["default"] is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Care", "slug": "care", "members": ["agent", "nobody"]}, "members"),
        ({"name": "Care", "slug": "care", "leads": ["ghost"]}, "leads"),
        ({"name": "Care", "slug": "care", "leads": ["agent"]}, "leads"),  # an agent is no lead manager
        ({"name": "Care", "slug": "care", "leads": []}, "leads"),
        ({"name": "Care", "slug": "care", "assignment": "random"}, "assignment"),
        ({"name": "Care", "slug": "care", "max_open_per_agent": 0}, "max_open_per_agent"),
        ({"name": "Care", "slug": "care", "max_open_per_agent": "3"}, "max_open_per_agent"),
        ({"name": "Care", "slug": "no spaces"}, "slug"),
        ({"name": "Care"}, "slug"),
        ({"slug": "care"}, "name"),
        ({"name": "Care", "slug": "care", "colour": "red"}, "colour"),
    ],
)
def test_a_bad_team_is_a_400_naming_the_field_and_stores_nothing(api_client, manager, agent, body, field):
    refused = api_client(manager).post(TEAMS, body, format="json")

    assert refused.status_code == 400
    assert field in refused.json(), refused.json()
    assert not Team.objects.exists()


def test_a_second_default_team_is_a_400_naming_default(api_client, manager, care):
    Team.objects.create(name="Main", slug="main", is_default=True)

    made = api_client(manager).post(TEAMS, {"name": "Other", "slug": "other", "default": True}, format="json")
    changed = api_client(manager).patch(TEAMS + "care/", {"default": True}, format="json")

    assert (made.status_code, changed.status_code) == (400, 400)
    assert "default" in made.json() and "default" in changed.json()
    assert list(Team.objects.filter(is_default=True).values_list("slug", flat=True)) == ["main"]


def test_a_taken_slug_is_a_400_naming_slug(api_client, manager, care):
    refused = api_client(manager).post(TEAMS, {"name": "Care two", "slug": "care"}, format="json")

    assert refused.status_code == 400 and "slug" in refused.json()


def test_patch_changes_only_what_it_names(api_client, manager, care, agent):
    changed = api_client(manager).patch(
        TEAMS + "care/", {"members": ["agent"], "assignment": "manual"}, format="json"
    )

    assert changed.status_code == 200
    assert changed.json() == {
        "name": "Care",
        "slug": "care",
        "members": ["agent"],
        "leads": ["manager"],
        "assignment": "manual",
        "max_open_per_agent": None,
        "default": False,
    }


def test_agents_may_not_run_teams(api_client, agent, care):
    client = api_client(agent)

    assert client.get(TEAMS).status_code == 403
    assert client.post(TEAMS, {"name": "Mine", "slug": "mine"}, format="json").status_code == 403
    assert client.patch(TEAMS + "care/", {"assignment": "manual"}, format="json").status_code == 403
    assert client.delete(TEAMS + "care/").status_code == 403
    assert client.get(RULES).status_code == 403


def test_an_unknown_team_is_a_404(api_client, manager):
    assert api_client(manager).get(TEAMS + "nope/").status_code == 404
    assert api_client(manager).delete(TEAMS + "nope/").status_code == 404


def test_deleting_a_team_moves_its_cases_to_no_team_with_an_event_on_each(api_client, manager, care, agent):
    cases = [RecoveryCaseFactory(team=care, owner=agent), RecoveryCaseFactory(team=care)]
    elsewhere = RecoveryCaseFactory()

    deleted = api_client(manager).delete(TEAMS + "care/")

    assert deleted.status_code == 204
    assert not Team.objects.exists()
    for case in cases:
        case.refresh_from_db()
        assert (case.team_id, case.owner_id) == (None, agent.pk if case == cases[0] else None)
        event = case.events.get(kind=CaseEvent.Kind.TEAM_CHANGED)
        assert (event.actor, event.data) == (manager, {"from": "care", "to": None})
    assert not elsewhere.events.filter(kind=CaseEvent.Kind.TEAM_CHANGED).exists()


# Routing rules -------------------------------------------------------------------------------------------


def test_a_manager_adds_rules_that_go_last_unless_placed(api_client, manager, care):
    client = api_client(manager)

    first = client.post(RULES, {"team": "care", "conditions": {"touchpoint": ["checkout"]}}, format="json")
    second = client.post(
        RULES, {"team": "care", "conditions": {"words": ["refund"], "severity": ["high"]}}, format="json"
    )
    placed = client.post(
        RULES, {"team": "care", "position": 0, "conditions": {"channel": ["app"]}}, format="json"
    )

    assert (first.status_code, second.status_code, placed.status_code) == (201, 201, 201)
    assert first.json() == {
        "id": first.json()["id"],
        "position": 1,
        "team": "care",
        "conditions": {"touchpoint": ["checkout"]},
    }
    assert second.json()["position"] == 2
    listed = client.get(RULES).json()
    assert [rule["id"] for rule in listed] == [placed.json()["id"], first.json()["id"], second.json()["id"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"team": "care", "conditions": {"weather": ["rain"]}}, "conditions"),
        ({"team": "care", "conditions": {}}, "conditions"),
        ({"team": "care", "conditions": {"touchpoint": []}}, "conditions"),
        ({"team": "care", "conditions": {"words": "refund"}}, "conditions"),
        ({"team": "care", "conditions": ["refund"]}, "conditions"),
        ({"team": "care"}, "conditions"),
        ({"team": "ghosts", "conditions": {"words": ["refund"]}}, "team"),
        ({"conditions": {"words": ["refund"]}}, "team"),
        ({"team": "care", "position": -1, "conditions": {"words": ["refund"]}}, "position"),
        ({"team": "care", "conditions": {"words": ["refund"]}, "stop": True}, "stop"),
    ],
)
def test_a_bad_rule_is_a_400_naming_the_field(api_client, manager, care, body, field):
    refused = api_client(manager).post(RULES, body, format="json")

    assert refused.status_code == 400
    assert field in refused.json(), refused.json()
    assert not RoutingRule.objects.exists()


def test_an_unknown_condition_key_is_named_in_the_message(api_client, manager, care):
    refused = api_client(manager).post(
        RULES, {"team": "care", "conditions": {"weather": ["rain"]}}, format="json"
    )

    assert "'weather'" in refused.json()["conditions"][0]


def test_a_rule_is_changed_and_deleted(api_client, manager, care):
    rule = RoutingRule.objects.create(position=1, team=care, conditions={"words": ["refund"]})
    client = api_client(manager)

    changed = client.patch(f"{RULES}{rule.pk}/", {"conditions": {"segment": ["vip"]}}, format="json")
    emptied = client.patch(f"{RULES}{rule.pk}/", {"conditions": {}}, format="json")
    deleted = client.delete(f"{RULES}{rule.pk}/")

    assert changed.json()["conditions"] == {"segment": ["vip"]}
    assert emptied.status_code == 400 and "conditions" in emptied.json()
    assert deleted.status_code == 204
    assert client.get(f"{RULES}{rule.pk}/").status_code == 404


# Agents' away status ----------------------------------------------------------------------------------------


def test_an_agent_marks_themself_away_and_back(api_client, agent):
    until = "2030-01-02T09:00:00+01:00"

    away = api_client(agent).patch("/api/v1/agents/agent/", {"away_until": until}, format="json")
    back = api_client(agent).patch("/api/v1/agents/agent/", {"away_until": None}, format="json")

    assert away.status_code == 200, away.json()
    assert away.json()["username"] == "agent"
    assert datetime.fromisoformat(away.json()["away_until"]) == datetime(2030, 1, 2, 8, 0, tzinfo=UTC)
    assert back.json()["away_until"] is None
    assert AgentStatus.objects.get(user=agent).away_until is None


def test_a_manager_may_mark_an_agent_away_and_another_agent_may_not(api_client, agent, other_agent, manager):
    body = {"away_until": "2030-01-02T09:00:00Z"}

    assert api_client(manager).patch("/api/v1/agents/agent/", body, format="json").status_code == 200
    assert api_client(other_agent).patch("/api/v1/agents/agent/", body, format="json").status_code == 403
    assert api_client(manager).patch("/api/v1/agents/nobody/", body, format="json").status_code == 404


@pytest.mark.parametrize("body", [{"away_until": "soon"}, {}, {"away_until": None, "mood": "tired"}])
def test_a_bad_away_status_is_a_400(api_client, agent, body):
    refused = api_client(agent).patch("/api/v1/agents/agent/", body, format="json")

    assert refused.status_code == 400
    assert set(refused.json()) & {"away_until", "mood"}


def test_going_away_returns_untouched_new_cases_to_the_team_pool(api_client, agent, care):
    untouched = RecoveryCaseFactory(team=care, owner=agent)
    noted = RecoveryCaseFactory(team=care, owner=agent)
    noted.events.create(kind=CaseEvent.Kind.NOTE, actor=agent, message="Called them.")
    acknowledged = RecoveryCaseFactory(team=care, owner=agent, acknowledged=True)
    no_team = RecoveryCaseFactory(owner=agent)

    api_client(agent).patch(
        "/api/v1/agents/agent/",
        {"away_until": (timezone.now() + timedelta(days=3)).isoformat()},
        format="json",
    )

    owners = dict(RecoveryCase.objects.values_list("pk", "owner_id"))
    assert owners == {untouched.pk: None, noted.pk: agent.pk, acknowledged.pk: agent.pk, no_team.pk: agent.pk}
    event = untouched.events.get(kind=CaseEvent.Kind.ASSIGNED)
    assert (event.actor, event.data["by"], event.data["from"]) == (agent, "away", agent.pk)


# Cases show their team ------------------------------------------------------------------------------------


def test_every_case_representation_names_its_team_and_the_list_filters_by_it(api_client, agent, care):
    mine = RecoveryCaseFactory(team=care)
    nobodys = RecoveryCaseFactory()
    client = api_client(agent)

    listed = {row["reference"]: row["team"] for row in client.get("/api/v1/cases/").json()["results"]}
    detail = client.get(f"/api/v1/cases/{mine.reference}/").json()
    by_team = client.get("/api/v1/cases/?team=care").json()["results"]
    no_team = client.get("/api/v1/cases/?team=none").json()["results"]

    assert listed == {mine.reference: "care", nobodys.reference: None}
    assert detail["team"] == "care"
    assert [row["reference"] for row in by_team] == [mine.reference]
    assert [row["reference"] for row in no_team] == [nobodys.reference]
    assert client.get("/api/v1/cases/?team=a b").status_code == 400


def test_a_manager_reassigning_a_case_tells_both_agents(api_client, manager, agent, other_agent, care):
    case = RecoveryCaseFactory(team=care, owner=agent)
    client = api_client(manager)
    etag = client.get(f"/api/v1/cases/{case.reference}/")["ETag"]

    changed = client.patch(
        f"/api/v1/cases/{case.reference}/", {"owner": other_agent.pk}, format="json", HTTP_IF_MATCH=etag
    )

    assert changed.status_code == 200, changed.json()
    assert list(Notice.objects.filter(user=other_agent).values_list("kind", flat=True)) == ["assigned"]
    assert list(Notice.objects.filter(user=agent).values_list("kind", flat=True)) == ["reassigned"]
    event = case.events.get(kind=CaseEvent.Kind.ASSIGNED)
    assert (event.actor, event.data) == (manager, {"from": agent.pk, "to": other_agent.pk})


def test_assignment_and_reassignment_are_emailed_by_default_and_not_once_turned_off(
    api_client, manager, agent, other_agent, care
):
    agent.email, other_agent.email = "alice@example.com", "bob@example.com"
    agent.save()
    other_agent.save()
    preferences.set_email_choices(user=agent, choices={Notice.Kind.REASSIGNED: False})
    case = RecoveryCaseFactory(team=care, owner=agent)
    client = api_client(manager)
    etag = client.get(f"/api/v1/cases/{case.reference}/")["ETag"]

    client.patch(
        f"/api/v1/cases/{case.reference}/", {"owner": other_agent.pk}, format="json", HTTP_IF_MATCH=etag
    )

    emails = Notification.objects.filter(case=case, template="case_assignment")
    assert list(emails.values_list("recipient", flat=True)) == ["bob@example.com"]
    assert f"Maria assigned {case.reference} to you" in emails.get().body


def test_the_teams_endpoints_are_in_the_schema(api_client, manager):
    schema = api_client(manager).get("/api/v1/schema/?format=json").json()

    for path in (
        "/api/v1/teams/",
        "/api/v1/teams/{slug}/",
        "/api/v1/routing-rules/",
        "/api/v1/agents/{username}/",
    ):
        assert path in schema["paths"], path
    assert "team" in schema["components"]["schemas"]["CaseOut"]["properties"]
