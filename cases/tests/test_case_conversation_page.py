"""The conversation on the case screen: the "Email the customer" checkbox, Reply, the thread, downloads."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cases import services
from cases.conversation import outbound
from cases.models import Attachment, Message, ResponseTemplate, Stage
from cases.tests.factories import RecoveryCaseFactory
from conftest import signed_in
from feedback.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def form(user, case, action) -> str:
    response = signed_in(user).get(f"/cases/{case.reference}/actions/{action}/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.text


@pytest.mark.parametrize("action", ["acknowledge", "apologize", "resolve"])
def test_a_stage_that_speaks_offers_email_the_customer_ticked_and_says_to_whom(agent, action):
    stage = {"acknowledge": {}, "apologize": {"acknowledged": True}, "resolve": {"apologized": True}}[action]
    case = RecoveryCaseFactory(owner=agent, customer=CustomerFactory(email="ana@example.com"), **stage)
    html = form(agent, case, action)
    assert '<label for="id_notify_customer">Email the customer</label>' in html
    assert 'name="notify_customer" id="id_notify_customer" checked' in html
    assert "Sends to ana@example.com" in html
    assert html.index("Sends to ana@example.com") < html.index(">Confirm</button>")


def test_acknowledge_starts_from_the_default_acknowledgement(agent):
    case = RecoveryCaseFactory(owner=agent, customer=CustomerFactory(name="Ana Lopez"))
    html = form(agent, case, "acknowledge")
    assert '<label for="id_message">Message</label>' in html
    assert "Dear Ana Lopez," in html and case.reference in html


@pytest.mark.parametrize(
    ("customer", "reason"),
    [
        ({"email": ""}, "The customer has no email address."),
        ({"contact_opt_out": True}, "The customer asked not to be contacted."),
        ({"external_id": "erased-4", "email": "", "name": ""}, "The customer&#x27;s data was erased."),
    ],
)
def test_the_checkbox_is_off_with_the_reason_when_the_customer_may_not_be_emailed(agent, customer, reason):
    case = RecoveryCaseFactory(owner=agent, acknowledged=True, customer=CustomerFactory(**customer))
    html = form(agent, case, "apologize")
    assert 'id="id_notify_customer" disabled aria-describedby="notify-reason"' in html
    assert f'<span class="small muted" id="notify-reason">{reason}</span>' in html
    assert "Sends to" not in html


def test_confirming_with_the_box_ticked_queues_the_email_and_moves_the_stage(agent):
    case = RecoveryCaseFactory(owner=agent, acknowledged=True)
    response = signed_in(agent).post(
        f"/cases/{case.reference}/actions/apologize/",
        {"version": case.version, "apology": "We are so sorry.", "notify_customer": "on"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.APOLOGIZED
    assert Message.objects.get().body == "We are so sorry."


def test_unticked_the_stage_moves_and_nothing_is_sent(agent):
    case = RecoveryCaseFactory(owner=agent)
    response = signed_in(agent).post(
        f"/cases/{case.reference}/actions/acknowledge/", {"version": case.version, "message": "Seen it."}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.ACKNOWLEDGED and not Message.objects.exists()
    assert case.events.filter(message="Seen it.").exists()  # kept on the timeline, not lost


def test_reply_sends_a_message_with_files_and_keeps_the_stage(agent):
    case = RecoveryCaseFactory(owner=agent, acknowledged=True)
    upload = SimpleUploadedFile("label.pdf", b"%PDF-1.4 label", content_type="application/pdf")
    response = signed_in(agent).post(
        f"/cases/{case.reference}/actions/reply/",
        {"version": case.version, "message": "Here is the return label.", "attachments": [upload]},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    message = Message.objects.get()
    assert message.attachments.get().name == "label.pdf"
    case.refresh_from_db()
    assert case.stage == Stage.ACKNOWLEDGED
    assert "Message queued; it is sent in a moment." in response.text
    assert "Here is the return label." in response.text and "queued" in response.text
    assert f'href="/cases/{case.reference}/attachments/{message.attachments.get().pk}/"' in response.text


def test_reply_offers_every_response_template_filled_in_for_this_case(agent):
    case = RecoveryCaseFactory(owner=agent, stage=Stage.APOLOGIZED, customer__name="Tom Reyes")
    ResponseTemplate.objects.create(
        kind="apology", name="Sorry again", body="Dear {customer_name}, {reference}."
    )
    ResponseTemplate.objects.create(kind="follow_up", name="Checking in", body="Is all well? {agent_name}")

    html = form(agent, case, "reply")

    assert f'data-text="Dear Tom Reyes, {case.reference}."' in html
    assert 'data-text="Is all well? Alice"' in html
    assert 'data-insert-into="id_message"' in html


def test_an_empty_reply_is_refused_next_to_the_field_and_nothing_is_stored(agent):
    case = RecoveryCaseFactory(owner=agent)
    response = signed_in(agent).post(
        f"/cases/{case.reference}/actions/reply/",
        {"version": case.version, "message": "  "},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert 'id="id_message_error"' in response.text and "A message needs a text." in response.text
    assert not Message.objects.exists()


def test_a_reply_to_an_opted_out_customer_is_refused_with_the_reason(agent):
    case = RecoveryCaseFactory(owner=agent, customer=CustomerFactory(contact_opt_out=True))
    html = form(agent, case, "reply")
    assert "Cannot send: The customer asked not to be contacted." in html
    response = signed_in(agent).post(
        f"/cases/{case.reference}/actions/reply/", {"message": "Hello"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 409 and not Message.objects.exists()


def test_the_timeline_shows_the_thread_and_marks_internal_notes(agent):
    case = RecoveryCaseFactory(owner=agent, customer=CustomerFactory(name="Ana Lopez"))
    Message.objects.create(
        case=case,
        direction=Message.Direction.INBOUND,
        status=Message.Status.RECEIVED,
        from_address=case.customer.email,
        to_address="reply@reply.localhost",
        subject="Charged twice",
        body="I was charged twice.",
        message_id="<c-1@example.com>",
    )
    outbound.reply(case_id=case.pk, actor=agent, body="Refunded today.")
    services.add_note(case=case, actor=agent, body="refund ref 88231")
    html = signed_in(agent).get(f"/cases/{case.reference}/").text.split('id="timeline-title"')[1]
    assert 'class="message message-in"' in html and "I was charged twice." in html
    assert 'class="message message-out"' in html and "Refunded today." in html
    assert '<span class="delivery delivery-queued">queued</span>' in html
    assert (
        'class="event event-internal"' in html and '<span class="internal-label">Internal note</span>' in html
    )
    assert html.index("refund ref 88231") < html.index("Refunded today.") < html.index("I was charged twice.")


def test_an_attachment_downloads_as_a_file_only_for_the_workspace(agent, intake_user):
    case = RecoveryCaseFactory(owner=agent)
    message = outbound.reply(
        case_id=case.pk,
        actor=agent,
        body="See attached",
        files=[SimpleUploadedFile("page.html", b"<script>alert(1)</script>", content_type="text/html")],
    )
    attachment = Attachment.objects.get(message=message)
    url = f"/cases/{case.reference}/attachments/{attachment.pk}/"
    response = signed_in(agent).get(url)
    assert response.status_code == 200
    assert (
        response["Content-Disposition"].startswith("attachment;")
        and "page.html" in response["Content-Disposition"]
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"<script>alert(1)</script>"
    assert signed_in(intake_user).get(url).status_code == 403
    assert Client().get(url).status_code == 302  # to sign-in
    other = RecoveryCaseFactory()
    assert signed_in(agent).get(f"/cases/{other.reference}/attachments/{attachment.pk}/").status_code == 404


def test_an_agent_marks_a_customer_not_to_be_contacted_on_their_page(agent):
    customer = CustomerFactory()
    client = signed_in(agent)
    assert "Does not want to be contacted</button>" in client.get(f"/customers/{customer.pk}/").text
    response = client.post(f"/customers/{customer.pk}/contact/", {"contact_opt_out": "1"})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.contact_opt_out is True
    page = client.get(f"/customers/{customer.pk}/").text
    assert "<strong>Does not want to be contacted</strong>" in page and "Allow contact again</button>" in page
    client.post(f"/customers/{customer.pk}/contact/", {"contact_opt_out": "0"})
    customer.refresh_from_db()
    assert customer.contact_opt_out is False
    assert client.post("/customers/999999/contact/", {"contact_opt_out": "1"}).status_code == 404


def test_the_admin_sets_contact_opt_out(admin_client):
    customer = CustomerFactory()
    html = admin_client.get(f"/admin/feedback/customer/{customer.pk}/change/").text
    assert 'name="contact_opt_out"' in html
