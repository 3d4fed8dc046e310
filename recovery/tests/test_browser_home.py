"""The landing page in Debian's Chromium on the live server: its links, reached with a mouse or a keyboard."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_landing_page_links_to_the_admin_and_the_api_docs(page, live_server):
    page.goto(live_server.url + "/")

    assert page.title() == "Mend · service recovery"
    cards = page.locator("a.card").all()
    hrefs = {card.locator("strong").inner_text(): card.get_attribute("href") for card in cards}
    assert hrefs == {
        "Recovery cases": "/admin/cases/recoverycase/",
        "Admin": "/admin/",
        "API docs": "/api/docs/",
        "Health": "/readyz",
    }


def test_tab_reaches_the_first_link_and_enter_follows_it_to_the_admin_sign_in(page, live_server):
    page.goto(live_server.url + "/")

    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")

    assert focused == "/admin/cases/recoverycase/"
    page.wait_for_url("**/admin/login/**")
    assert page.get_by_role("button", name="Log in").is_visible()


def test_every_link_on_the_landing_page_is_reachable_with_tab_in_reading_order(page, live_server):
    page.goto(live_server.url + "/")

    reached = []
    for _ in range(4):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.getAttribute('href')"))

    assert reached == ["/admin/cases/recoverycase/", "/admin/", "/api/docs/", "/readyz"]


def test_an_agent_signs_in_from_the_landing_page_and_acknowledges_a_case(page, live_server):
    from cases.devdata import demo
    from cases.models import RecoveryCase, Stage
    from cases.tests.factories import RecoveryCaseFactory

    login = next(login for login in demo.DEMO_LOGINS if login.username == "agent")
    agent = demo.ensure_login(login)
    case = RecoveryCaseFactory(title="Parcel arrived crushed")

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Recovery cases").click()
    page.get_by_label("Username").fill(login.username)
    page.get_by_label("Password").fill(login.password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/admin/cases/recoverycase/")
    row = page.locator("#result_list tr", has_text=case.title)
    expect(row).to_be_visible()
    row.get_by_role("checkbox").check()
    page.get_by_role("combobox", name="Action").select_option(label="Acknowledge")
    page.get_by_role("button", name="Go").click()

    expect(page.get_by_text("Acknowledged: 1 case.")).to_be_visible()
    case.refresh_from_db()
    assert (case.stage, case.owner) == (Stage.ACKNOWLEDGED, agent)
    assert RecoveryCase.objects.count() == 1
