"""`/api/v1/cases/{ref}/messages/` and the stage actions' `notify_customer`: the conversation over REST."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.conversation import outbound
from cases.conversation.addresses import case_for_reply_address
from cases.models import Attachment, IdempotentRequest, Message, Notification, Stage
from cases.tests.factories import RecoveryCaseFactory
from feedback.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

SENT_KEYS = {"id", "direction", "status", "to", "subject", "message_id", "reply_to", "created_at"}
LISTED_KEYS = {
    "id",
    "direction",
    "from",
    "to",
    "subject",
    "body",
    "message_id",
    "status",
    "created_at",
    "attachments",
}


def test_posting_a_message_answers_201_with_the_queued_message(api_client, agent):
    case = RecoveryCaseFactory(
        owner=agent, title="Charged twice", customer=CustomerFactory(email="ana@example.com")
    )
    response = api_client(agent).post(
        f"/api/v1/cases/{case.reference}/messages/", {"body": "It is refunded."}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body.keys() >= SENT_KEYS
    assert body["direction"] == "outbound" and body["status"] in ("queued", "sent")
    assert body["to"] == "ana@example.com"
    assert body["subject"] == f"Re: [{case.reference}] Charged twice"
    assert case_for_reply_address(body["reply_to"]) == case
    assert Message.objects.get(pk=body["id"]).message_id == body["message_id"]
    case.refresh_from_db()
    assert case.stage == Stage.NEW  # a message moves no stage


@pytest.mark.parametrize(
    "customer", [{"email": ""}, {"contact_opt_out": True}, {"external_id": "erased-9", "email": ""}]
)
def test_a_customer_who_may_not_be_contacted_answers_409_and_nothing_is_stored(api_client, agent, customer):
    case = RecoveryCaseFactory(owner=agent, customer=CustomerFactory(**customer))
    response = api_client(agent).post(
        f"/api/v1/cases/{case.reference}/messages/", {"body": "Hi"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["detail"] == outbound.reach(case.customer).reason
    assert not Message.objects.exists() and not Notification.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"), [({}, "body"), ({"body": ""}, "body"), ({"body": "Hi", "cc": "x@example.com"}, None)]
)
def test_a_bad_message_body_answers_400_and_stores_nothing(api_client, agent, body, field):
    case = RecoveryCaseFactory(owner=agent)
    response = api_client(agent).post(f"/api/v1/cases/{case.reference}/messages/", body, format="json")
    assert response.status_code == 400
    if field:
        assert field in response.json()
    assert not Message.objects.exists()


def test_another_agents_case_and_a_closed_case_refuse_a_message(api_client, agent, other_agent):
    theirs = RecoveryCaseFactory(owner=other_agent)
    closed = RecoveryCaseFactory(owner=agent, closed=True)
    client = api_client(agent)
    assert (
        client.post(f"/api/v1/cases/{theirs.reference}/messages/", {"body": "Hi"}, format="json").status_code
        == 403
    )
    assert (
        client.post(f"/api/v1/cases/{closed.reference}/messages/", {"body": "Hi"}, format="json").status_code
        == 409
    )
    assert client.post("/api/v1/cases/RC-999999/messages/", {"body": "Hi"}, format="json").status_code == 404
    assert not Message.objects.exists()


def test_the_same_idempotency_key_sends_one_message(api_client, agent):
    case = RecoveryCaseFactory(owner=agent)
    client = api_client(agent)
    path = f"/api/v1/cases/{case.reference}/messages/"
    first = client.post(path, {"body": "Hello"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(path, {"body": "Hello"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    other = client.post(path, {"body": "Other"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"] and again["Idempotent-Replayed"] == "true"
    assert other.status_code == 422
    assert Message.objects.count() == 1 and IdempotentRequest.objects.count() == 1


def test_the_thread_lists_both_directions_oldest_first_with_attachments(api_client, agent):
    case = RecoveryCaseFactory(owner=agent)
    inbound = Message.objects.create(
        case=case,
        direction=Message.Direction.INBOUND,
        status=Message.Status.RECEIVED,
        from_address=case.customer.email,
        to_address="reply@reply.localhost",
        subject="Charged twice",
        body="Nobody answers the phone.",
        message_id="<c-1@example.com>",
    )
    Attachment.objects.create(
        message=inbound,
        file=SimpleUploadedFile("receipt.pdf", b"%PDF-1.4"),
        name="receipt.pdf",
        size=8,
        content_type="application/pdf",
    )
    sent = outbound.reply(case_id=case.pk, actor=agent, body="Refunded today.")
    response = api_client(agent).get(f"/api/v1/cases/{case.reference}/messages/")
    assert response.status_code == 200
    first, second = response.json()
    assert first.keys() >= LISTED_KEYS
    assert (first["direction"], first["status"], first["from"]) == ("inbound", None, case.customer.email)
    assert (second["direction"], second["status"], second["id"]) == ("outbound", "queued", sent.pk)
    [attachment] = first["attachments"]
    assert {k: attachment[k] for k in ("name", "size", "content_type")} == {
        "name": "receipt.pdf",
        "size": 8,
        "content_type": "application/pdf",
    }
    download = api_client(agent).get(attachment["url"].replace("http://testserver", ""))
    assert download.status_code in (200, 302)  # the workspace signs in by session, not by token


def test_stage_actions_email_by_default_and_carry_the_message(
    api_client, agent, django_capture_on_commit_callbacks
):
    case = RecoveryCaseFactory(owner=agent, acknowledged=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client(agent).post(
            f"/api/v1/cases/{case.reference}/actions/apologize/", {"note": "We are sorry."}, format="json"
        )
    assert response.status_code == 200, response.json()
    assert response.json()["stage"] == "apologized"
    message = response.json()["message"]
    assert message["direction"] == "outbound" and message["to"] == case.customer.email
    assert [email.body.split("\n")[0] for email in mail.outbox] == ["We are sorry."]


def test_notify_customer_false_records_the_stage_and_sends_nothing(api_client, agent):
    case = RecoveryCaseFactory(owner=agent, apologized=True)
    response = api_client(agent).post(
        f"/api/v1/cases/{case.reference}/actions/resolve/",
        {"resolution": "Refunded.", "notify_customer": False},
        format="json",
    )
    assert response.status_code == 200
    assert "message" not in response.json()
    assert not Message.objects.exists()


def test_notify_customer_true_for_an_opted_out_customer_is_409_and_the_stage_stays(api_client, agent):
    case = RecoveryCaseFactory(owner=agent, customer=CustomerFactory(contact_opt_out=True))
    response = api_client(agent).post(
        f"/api/v1/cases/{case.reference}/actions/acknowledge/", {"notify_customer": True}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["detail"] == "The customer asked not to be contacted."
    case.refresh_from_db()
    assert case.stage == Stage.NEW and not Message.objects.exists()
    # Without the flag the default follows the customer: acknowledged, nobody emailed.
    response = api_client(agent).post(
        f"/api/v1/cases/{case.reference}/actions/acknowledge/", {}, format="json"
    )
    assert response.status_code == 200 and "message" not in response.json()


def test_notify_customer_on_an_action_that_speaks_to_nobody_is_refused(api_client, agent):
    case = RecoveryCaseFactory(owner=agent)
    response = api_client(agent).post(
        f"/api/v1/cases/{case.reference}/actions/hold/",
        {"reason": "Waiting", "notify_customer": True},
        format="json",
    )
    assert response.status_code == 400
    assert "notify_customer" in response.json()
