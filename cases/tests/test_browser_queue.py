"""The queue and the case list as an agent meets them: Debian's Chromium on the live server."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from cases.models import Severity
from cases.tests.factories import RecoveryCaseFactory
from conftest import screenshot, serious_accessibility_violations
from feedback.tests.factories import CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cases(agent, other_agent):
    now = timezone.now()
    breached = RecoveryCaseFactory(
        owner=agent,
        severity=Severity.HIGH,
        title="Charged twice at checkout",
        sla_started_at=now - timedelta(hours=3),
        customer=CustomerFactory(name="Tom Reyes"),
        customer_unhappy_at=now,
    )
    fresh = RecoveryCaseFactory(
        severity=Severity.CRITICAL,
        title="Food poisoning after dinner",
        customer=CustomerFactory(name="Ana Lopez"),
    )
    quiet = RecoveryCaseFactory(
        owner=agent, severity=Severity.LOW, title="Waited 50 minutes", is_repeat=True,
        customer=CustomerFactory(name="Li Wei"),
    )  # fmt: skip
    RecoveryCaseFactory(owner=other_agent, title="Someone else's case")
    return breached, fresh, quiet


def current_reference(page) -> str:
    return page.locator("tr.row-link.is-current th a").inner_text()


def test_an_agent_signs_in_finds_a_new_case_moves_with_j_k_and_opens_it_with_enter(page, live_server, cases):
    breached, fresh, quiet = cases
    page.goto(f"{live_server.url}/login/")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "login")

    page.get_by_label("Username").fill("agent")
    page.get_by_label("Password").fill("pw-agent")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="My queue").wait_for()

    rows = page.locator("tr.row-link th a")
    assert rows.all_inner_texts() == [breached.reference, fresh.reference, quiet.reference]
    assert "Someone else's case" not in page.content()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "queue")

    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    assert current_reference(page) == fresh.reference
    assert page.evaluate("document.activeElement.textContent") == fresh.reference

    with page.expect_request(lambda request: request.url.endswith(f"/cases/{fresh.reference}/?from=queue")):
        page.keyboard.press("Enter")


def test_the_queue_refresh_keeps_the_focused_case_and_shows_new_ones(page, sign_in, agent, cases):
    fresh = cases[1]
    base = sign_in(page, agent)
    page.goto(base + "/")
    page.keyboard.press("j")
    page.keyboard.press("j")
    newcomer = RecoveryCaseFactory(severity=Severity.MEDIUM, title="Parcel crushed")

    # What the 30-second poll does, now rather than in 30 seconds.
    page.evaluate("htmx.ajax('GET', '/?show=all', {target: '#queue', swap: 'outerHTML'})")
    page.get_by_text(newcomer.reference).wait_for()

    assert current_reference(page) == fresh.reference
    assert page.evaluate("document.activeElement.textContent") == fresh.reference
    assert "All open 4" in page.get_by_role("navigation", name="Which cases").inner_text().replace("\n", " ")


def test_when_the_session_ends_the_queue_poll_takes_the_page_to_sign_in_and_back(page, sign_in, agent, cases):
    base = sign_in(page, agent)
    page.clock.install()
    page.goto(base + "/?show=mine")
    page.context.clear_cookies(name=settings.SESSION_COOKIE_NAME)  # the session expired

    page.clock.run_for("00:31")  # the queue's poll

    page.wait_for_url(f"{base}/login/?next=/%3Fshow%3Dmine")
    assert page.get_by_label("Username").is_visible()  # the whole page, not a sign-in form in the table
    page.get_by_label("Username").fill(agent.username)
    page.get_by_label("Password").fill(f"pw-{agent.username}")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/?show=mine")


def test_a_click_anywhere_on_a_row_opens_its_case(page, sign_in, agent, cases):
    quiet = cases[2]
    page.goto(sign_in(page, agent) + "/")

    with page.expect_request(lambda request: request.url.endswith(f"/cases/{quiet.reference}/?from=queue")):
        page.get_by_text("Waited 50 minutes").click()


def test_the_queue_reads_on_a_tablet(page, sign_in, agent, cases):
    page.set_viewport_size({"width": 820, "height": 1180})
    page.goto(sign_in(page, agent) + "/")

    assert serious_accessibility_violations(page) == []
    screenshot(page, "queue-tablet")


def test_the_case_list_filters_and_moves_with_the_keyboard(page, sign_in, agent, cases):
    _, fresh, quiet = cases
    page.goto(sign_in(page, agent) + "/cases/")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "cases")

    assert not page.get_by_role("button", name="Show cases").is_visible(), "the filters start folded"
    page.get_by_text("Filters", exact=True).click()
    severity = page.get_by_role("group", name="Severity")
    severity.get_by_label("Low").check()
    severity.get_by_label("Critical").check()
    page.get_by_role("button", name="Show cases").click()
    page.wait_for_url("**/cases/?*severity=low*")
    assert page.locator("tr.row-link th a").all_inner_texts() == [fresh.reference, quiet.reference]
    assert page.locator(".count-total").inner_text() == "2"
    chips = page.get_by_role("navigation", name="Active filters").locator(".chip-remove").all_text_contents()
    assert [text.split(" (remove")[0] for text in chips] == ["Severity: Low", "Severity: Critical"]
    assert serious_accessibility_violations(page) == []
    screenshot(page, "cases-filtered")

    page.keyboard.press("j")
    page.keyboard.press("j")
    with page.expect_request(lambda request: request.url.endswith(f"/cases/{quiet.reference}/?from=cases")):
        page.keyboard.press("Enter")


def test_an_unreadable_filter_shows_its_error_accessibly(page, sign_in, agent):
    page.goto(sign_in(page, agent) + "/cases/?created_after=yesterday")

    assert page.get_by_text("Enter a valid date/time.").is_visible()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "cases-error")
