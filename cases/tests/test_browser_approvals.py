"""The gesture approval loop in Chromium: an agent asks above the limit with a reason, a manager decides
in the inbox (twice on a closed case), the nav's count follows, and the agent finds the decision
behind the bell."""

import pytest
from playwright.sync_api import expect

from cases.models import Gesture, Notice, Notification, Stage
from cases.tests.factories import GestureFactory, RecoveryCaseFactory
from conftest import screenshot, serious_accessibility_violations
from feedback.tests.factories import CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def maria(manager):
    # First name only: the frame fits one line at 1280 px with "Maria (manager)", not with a surname too.
    manager.first_name, manager.email = "Maria", "maria@example.com"
    manager.save()
    return manager


def test_the_approval_loop_from_the_agents_request_to_the_agents_bell(
    request, browser, page, sign_in, agent, maria
):
    agent.email = "alice@example.com"
    agent.save()
    case = RecoveryCaseFactory(
        owner=agent,
        stage=Stage.RESOLVED,
        title="Charged twice at checkout",
        customer=CustomerFactory(name="Tom Reyes"),
    )
    closed = RecoveryCaseFactory(owner=agent, closed=True, title="Parcel crushed")
    on_closed = GestureFactory(
        case=closed, status=Gesture.Status.PENDING_APPROVAL, requested_by=agent, amount="70.00",
        description="Promised on the phone before the case was closed",
    )  # fmt: skip

    # The agent asks above the limit: first without a reason, refused next to the field.
    base = sign_in(page, agent)
    page.goto(f"{base}/cases/{case.reference}/")
    page.get_by_role("button", name="Grant gesture").click()
    page.get_by_label("Kind").select_option("refund")
    page.get_by_label("Amount").fill("80")
    page.get_by_role("button", name="Confirm").click()
    reason = page.locator(".field.has-error")
    expect(reason).to_contain_text("Reason")
    expect(reason).to_contain_text("a manager approves, and reads this reason first")
    expect(page.get_by_label("Amount")).to_have_value("80")
    screenshot(page, "gesture-reason-required")
    assert serious_accessibility_violations(page) == []
    page.get_by_label("Reason").fill("Charged twice and waited a week for the refund.")
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".case-done")).to_have_text(
        "Gesture recorded. Waiting for approval by Maria (manager)."
    )
    screenshot(page, "gesture-waiting-for-approval")

    # The manager sees both, with their cases' stages; the nav counts 2.
    manager_context = browser.new_context(viewport={"width": 1280, "height": 800})
    request.addfinalizer(manager_context.close)  # its open connections would hold the test database
    manager_page = manager_context.new_page()
    manager_page.set_default_timeout(10_000)
    manager_base = sign_in(manager_page, maria)
    manager_page.goto(f"{manager_base}/gestures/pending/")
    badge = manager_page.locator("#nav-approvals .count")
    expect(badge).to_contain_text("2")
    waiting = Gesture.objects.get(case=case)
    row, closed_row = (
        manager_page.locator(f"#gesture-{waiting.pk}"),
        manager_page.locator(f"#gesture-{on_closed.pk}"),
    )
    expect(row.locator("td.stage")).to_have_text("Resolved")
    expect(row.locator("td.reason")).to_have_text("Charged twice and waited a week for the refund.")
    expect(closed_row.locator("td.stage")).to_contain_text("Closed")
    screenshot(manager_page, "approvals-inbox")
    assert serious_accessibility_violations(manager_page) == []

    # On the closed case, Approve asks a second time and keeps the note.
    closed_row.get_by_label("Note").fill("Honouring the promise")
    closed_row.get_by_role("button", name="Approve").click()
    expect(closed_row).to_contain_text(f"{closed.reference} is closed.")
    expect(closed_row.get_by_label("Note")).to_have_value("Honouring the promise")
    expect(closed_row.locator(f"#confirm-{on_closed.pk}")).to_be_focused()
    assert Gesture.objects.get(pk=on_closed.pk).status == Gesture.Status.PENDING_APPROVAL
    screenshot(manager_page, "approvals-closed-case-asks-again")
    assert serious_accessibility_violations(manager_page) == []
    closed_row.get_by_role("button", name="Approve anyway").click()
    expect(closed_row).to_have_count(0)
    expect(badge).to_contain_text("1")

    row.get_by_label("Note").fill("Fair, given the wait")
    row.get_by_role("button", name="Reject").click()
    expect(row).to_have_count(0)
    expect(badge).to_have_count(0)  # nothing waits: no count at all
    expect(manager_page.locator("#waiting-total")).to_have_text("Nothing is waiting now.")
    expect(manager_page.locator("#decision-status")).to_contain_text(
        f"{case.reference}: Refund 80.00 EUR rejected."
    )
    screenshot(manager_page, "approvals-after-decisions")

    # The agent's bell counts both decisions; the list says who decided what; Mark read is one click.
    page.goto(f"{base}/")
    bell = page.locator("#nav-bell")
    expect(bell.locator(".count")).to_contain_text("2")
    bell.click()
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    expect(page.locator(".notices")).to_contain_text(
        f"Maria rejected your refund of 80.00 EUR on {case.reference}. Note: Fair, given the wait"
    )
    expect(page.locator(".notices")).to_contain_text(
        f"Maria approved your voucher of 70.00 EUR on {closed.reference}. Note: Honouring the promise"
    )
    screenshot(page, "notifications")
    assert serious_accessibility_violations(page) == []
    page.get_by_role("button", name="Mark read").first.click()
    expect(bell.locator(".count")).to_contain_text("1")
    expect(page.get_by_role("button", name="Mark read")).to_have_count(1)
    expect(page.get_by_text("Read", exact=True)).to_be_focused()  # focus stays where the button was
    screenshot(page, "notifications-one-read")
    assert Notice.objects.filter(user=agent, read_at__isnull=False).count() == 1
    emails = Notification.objects.filter(template="gesture_decided", recipient="alice@example.com")
    assert emails.count() == 2
