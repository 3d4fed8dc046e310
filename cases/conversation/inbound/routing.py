"""Which case a message answers, first match wins:

1. our signed reply address in To or Cc (`cases.conversation.addresses`);
2. a Message-ID of ours (an outbound message's) in In-Reply-To or References;
3. `[RC-000042]` in the subject, from that case's customer's own address.

A reference in the subject is easy to type, so it counts only from the customer the case is about; the
first two are proof a person got Mend's email. None: the message is new feedback.
"""

import re
from dataclasses import dataclass

from cases.conversation.addresses import case_for_reply_address
from cases.conversation.inbound.parsing import InboundEmail
from cases.models import Message, RecoveryCase, parse_reference

_SUBJECT_REFERENCE = re.compile(r"\[(RC-\d{1,12})\]", re.IGNORECASE)


@dataclass(frozen=True)
class Route:
    case: RecoveryCase
    matched_by: str  # "reply address", "thread" or "subject reference"


def route(email: InboundEmail) -> Route | None:
    for address in email.to:
        case = case_for_reply_address(address)
        if case is not None:
            return Route(case, "reply address")
    answered = email.their_message_ids
    if answered:
        ours = (
            Message.objects.filter(message_id__in=answered, direction=Message.Direction.OUTBOUND)
            .select_related("case__customer")
            .first()
        )
        if ours is not None:
            return Route(ours.case, "thread")
    for reference in _SUBJECT_REFERENCE.findall(email.subject):
        pk = parse_reference(reference)
        case = RecoveryCase.objects.select_related("customer").filter(pk=pk).first() if pk else None
        if case is not None and case.customer.email and case.customer.email.lower() == email.sender:
            return Route(case, "subject reference")
    return None
