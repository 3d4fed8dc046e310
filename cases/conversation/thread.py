"""The conversation as the case screen and the API read it: messages, oldest first, with their files."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet

from cases.models import Attachment, Message, RecoveryCase


def messages(*, case_id: int) -> QuerySet[Message]:
    return (
        Message.objects.filter(case_id=case_id)
        .select_related("case", "author", "notification")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


def attachments_by_message(found: list[Message]) -> dict[int, list[Attachment]]:
    """The files of these messages in one query (none when there are no messages)."""
    grouped: dict[int, list[Attachment]] = defaultdict(list)
    if found:
        for attachment in Attachment.objects.filter(message__in=[m.pk for m in found]).order_by("id"):
            grouped[attachment.message_id].append(attachment)
    return grouped


@dataclass(frozen=True)
class MessageEntry:
    """One message as the case screen draws it in the timeline: a speech bubble, with its state."""

    message: Message
    who: str
    inbound: bool
    state: str  # "" for the customer's messages; queued, sent, failed or bounced for the agent's
    failure: str = ""  # why a failed message failed, as the mail server said
    files: list[Attachment] = field(default_factory=list)

    @property
    def at(self) -> datetime:
        return self.message.created_at


def entries(case: RecoveryCase, found: list[Message]) -> list[MessageEntry]:
    files = attachments_by_message(found)
    drawn = []
    for message in found:
        inbound = message.direction == Message.Direction.INBOUND
        if inbound:
            who = case.customer.name or message.from_address
        elif message.author is not None:
            who = message.author.get_full_name() or message.author.get_username()
        else:
            who = "Mend"
        failure = ""
        if message.status == Message.Status.FAILED and message.notification is not None:
            failure = message.notification.last_error
        state = "" if inbound else message.status
        drawn.append(MessageEntry(message, who, inbound, state, failure, files.get(message.pk, [])))
    return drawn


def interleave(events: list, messages: list[MessageEntry]) -> list:
    """The timeline's lines and the conversation's bubbles in one list, newest first (as the timeline)."""
    return sorted(
        [*events, *messages],
        key=lambda item: item.at if isinstance(item, MessageEntry) else item.event.created_at,
        reverse=True,
    )
