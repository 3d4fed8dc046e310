"""/teams/ in Chromium: a manager sees a rule's live count while typing it and adds it; an agent marks
themself away and back."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.teams.models import AgentStatus, RoutingRule, Team
from cases.tests.factories import RecoveryCaseFactory
from conftest import screenshot, serious_accessibility_violations
from feedback.tests.factories import FeedbackFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def recent_case(touchpoint: str, comment: str):
    case = RecoveryCaseFactory()
    case.originating_feedback = FeedbackFactory(
        case=case, customer=case.customer, touchpoint=touchpoint, comment=comment
    )
    case.created_at = timezone.now() - timedelta(days=2)
    case.save()


def test_a_manager_sees_the_live_count_of_a_rule_before_adding_it(page, sign_in, manager, agent, other_agent):
    team = Team.objects.create(name="Deliveries", slug="deliveries", is_default=True, max_open_per_agent=8)
    team.members.set([agent, other_agent])
    team.leads.set([manager])
    AgentStatus.objects.create(user=other_agent, away_until=timezone.now() + timedelta(days=3))
    for comment in ("Parcel was late", "Late again", "Box crushed"):
        recent_case("delivery", comment)
    recent_case("checkout", "Charged twice")
    base = sign_in(page, manager)

    page.goto(base + "/teams/")
    page.get_by_label("Touchpoints").fill("delivery")
    expect(page.locator("#rule-preview")).to_contain_text("Would have matched 3 of the last 30 days' cases.")
    page.get_by_label("Words in the comment").fill("late")
    expect(page.locator("#rule-preview")).to_contain_text("Would have matched 2 of the last 30 days' cases.")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "teams-rule-preview")
    page.get_by_role("button", name="Add rule").click()

    expect(page.get_by_text("Routing rule added.")).to_be_visible()
    assert RoutingRule.objects.get().conditions == {"touchpoint": ["delivery"], "words": ["late"]}
    row = page.locator("tr", has_text="touchpoint: delivery")
    expect(row.locator("td").nth(3)).to_have_text("2")
    expect(page.locator("tr", has_text="Bob")).to_contain_text("Away until")
    screenshot(page, "teams-list")


def test_an_agent_marks_themself_away_and_back(page, sign_in, agent):
    Team.objects.create(name="Care", slug="care").members.set([agent])
    base = sign_in(page, agent)

    page.goto(base + "/teams/")
    page.get_by_role("button", name="Mark me away").click()

    expect(page.get_by_text("You are away until you come back.")).to_be_visible()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "teams-agent-away")
    page.get_by_role("button", name="I'm back").click()
    expect(page.get_by_text("You are available")).to_be_visible()
    assert AgentStatus.objects.get(user=agent).away_until is None
