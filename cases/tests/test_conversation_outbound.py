"""Outbound messages: who may be written to, what the email carries, and its delivery state."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import outbox
from cases.conversation import outbound
from cases.conversation.addresses import case_for_reply_address
from cases.models import Message, Notification, Stage
from cases.tests.factories import RecoveryCaseFactory
from feedback.models import Customer
from feedback.tests.factories import CustomerFactory
from recovery.errors import Conflict, InvalidInput

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"email": ""}, "The customer has no email address."),
        ({"contact_opt_out": True}, "The customer asked not to be contacted."),
        ({"external_id": "erased-1", "email": ""}, "The customer's data was erased."),
    ],
)
def test_a_customer_who_may_not_be_emailed_gets_nothing_and_the_stage_stays(agent, changes, reason):
    case = RecoveryCaseFactory(owner=agent, customer=CustomerFactory(**changes))
    assert outbound.reach(case.customer).reason == reason
    assert outbound.notify_by_default(case) is False
    with pytest.raises(outbound.NotContactable, match=reason):
        outbound.perform_stage("acknowledge", case_id=case.pk, actor=agent, notify_customer=True)
    case.refresh_from_db()
    assert case.stage == Stage.NEW
    assert not Message.objects.exists() and not Notification.objects.exists()


def test_acknowledge_emails_the_default_acknowledgement_by_default(agent, django_capture_on_commit_callbacks):
    case = RecoveryCaseFactory(
        owner=agent, title="Parcel crushed", customer=CustomerFactory(name="Ana Lopez")
    )
    with django_capture_on_commit_callbacks(execute=True):
        case, message = outbound.perform_stage("acknowledge", case_id=case.pk, actor=agent)
    assert case.stage == Stage.ACKNOWLEDGED
    assert message is not None and "Dear Ana Lopez" in message.body and case.reference in message.body
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    [email] = mail.outbox
    assert email.subject == f"Re: [{case.reference}] Parcel crushed"
    assert email.reply_to == [message.reply_to]
    assert case_for_reply_address(message.reply_to) == case
    assert email.extra_headers["Message-ID"] == message.message_id
    assert "In-Reply-To" not in email.extra_headers  # the customer has not written by email yet
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html" and "Dear Ana Lopez" in html and "Alice" in email.body


def test_a_reply_threads_under_the_customers_last_message_and_keeps_the_stage(
    agent, django_capture_on_commit_callbacks
):
    case = RecoveryCaseFactory(owner=agent, acknowledged=True)
    for number in (1, 2):
        Message.objects.create(
            case=case,
            direction=Message.Direction.INBOUND,
            status=Message.Status.RECEIVED,
            from_address=case.customer.email,
            to_address="x@reply.localhost",
            subject="Charged twice",
            body=f"Answer {number}",
            message_id=f"<customer-{number}@example.com>",
            references="<first@example.com>" if number == 2 else "",
        )
    upload = SimpleUploadedFile("receipt.txt", b"refund 88231", content_type="text/plain")
    with django_capture_on_commit_callbacks(execute=True):
        message = outbound.reply(case_id=case.pk, actor=agent, body="It is refunded today.", files=[upload])
    case.refresh_from_db()
    assert case.stage == Stage.ACKNOWLEDGED
    [email] = mail.outbox
    assert email.extra_headers["In-Reply-To"] == "<customer-2@example.com>"
    assert email.extra_headers["References"] == "<first@example.com> <customer-2@example.com>"
    assert email.attachments[0][:2] == ("receipt.txt", "refund 88231")
    assert message.attachments.get().size == len(b"refund 88231")


def test_a_file_over_10_mb_is_refused_and_nothing_is_stored(agent):
    case = RecoveryCaseFactory(owner=agent)
    big = SimpleUploadedFile("big.bin", b"x" * (10 * 1024 * 1024 + 1))
    with pytest.raises(InvalidInput, match="larger than 10 MB"):
        outbound.reply(case_id=case.pk, actor=agent, body="See attached", files=[big])
    assert not Message.objects.exists() and not Notification.objects.exists()


def test_a_closed_case_takes_no_reply(agent):
    case = RecoveryCaseFactory(owner=agent, closed=True)
    with pytest.raises(Conflict, match="closed"):
        outbound.reply(case_id=case.pk, actor=agent, body="Hello")


def test_a_message_the_mail_server_keeps_refusing_is_marked_failed(agent, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 18949, 2  # nobody there
    case = RecoveryCaseFactory(owner=agent)
    message = outbound.reply(case_id=case.pk, actor=agent, body="Hello")
    Notification.objects.filter(pk=message.notification_id).update(attempts=outbox.MAX_ATTEMPTS - 1)
    with pytest.raises(outbox.SendFailed):
        outbox.deliver(message.notification_id)
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert Customer.objects.count() == 1
