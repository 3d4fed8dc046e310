"""End to end, no mocks: an agent replies in Chromium, and a real SMTP server (aiosmtpd, started here)
receives the outbox's multipart email with the headers that thread it and bring the answer back."""

import email
import email.policy

import pytest
from playwright.sync_api import expect

from cases import services
from cases.conversation.addresses import case_for_reply_address
from cases.models import Message
from cases.tests.factories import RecoveryCaseFactory
from cases.tests.smtp import local_smtp
from conftest import screenshot, serious_accessibility_violations, wait_until
from feedback.tests.factories import CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SMTP_PORT = 18901  # this worktree's range (18900-18949)


@pytest.fixture
def smtp_server(settings):
    with local_smtp(settings, port=SMTP_PORT) as inbox:
        yield inbox


def test_an_agents_reply_reaches_a_real_smtp_server_threaded_and_answerable(
    page, sign_in, agent, smtp_server
):
    customer = CustomerFactory(name="Ana Lopez", email="ana@example.com")
    case = RecoveryCaseFactory(
        owner=agent, customer=customer, title="Charged twice at checkout", acknowledged=True
    )
    Message.objects.create(
        case=case,
        direction=Message.Direction.INBOUND,
        status=Message.Status.RECEIVED,
        from_address="ana@example.com",
        to_address="support@example.com",
        subject="Charged twice at checkout",
        body="I was charged twice at checkout and nobody answers the phone.",
        message_id="<ana-1@mail.example.com>",
        references="<ana-0@mail.example.com>",
    )

    base = sign_in(page, agent)
    page.goto(f"{base}/cases/{case.reference}/")
    page.get_by_role("button", name="Reply").click()
    words = "Dear Ana, the second charge was ours. It is refunded today."
    page.get_by_label("Message", exact=True).fill(words)
    expect(page.locator(".sends-to")).to_have_text("Sends to ana@example.com, in English")
    assert serious_accessibility_violations(page) == []
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".case-done")).to_have_text("Message queued; it is sent in a moment.")

    # The outbox's task (eager in tests, after the request's commit) hands it to the SMTP server.
    wait_until(lambda: smtp_server.messages, timeout=15, what="the SMTP server to receive the reply")
    [raw] = smtp_server.messages
    assert smtp_server.recipients == [["ana@example.com"]]
    received = email.message_from_bytes(raw, policy=email.policy.default)
    stored = Message.objects.get(direction=Message.Direction.OUTBOUND)

    assert received["Subject"] == f"Re: [{case.reference}] Charged twice at checkout"
    assert received["Reply-To"] == stored.reply_to
    assert case_for_reply_address(received["Reply-To"]) == case
    assert stored.reply_to.endswith("@reply.example.com")
    # A long Message-ID is folded onto its own line (RFC 5322 allows the white space): compare the id.
    assert received["Message-ID"].strip() == stored.message_id
    assert received["In-Reply-To"] == "<ana-1@mail.example.com>"
    assert received["References"] == "<ana-0@mail.example.com> <ana-1@mail.example.com>"
    assert received.get_content_type() == "multipart/alternative"
    text = received.get_body(preferencelist=("plain",)).get_content()
    html = received.get_body(preferencelist=("html",)).get_content()
    assert "the second charge was ours" in text and "Acme Support" in text  # readable as text alone
    assert "the second charge was ours" in html and "Acme Support" in html
    wait_until(lambda: Message.objects.get(pk=stored.pk).status == "sent", timeout=5, what="sent")

    services.add_note(case=case, actor=agent, body="Refund reference 88231 (bank confirms tomorrow).")
    page.reload()
    thread = page.locator(".events")
    expect(thread.locator(".event-internal")).to_contain_text("Internal note")
    expect(thread.locator(".event-internal")).to_contain_text("never sent to the customer")
    expect(thread.locator(".message-in")).to_contain_text("nobody answers the phone")
    expect(thread.locator(".message-out")).to_contain_text("It is refunded today.")
    expect(thread.locator(".message-out .delivery")).to_have_text("sent")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "conversation-thread")


def test_an_apology_with_email_the_customer_ticked_is_sent_with_the_stage(page, sign_in, agent, smtp_server):
    case = RecoveryCaseFactory(
        owner=agent, customer=CustomerFactory(name="Ana Lopez", email="ana@example.com"), acknowledged=True
    )
    base = sign_in(page, agent)
    page.goto(f"{base}/cases/{case.reference}/")
    page.get_by_role("button", name="Apologize").click()
    expect(page.get_by_label("Email the customer")).to_be_checked()
    page.get_by_label("Apology").fill("I am sorry: we let you down.")
    screenshot(page, "conversation-apology-form")
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".case-done")).to_have_text("Apology recorded.")
    wait_until(lambda: smtp_server.messages, timeout=15, what="the apology to be sent")
    received = email.message_from_bytes(smtp_server.messages[0], policy=email.policy.default)
    assert "I am sorry: we let you down." in received.get_body(preferencelist=("plain",)).get_content()
    assert "In-Reply-To" not in received  # the customer never wrote by email: nothing to thread under


def test_a_customer_who_opted_out_shows_the_box_off_with_the_reason(page, sign_in, agent, smtp_server):
    case = RecoveryCaseFactory(owner=agent, customer=CustomerFactory(contact_opt_out=True), acknowledged=True)
    base = sign_in(page, agent)
    page.goto(f"{base}/cases/{case.reference}/")
    page.get_by_role("button", name="Apologize").click()
    box = page.get_by_label("Email the customer")
    expect(box).not_to_be_checked()
    expect(box).to_be_disabled()
    expect(page.locator("#notify-reason")).to_have_text("The customer asked not to be contacted.")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "conversation-opted-out")
