"""Delivery reports (RFC 3464 DSNs): an outbound message that did not arrive.

A DSN is `multipart/report; report-type=delivery-status`; it carries the original message, or just its
headers, from which the original Message-ID names Mend's outbound message. That message is marked
bounced and its agent hears of it by email (the outbox). A bounce opens nothing and is never answered.
"""

import logging
from email import message_from_bytes, policy
from email.message import EmailMessage

from cases import events, outbox
from cases.conversation.inbound.parsing import InboundEmail, message_ids
from cases.models import CaseEvent, Message
from recovery.logs import record

logger = logging.getLogger(__name__)


def is_bounce(email: InboundEmail) -> bool:
    message = email.message
    return message.get_content_type() == "multipart/report" and (
        str(message.get_param("report-type", "")).lower() == "delivery-status"
    )


def original_message_id(email: InboundEmail) -> str | None:
    """The Message-ID of the message the report is about, from its returned message or headers."""
    for part in email.message.walk():
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(inner, EmailMessage):
                found = message_ids(str(inner.get("message-id", "")))
                if found:
                    return found[0]
        elif content_type == "text/rfc822-headers":
            content = part.get_payload(decode=True)
            if not isinstance(content, bytes):
                continue

            headers = message_from_bytes(content, policy=policy.default)
            found = message_ids(str(headers.get("message-id", "")))
            if found:
                return found[0]
    return None


def mark_bounced(email: InboundEmail) -> Message | None:
    """Mark the outbound message bounced and tell its agent, once; None when it is not one of ours.
    Runs in the pipeline's transaction."""
    original = original_message_id(email)
    if original is None:
        return None
    message = (
        Message.objects.select_for_update(of=("self",))
        .select_related("case__owner", "author")
        .filter(message_id=original, direction=Message.Direction.OUTBOUND)
        .first()
    )
    if message is None:
        return None
    if message.status == Message.Status.BOUNCED:
        return message  # the same report again: the agent has already been told
    message.status = Message.Status.BOUNCED
    message.save(update_fields=["status"])
    case = message.case
    events.record(
        case,
        CaseEvent.Kind.MESSAGE_BOUNCED,
        message=f"The email to {message.to_address} bounced.",
        data={"message": message.pk},
    )
    agent = message.author or case.owner
    if agent is not None and agent.email:
        outbox.queue_email(
            to=agent.email,
            template="message_bounced",
            context={"message": message, "agent": agent},
            case=case,
            dedupe_key=f"message-bounced:{message.pk}",
        )
    record(logger, "inbound.bounce", case=case.pk, outbound_message=message.pk)
    return message
