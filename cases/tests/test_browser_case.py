"""The case screen as an agent works it: Debian's Chromium on the live server, every step in place."""

import pytest
from playwright.sync_api import expect

from cases.models import Gesture, RecoveryCase, ResponseTemplate, Stage
from cases.tests.factories import RecoveryCaseFactory
from conftest import screenshot, serious_accessibility_violations
from feedback.models import Sentiment
from feedback.tests.factories import CustomerFactory, FeedbackFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def new_case():
    customer = CustomerFactory(name="Tom Reyes", email="tom@example.com", phone="+1 555 0100", segment="gold")
    earlier = RecoveryCaseFactory(customer=customer, closed=True, title="Parcel arrived crushed")
    FeedbackFactory(
        customer=customer, case=earlier, rating=2, comment="Box was flat.", sentiment=Sentiment.NEGATIVE
    )
    opening = FeedbackFactory(
        customer=customer, rating=1, comment="I was charged twice for one order.", sentiment=Sentiment.NEUTRAL
    )
    ResponseTemplate.objects.create(
        kind="apology",
        name="Double charge",
        body="Dear {customer_name}, we are sorry we charged you twice ({reference}). {agent_name}",
    )
    return RecoveryCaseFactory(
        customer=customer,
        originating_feedback=opening,
        title="Charged twice at checkout",
        severity="high",
        is_repeat=True,
    )


def timeline(page):
    return page.locator(".events")


def confirm(page, done: str):
    page.get_by_role("button", name="Confirm", exact=True).click()
    expect(page.locator(".case-done")).to_have_text(done)


def test_an_agent_works_a_new_case_to_its_follow_up_without_leaving_the_screen(
    page, sign_in, agent, new_case
):
    base = sign_in(page, agent)
    page.goto(f"{base}/cases/{new_case.reference}/")
    expect(page.get_by_role("heading", name="Charged twice at checkout")).to_be_visible()
    assert serious_accessibility_violations(page) == []

    page.keyboard.press("a")  # the shortcut opens Acknowledge, its message ready to confirm
    expect(page.get_by_label("Email the customer")).to_be_checked()
    confirm(page, "Acknowledged.")
    expect(timeline(page)).to_contain_text("Alice acknowledged the case")

    page.get_by_role("button", name="Apologize").click()
    page.get_by_role("button", name="Confirm", exact=True).click()  # empty: refused, the form stays open
    expect(page.locator(".field.has-error")).to_contain_text("Apologizing needs the apology text")
    expect(page.get_by_label("Apology")).to_be_visible()
    screenshot(page, "case-form-error")
    assert serious_accessibility_violations(page) == []
    page.get_by_role("button", name="Double charge").click()
    expect(page.get_by_label("Apology")).to_have_value(
        f"Dear Tom Reyes, we are sorry we charged you twice ({new_case.reference}). Alice"
    )
    confirm(page, "Apology recorded.")
    expect(timeline(page)).to_contain_text("we are sorry we charged you twice")

    page.get_by_role("button", name="Resolve").click()
    page.get_by_label("Resolution").fill("Refunded the second charge; it shows in 2 days.")
    confirm(page, "Resolved.")

    page.get_by_role("button", name="Grant gesture").click()
    expect(
        page.get_by_text("You may grant up to 50 EUR per case, every gesture and currency counted together")
    ).to_be_visible()
    page.get_by_label("Kind").select_option("voucher")
    page.get_by_label("Amount").fill("20")
    confirm(page, "Gesture granted.")
    page.get_by_role("button", name="Grant gesture").click()
    page.get_by_label("Kind").select_option("refund")
    page.get_by_label("Amount").fill("80")
    page.get_by_label("Reason").fill("Charged twice; goodwill for the wait.")
    confirm(
        page,
        "Gesture recorded. Waiting for a manager's approval; no manager is set up yet, "
        "so tell your administrator.",
    )
    expect(page.locator(".case-side")).to_contain_text("Pending approval")

    page.get_by_role("button", name="Link root cause").click()
    page.get_by_label("Name").fill("Payment retries duplicate charges")
    page.get_by_label("Category").select_option("technology")
    confirm(page, "Root cause linked.")

    page.get_by_role("button", name="Add note").click()
    page.get_by_label("Note").fill("Customer prefers email.")
    confirm(page, "Note added.")

    page.get_by_role("button", name="Record follow-up").click()
    page.get_by_label("Outcome").fill("Refund arrived, customer happy.")
    page.get_by_label("Satisfaction").select_option("5")
    confirm(page, "Follow-up recorded.")

    for step in (
        "apologized",
        "resolved the case",
        "Alice granted a voucher of 20.00 EUR",
        "Alice asked a manager to approve a refund of 80.00 EUR",
        "Payment retries duplicate charges",
        "Customer prefers email.",
        "recorded the follow-up",
        "Refund arrived, customer happy.",
    ):
        expect(timeline(page)).to_contain_text(step)
    case = RecoveryCase.objects.get(pk=new_case.pk)
    assert (case.stage, case.owner_id) == (Stage.FOLLOWED_UP, agent.pk)
    assert sorted(case.gestures.values_list("status", flat=True)) == [
        Gesture.Status.GRANTED,
        Gesture.Status.PENDING_APPROVAL,
    ]
    screenshot(page, "case")
    assert serious_accessibility_violations(page) == []
    page.set_viewport_size({"width": 820, "height": 1100})
    screenshot(page, "case-tablet")


