"""End to end, no mocks: a manager notifies the customers a root cause hit, in Chromium, from the
preview to the confirm; a real SMTP server (aiosmtpd) receives one email per reachable customer, and
pressing confirm again on a second, stale tab sends nothing."""

import email
import email.policy

import pytest
from playwright.sync_api import expect

from cases import root_causes
from cases.models import Notification, ResponseTemplate
from cases.tests.factories import RecoveryCaseFactory, RootCauseFactory
from cases.tests.smtp import local_smtp
from conftest import screenshot, serious_accessibility_violations, wait_until
from feedback.tests.factories import CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SMTP_PORT = 18254  # this worktree's range (18254-18259)


@pytest.fixture
def smtp_server(settings):
    with local_smtp(settings, port=SMTP_PORT) as inbox:
        yield inbox


@pytest.fixture
def root_cause(manager):
    cause = RootCauseFactory(title="Courier lost parcels in Leeds")
    people = [
        ("C-ANA", "Ana Lopez", "ana@example.com", False),
        ("C-BEN", "Ben Okafor", "ben@example.com", False),
        ("C-CARA", "Cara Diaz", "cara@example.com", True),  # asked not to be contacted
        ("C-DAN", "Dan Wu", "", False),  # no email address
    ]
    for external_id, name, address, opted_out in people:
        customer = CustomerFactory(
            external_id=external_id, name=name, email=address, contact_opt_out=opted_out
        )
        case = RecoveryCaseFactory(customer=customer, title="Parcel never arrived")
        root_causes.link_case(root_cause_id=cause.pk, case_id=case.pk, actor=manager)
    ResponseTemplate.objects.create(
        kind=ResponseTemplate.Kind.APOLOGY,
        name="Lost parcel",
        body="Dear {customer_name}, our courier lost parcels in Leeds, yours among them ({reference}). "
        "A new one is on its way.\n\n{agent_name}",
    )
    return cause


def preview(page, base, root_cause):
    page.goto(f"{base}/root-causes/{root_cause.pk}/")
    page.get_by_role("button", name="Notify impacted customers").click()
    expect(page.locator(".audience-count")).to_contain_text("2 customers")
    page.get_by_label("Response template").select_option(label="Apology: Lost parcel")
    page.get_by_role("button", name="Preview").click()


def test_notify_impacted_customers_previews_sends_once_and_a_second_press_sends_nothing(
    page, sign_in, manager, smtp_server, root_cause
):
    base = sign_in(page, manager)
    preview(page, base, root_cause)
    expect(page.locator(".email-preview")).to_contain_text(
        "Dear Ana Lopez, our courier lost parcels in Leeds"
    )
    expect(page.locator(".recipients")).to_contain_text("ana@example.com")
    expect(page.locator(".recipients")).to_contain_text("ben@example.com")
    expect(page.locator(".recipients")).not_to_contain_text("cara@example.com")
    expect(page.locator(".skipped")).to_contain_text("1 asked not to be contacted")
    expect(page.locator(".skipped")).to_contain_text("1 without an email address")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "notify-preview")

    stale = page.context.new_page()  # the same preview in a second tab, confirmed later
    preview(stale, base, root_cause)

    page.get_by_role("button", name="Confirm: send 2 emails").click()
    expect(page.locator(".messages, [role=status], .flash").first).to_contain_text("2 emails queued.")
    wait_until(lambda: len(smtp_server.messages) == 2, timeout=15, what="two emails at the SMTP server")
    assert sorted(r for [r] in smtp_server.recipients) == ["ana@example.com", "ben@example.com"]
    texts = [
        email.message_from_bytes(raw, policy=email.policy.default)
        .get_body(preferencelist=("plain",))
        .get_content()
        for raw in smtp_server.messages
    ]
    assert any("Dear Ana Lopez, our courier lost parcels" in text for text in texts)
    assert any("Dear Ben Okafor, our courier lost parcels" in text for text in texts)
    expect(page.locator(".audience-count")).to_contain_text("0 customers")
    screenshot(page, "notify-sent")

    stale.get_by_role("button", name="Confirm: send 2 emails").click()
    expect(stale.locator(".messages, [role=status], .flash").first).to_contain_text(
        "0 emails queued. Skipped: 2 already told, 1 without an email, 1 opted out."
    )
    assert Notification.objects.count() == 2  # nothing was queued, so nothing more can be sent
    assert len(smtp_server.messages) == 2
    screenshot(stale, "notify-second-press")

    # Each customer's case timeline shows the email that went out.
    ana_case = root_cause.cases.get(customer__external_id="C-ANA")
    page.goto(f"{base}/cases/{ana_case.reference}/")
    expect(page.locator(".message-out")).to_contain_text("our courier lost parcels in Leeds")
