"""Saved views in Chromium: save a filtered All cases, find it in the nav, correct a name, delete it."""

import pytest

from cases.models import SavedView, Severity
from cases.tests.factories import RecoveryCaseFactory
from conftest import screenshot, serious_accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_saves_a_view_for_everyone_and_an_agent_opens_it_from_the_nav(
    browser, page, sign_in, manager, agent
):
    high = RecoveryCaseFactory(severity=Severity.HIGH, title="Charged twice")
    RecoveryCaseFactory(severity=Severity.LOW, title="Waited 50 minutes")
    base = sign_in(page, manager)
    page.goto(base + "/cases/?severity=high")

    page.get_by_text("Save this view").click()
    page.get_by_label("Name").fill("High severity")
    page.get_by_label("Show to everyone").check()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "saved-view-form")
    page.get_by_role("button", name="Save view").click()
    page.get_by_text("Saved “High severity”: it is in everyone's nav, under Views.").wait_for()

    # The same name again is refused next to the field, the typed name kept.
    page.get_by_text("Save this view").click()
    page.get_by_label("Name").fill("high severity")
    page.get_by_role("button", name="Save view").click()
    error = page.locator("#view-name_error")
    error.wait_for()
    assert error.inner_text() == "You already have a view named “high severity”. Choose another name."
    assert page.get_by_label("Name").input_value() == "high severity"
    assert SavedView.objects.count() == 1
    assert serious_accessibility_violations(page) == []
    screenshot(page, "saved-view-duplicate-name")

    # An agent, elsewhere in the workspace, finds it in the nav.
    agents = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        agent_page = agents.new_page()
        agent_page.set_default_timeout(10_000)
        agent_page.goto(sign_in(agent_page, agent) + "/root-causes/")
        nav = agent_page.get_by_role("navigation", name="Main")
        nav.get_by_text("Views", exact=True).click()
        link = nav.get_by_role("link", name="High severity")
        link.wait_for()
        assert serious_accessibility_violations(agent_page) == []
        screenshot(agent_page, "saved-view-nav-menu")
        link.click()
        agent_page.wait_for_url("**/cases/?severity=high")
        assert agent_page.locator("tr.row-link th a").all_inner_texts() == [high.reference]
        assert agent_page.locator(".count-total").inner_text() == "1"
        nav.get_by_text("Views", exact=True).click()
        nav.locator('a[aria-current="page"]', has_text="High severity").wait_for()
    finally:
        agents.close()


def test_an_agent_saves_a_view_for_themselves_and_deletes_it(page, sign_in, agent):
    RecoveryCaseFactory(owner=agent)
    page.goto(sign_in(page, agent) + "/cases/?owner=me")

    page.get_by_text("Save this view").click()
    assert page.get_by_label("Show to everyone").count() == 0
    page.get_by_label("Name").fill("Mine")
    page.get_by_role("button", name="Save view").click()
    page.get_by_text("Saved “Mine”: it is in your nav, under Views.").wait_for()
    assert SavedView.objects.get().query == "owner=me"

    page.get_by_text("Save this view").click()
    page.get_by_role("button", name="Delete the view Mine").click()
    page.get_by_text("View deleted.").wait_for()
    assert not SavedView.objects.exists()
    page.get_by_role("navigation", name="Main").get_by_text("Views", exact=True).click()
    page.get_by_text("No saved views yet.").wait_for()
    screenshot(page, "saved-view-deleted")
