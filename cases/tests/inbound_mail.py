"""Emails as customers, their mail clients and their mail servers write them, for the inbound tests."""

from email.message import EmailMessage
from email.utils import make_msgid

from django.utils import timezone

from cases.conversation.addresses import new_message_id, reply_address
from cases.models import Message, RecoveryCase

REPLY_TEXT = """Thanks, the refund arrived this morning.

Ana
--
Ana Lopez
Head of Purchasing, ACME

On Tue, 1 Dec 2026 at 10:00, Mend <support@example.com> wrote:
> We are sorry the parcel arrived crushed.
> We have refunded the delivery fee.
"""
REPLY_SHOWN = "Thanks, the refund arrived this morning.\n\nAna"


def email_bytes(
    *,
    sender: str = "Ana Lopez <ana@example.com>",
    to: str = "support@example.com",
    subject: str = "Hello",
    body: str | None = "Hello there",
    html: str | None = None,
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: tuple[tuple[str, bytes, str], ...] = (),
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="customer.example")
    for name, value in (headers or {}).items():
        message[name] = value
    if body is not None:
        message.set_content(body)
        if html is not None:
            message.add_alternative(html, subtype="html")
    elif html is not None:
        message.set_content(html, subtype="html")
    for name, content, content_type in attachments:
        maintype, subtype = content_type.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def outbound_message(case: RecoveryCase, *, author=None, to: str | None = None) -> Message:
    """An email Mend sent the customer, as the outbound half records it (set up directly)."""
    return Message.objects.create(
        case=case,
        direction=Message.Direction.OUTBOUND,
        status=Message.Status.SENT,
        author=author,
        from_address="support@example.com",
        to_address=to or case.customer.email,
        subject=f"Re: [{case.reference}] {case.title}",
        body="We are sorry the parcel arrived crushed.",
        message_id=new_message_id(case),
        reply_to=reply_address(case),
        created_at=timezone.now(),
    )


def reply_to(case: RecoveryCase, *, body: str = REPLY_TEXT, message_id: str | None = None, **extra) -> bytes:
    """The customer's answer to Mend's email about `case`, sent to its signed reply address."""
    return email_bytes(
        sender=f"{case.customer.name} <{case.customer.email}>",
        to=reply_address(case),
        subject=f"Re: [{case.reference}] {case.title}",
        body=body,
        message_id=message_id,
        **extra,
    )


def delivery_report(original_message_id: str, *, recipient: str = "ana@example.com") -> bytes:
    """An RFC 3464 bounce from the customer's mail server (as Postfix writes one), returning the original's
    headers."""
    return f"""\
From: Mail Delivery System <MAILER-DAEMON@mx.customer.example>
To: support@example.com
Subject: Undelivered Mail Returned to Sender
Message-ID: {make_msgid(domain="mx.customer.example")}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"

--BOUNDARY
Content-Type: text/plain; charset=us-ascii

This is the mail system. Your message could not be delivered to <{recipient}>.

--BOUNDARY
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.customer.example

Final-Recipient: rfc822; {recipient}
Action: failed
Status: 5.1.1

--BOUNDARY
Content-Type: text/rfc822-headers

From: support@example.com
To: {recipient}
Subject: Re: your parcel
Message-ID: {original_message_id}

--BOUNDARY--
""".replace("\n", "\r\n").encode()
