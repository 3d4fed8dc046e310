"""The agent's whole path, counted (issue 23's closing note): from the queue to a closed case, how many
clicks and how many page loads. Issue 23 measured the stage path at 10 clicks and no page load."""

import pytest
from playwright.sync_api import expect

from cases.models import RecoveryCase, Stage
from cases.tests.factories import RecoveryCaseFactory
from conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Counted:
    """Clicks made through it, and page loads seen by the page (the queue's own load not counted)."""

    def __init__(self, page):
        self.page, self.clicks, self.loads = page, 0, 0
        page.on("load", self._loaded)

    def _loaded(self, _page):
        self.loads += 1

    def click(self, locator):
        locator.click()
        self.clicks += 1


def test_from_the_queue_to_a_closed_case_takes_eleven_clicks_and_one_page_load(page, sign_in, agent):
    case = RecoveryCaseFactory(owner=None, severity="high", title="Charged twice at checkout")
    base = sign_in(page, agent)
    page.goto(f"{base}/")
    counted = Counted(page)
    button = lambda name: page.get_by_role("button", name=name, exact=True)  # noqa: E731
    done = page.locator(".case-done")

    counted.click(page.get_by_role("link", name=case.reference))  # open the case: the one page load
    expect(page.get_by_role("heading", name="Charged twice at checkout")).to_be_visible()
    expect(page.get_by_role("link", name="My queue")).to_have_attribute("aria-current", "page")  # D21

    counted.click(button("Acknowledge"))  # a form now: the message to the customer, prefilled
    counted.click(button("Confirm"))
    expect(done).to_have_text("Acknowledged.")
    counted.click(button("Apologize"))
    page.get_by_label("Apology").fill("We are sorry: the second charge was our mistake.")
    counted.click(button("Confirm"))
    expect(done).to_have_text("Apology recorded.")
    counted.click(button("Resolve"))
    page.get_by_label("Resolution").fill("Refunded the second charge.")
    counted.click(button("Confirm"))
    expect(done).to_have_text("Resolved.")
    counted.click(button("Record follow-up"))
    page.get_by_label("Outcome").fill("Refund arrived; the customer is happy.")
    counted.click(button("Confirm"))
    expect(done).to_have_text("Follow-up recorded.")
    counted.click(button("Close"))
    page.get_by_label("Reason").fill("Recovered.")
    counted.click(button("Confirm"))
    expect(done).to_have_text("Closed.")
    screenshot(page, "case-closed-after-the-path")

    # Opening the case is 1 click and the only load; the five stages take 10 clicks and no load (the
    # acknowledgement became a form when it began to reach the customer: one Confirm more than before).
    assert (counted.clicks, counted.loads) == (11, 1)
    case.refresh_from_db()
    assert (case.stage, case.owner_id) == (Stage.CLOSED, agent.pk)


def test_close_and_next_carries_the_agent_to_the_next_case_in_the_same_eleven_clicks(page, sign_in, agent):
    case = RecoveryCaseFactory(owner=agent, severity="high", title="Charged twice at checkout")
    following = RecoveryCaseFactory(owner=None, severity="medium", title="Parcel arrived crushed")
    base = sign_in(page, agent)
    page.goto(f"{base}/")
    counted = Counted(page)
    button = lambda name: page.get_by_role("button", name=name, exact=True)  # noqa: E731
    done = page.locator(".case-done")

    counted.click(page.get_by_role("link", name=case.reference))
    for action, label, text, said in (
        ("Acknowledge", "Message", None, "Acknowledged."),
        ("Apologize", "Apology", "We are sorry.", "Apology recorded."),
        ("Resolve", "Resolution", "Refunded.", "Resolved."),
        ("Record follow-up", "Outcome", "Happy.", "Follow-up recorded."),
    ):
        counted.click(button(action))
        if text:
            page.get_by_label(label).fill(text)
        counted.click(button("Confirm"))
        expect(done).to_have_text(said)
    counted.click(button("Close"))
    page.get_by_label("Reason").fill("Recovered.")
    counted.click(button("Confirm and next"))

    expect(page.get_by_role("heading", name="Parcel arrived crushed")).to_be_visible()
    expect(page.locator(".flashes")).to_contain_text(f"{case.reference}: Closed.")
    screenshot(page, "case-next-after-close")
    assert (counted.clicks, counted.loads) == (11, 2)  # the second load is the next case, ready to work
    assert RecoveryCase.objects.get(pk=case.pk).stage == Stage.CLOSED
    assert page.url.endswith(f"/cases/{following.reference}/?from=queue")