def test_a_second_agents_stale_apology_shows_who_got_there_first_and_keeps_their_text(
    browser, page, sign_in, agent, other_agent
):
    case = RecoveryCaseFactory(acknowledged=True, title="Waited 50 minutes")  # nobody's yet: both may act
    base = sign_in(page, agent)
    page.goto(f"{base}/cases/{case.reference}/")
    page.get_by_role("button", name="Apologize").click()
    page.get_by_label("Apology").fill("Alice's apology, typed with care.")

    second = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    sign_in(second, other_agent)
    second.goto(f"{base}/cases/{case.reference}/")
    second.get_by_role("button", name="Apologize").click()
    second.get_by_label("Apology").fill("Bob was quicker.")
    second.get_by_role("button", name="Confirm", exact=True).click()
    expect(second.locator(".case-done")).to_have_text("Apology recorded.")
    second.context.close()

    page.get_by_role("button", name="Confirm", exact=True).click()

    expect(page.locator(".stale")).to_contain_text(f"{case.reference} was apologized for by Bob at")
    expect(page.get_by_label("Apology")).to_have_value("Alice's apology, typed with care.")
    expect(page.locator(".stale")).to_contain_text("Apologize is no longer possible for you here")
    expect(page.get_by_role("button", name="Confirm", exact=True)).to_have_count(0)
    screenshot(page, "case-stale")
    assert RecoveryCase.objects.get(pk=case.pk).owner_id == other_agent.pk


def test_an_agent_finds_a_root_cause_by_searching_and_cancel_closes_a_form_untouched(page, sign_in, agent):
    from cases.tests.factories import RootCauseFactory

    case = RecoveryCaseFactory(owner=agent, acknowledged=True)
    RootCauseFactory(title="Courier drops parcels", description="Left at the wrong door.")
    wanted = RootCauseFactory(title="Payment retries duplicate charges")
    base = sign_in(page, agent)
    page.goto(f"{base}/cases/{case.reference}/")

    page.get_by_role("button", name="Put on hold").click()
    page.get_by_label("Reason").fill("Never mind")
    page.get_by_role("button", name="Cancel").click()
    page.get_by_role("button", name="Discard the draft").click()  # typed text: Cancel asks first
    expect(page.locator("#action-slot")).to_be_empty()
    assert RecoveryCase.objects.get(pk=case.pk).on_hold_since is None

    page.get_by_role("button", name="Link root cause").click()
    # Typed key by key, as a person types: a fill() right after the form swaps in can land before htmx
    # has wired the field's input listener, and then no search is sent.
    page.get_by_label("Search", exact=True).press_sequentially("payment", delay=50)
    expect(page.get_by_label("Root cause").locator("option")).to_have_count(2)  # "Choose one…" + match
    page.get_by_label("Root cause").select_option(str(wanted.pk))
    confirm(page, "Root cause linked.")

    expect(page.locator(".case-side")).to_contain_text("Payment retries duplicate charges")
    assert list(case.root_causes.values_list("pk", flat=True)) == [wanted.pk]


def test_a_manager_reassigns_and_raises_severity_in_place(page, sign_in, manager, agent, other_agent):
    case = RecoveryCaseFactory(owner=agent, acknowledged=True, severity="low")
    base = sign_in(page, manager)
    page.goto(f"{base}/cases/{case.reference}/")

    page.get_by_role("button", name="Reassign").click()
    page.get_by_label("Owner").select_option(label="Bob")
    confirm(page, "Owner changed.")
    page.get_by_role("button", name="Change severity").click()
    page.get_by_label("Severity").select_option("critical")
    confirm(page, "Severity changed.")

    expect(page.locator(".case-head")).to_contain_text("Owner: Bob")
    expect(page.locator(".case-head .badge")).to_have_text("Critical")
    expect(timeline(page)).to_contain_text("changed the severity from low to critical")
    assert serious_accessibility_violations(page) == []
