"""`/teams/`: managers run teams and rules in the workspace; agents set their own away status."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import FAR_FUTURE
from cases.teams.models import AgentStatus, RoutingRule, Team
from cases.tests.factories import RecoveryCaseFactory
from conftest import signed_in
from feedback.tests.factories import FeedbackFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def care(agent, other_agent, manager):
    team = Team.objects.create(name="Care", slug="care", max_open_per_agent=4)
    team.members.set([agent, other_agent])
    team.leads.set([manager])
    return team


def recent_case(touchpoint, comment, *, days_ago=1):
    case = RecoveryCaseFactory()
    feedback = FeedbackFactory(case=case, customer=case.customer, touchpoint=touchpoint, comment=comment)
    case.originating_feedback = feedback
    case.created_at = timezone.now() - timedelta(days=days_ago)
    case.save()
    return case


def test_the_page_shows_members_their_away_status_and_the_mode(agent, other_agent, care):
    AgentStatus.objects.create(user=other_agent, away_until=FAR_FUTURE)
    RecoveryCaseFactory.create_batch(2, owner=agent)

    page = signed_in(agent).get("/teams/")

    text = page.content.decode()
    assert page.status_code == 200
    assert "Care" in text and "Round robin" in text and "at most 4 open cases per agent" in text
    assert "Away" in text and "Available" in text
    assert "Routing rules" not in text  # a manager's business


def test_each_rule_shows_how_many_of_the_last_30_days_cases_it_would_have_matched(manager, care):
    RoutingRule.objects.create(position=1, team=care, conditions={"touchpoint": ["checkout"]})
    RoutingRule.objects.create(position=2, team=care, conditions={"words": ["refund"]})
    recent_case("checkout", "I want a refund")
    recent_case("checkout", "Slow")
    recent_case("delivery", "Refund now")
    recent_case("checkout", "Refund", days_ago=40)  # too old to count

    page = signed_in(manager).get("/teams/")

    counts = [row[1] for row in page.context["rules"]]
    assert counts == [2, 2]


def test_the_live_preview_counts_what_the_conditions_typed_so_far_match(manager, care):
    recent_case("checkout", "I want a refund")
    recent_case("delivery", "Late")

    preview = signed_in(manager).post(
        "/teams/rules/preview/", {"touchpoint": "checkout, delivery", "words": ""}
    )

    assert "Would have matched 2 of the last 30 days" in preview.content.decode()


def test_a_manager_makes_a_team_and_a_rule_in_the_workspace(manager, agent):
    client = signed_in(manager)

    made = client.post(
        "/teams/new/",
        {
            "name": "Billing",
            "slug": "billing",
            "members": ["agent"],
            "leads": ["manager"],
            "assignment": "least_open",
        },
    )
    rule = client.post("/teams/rules/", {"team": "billing", "words": "refund, charged twice"})

    assert made.status_code == 302 and rule.status_code == 302
    team = Team.objects.get(slug="billing")
    assert (team.assignment, list(team.members.all())) == ("least_open", [agent])
    assert RoutingRule.objects.get().conditions == {"words": ["refund", "charged twice"]}


def test_a_refused_team_keeps_what_was_typed_and_names_the_field(manager, care):
    page = signed_in(manager).post(
        "/teams/new/", {"name": "Care again", "slug": "care", "assignment": "manual"}
    )

    assert page.status_code == 422
    assert "Another team has the slug" in str(page.context["form"].errors["slug"])
    assert 'value="Care again"' in page.content.decode()


def test_an_empty_rule_is_refused_with_the_reason(manager, care):
    page = signed_in(manager).post("/teams/rules/", {"team": "care"})

    assert page.status_code == 422
    assert "at least one condition" in page.content.decode()
    assert not RoutingRule.objects.exists()


def order() -> list[tuple[str, int]]:
    return [
        (rule.conditions["words"][0], rule.position)
        for rule in RoutingRule.objects.order_by("position", "id")
    ]


def test_a_manager_moves_a_rule_up_and_down_and_the_order_is_renumbered(manager, care):
    for word, position in (("late", 5), ("refund", 5), ("rude", 9)):  # the API allows gaps and ties
        RoutingRule.objects.create(team=care, position=position, conditions={"words": [word]})
    client = signed_in(manager)
    rude = RoutingRule.objects.get(conditions__words=["rude"])
    late = RoutingRule.objects.get(conditions__words=["late"])

    page = client.get("/teams/").content.decode()
    assert "Move rule #9 up" in page and "Move rule #9 down" not in page  # the last has nowhere lower
    assert "Move rule #5 down" in page

    moved = client.post(f"/teams/rules/{rude.pk}/move/", {"direction": "up"})
    assert moved.status_code == 302 and moved["Location"] == "/teams/#rules"
    assert order() == [("late", 1), ("rude", 2), ("refund", 3)]
    client.post(f"/teams/rules/{late.pk}/move/", {"direction": "up"})  # already first: it stays
    client.post(f"/teams/rules/{late.pk}/move/", {"direction": "down"})
    assert order() == [("rude", 1), ("late", 2), ("refund", 3)]

    assert client.post(f"/teams/rules/{late.pk}/move/", {"direction": "sideways"}).status_code == 400
    assert client.post("/teams/rules/999999/move/", {"direction": "up"}).status_code == 404
    assert (
        signed_in(care.members.first()).post(f"/teams/rules/{late.pk}/move/", {"direction": "up"}).status_code
        == 403
    )
    assert order() == [("rude", 1), ("late", 2), ("refund", 3)]


def test_agents_cannot_open_the_managers_team_pages(agent, care):
    client = signed_in(agent)

    assert client.get("/teams/new/").status_code == 403
    assert client.get("/teams/care/").status_code == 403
    assert client.post("/teams/care/delete/").status_code == 403


def test_an_agent_marks_themself_away_and_back_in_the_workspace(agent, care):
    client = signed_in(agent)

    client.post("/teams/away/", {"away": "1", "away_until": ""})
    away = AgentStatus.objects.get(user=agent).away_until
    client.post("/teams/away/", {"back": "1"})

    assert away == FAR_FUTURE
    assert AgentStatus.objects.get(user=agent).away_until is None


def test_deleting_a_team_in_the_workspace_leaves_its_cases_with_no_team(manager, care):
    case = RecoveryCaseFactory(team=care)

    signed_in(manager).post("/teams/care/delete/")

    case.refresh_from_db()
    assert case.team_id is None and not Team.objects.exists()


def test_a_manager_marks_a_member_away_and_their_untouched_new_cases_return_to_the_pool(manager, agent, care):
    waiting = RecoveryCaseFactory(team=care, owner=agent)

    signed_in(manager).post("/teams/away/agent/", {"away": "1"})
    away = AgentStatus.objects.get(user=agent).away_until
    signed_in(manager).post("/teams/away/agent/", {"back": "1"})

    waiting.refresh_from_db()
    assert away == FAR_FUTURE and waiting.owner_id is None
    assert AgentStatus.objects.get(user=agent).away_until is None
    assert signed_in(agent).post("/teams/away/bob/", {"away": "1"}).status_code == 403


def test_an_unreadable_away_moment_keeps_the_text_and_says_why_next_to_the_field(agent, care):
    page = signed_in(agent).post("/teams/away/", {"away": "1", "away_until": "next tuesday"})

    assert page.status_code == 422
    assert page.context["away_form"].errors["away_until"]
    assert 'value="next tuesday"' in page.content.decode()
    assert not AgentStatus.objects.filter(user=agent).exists()


def test_the_case_screen_names_the_case_team(agent, care):
    case = RecoveryCaseFactory(team=care)

    page = signed_in(agent).get(f"/cases/{case.reference}/")

    assert "Team: <strong>Care</strong>" in page.content.decode()
