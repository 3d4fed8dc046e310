"""The landing page in Debian's Chromium on the live server: its links, reached with a mouse or a keyboard."""

import pytest

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
