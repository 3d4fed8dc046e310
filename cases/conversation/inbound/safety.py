"""The checks a message passes before anything is written: size, loops, and the sender's hourly limit.

Loops: an auto-responder answering Mend's email, and Mend answering it back, would write to each other
forever. RFC 3834 marks automatic mail with `Auto-Submitted` (anything but "no"); list and bulk mail
carries `Precedence` or `List-Id`; older responders say `X-Autoreply`. Mail from Mend's own addresses
is an echo of itself. All of them are ignored: stored nowhere, answered never.
"""

import hashlib
import logging
from email.utils import parseaddr

from django.conf import settings
from django.core.cache import cache

from cases.conversation.inbound.errors import Refused
from cases.conversation.inbound.parsing import InboundEmail
from recovery.logs import record

logger = logging.getLogger(__name__)

MEGABYTE = 1024 * 1024


def check_size(raw: bytes) -> None:
    limit = settings.MEND_INBOUND_MAX_MESSAGE_BYTES
    if len(raw) > limit:
        record(logger, "inbound.refused_size", level=logging.WARNING, size=len(raw), limit=limit)
        raise Refused(f"message of {len(raw)} bytes is over the {_megabytes(limit)} limit")


def check_attachments(email: InboundEmail) -> None:
    limit = settings.MEND_INBOUND_MAX_ATTACHMENT_BYTES
    for part in email.attachments:
        if len(part.content) > limit:
            record(
                logger,
                "inbound.refused_attachment",
                level=logging.WARNING,
                message_id=email.message_id,
                size=len(part.content),
                limit=limit,
            )
            raise Refused(f"attachment of {len(part.content)} bytes is over the {_megabytes(limit)} limit")


def loop_reason(email: InboundEmail) -> str | None:
    """Why this message must not be answered or filed, or None when a person wrote it."""
    headers = email.headers
    auto_submitted = headers["auto-submitted"].strip().lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return f"Auto-Submitted: {auto_submitted}"
    precedence = headers["precedence"].strip().lower()
    if precedence in ("bulk", "junk", "list"):
        return f"Precedence: {precedence}"
    if headers["x-autoreply"] or headers["x-autorespond"]:
        return "X-Autoreply"
    if headers["list-id"]:
        return "List-Id"
    if is_ours(email.sender):
        return "from Mend itself"
    return None


def is_ours(address: str) -> bool:
    address = address.lower()
    _name, default_from = parseaddr(settings.DEFAULT_FROM_EMAIL)
    domain = address.rpartition("@")[2]
    return domain == settings.MEND_REPLY_DOMAIN.lower() or address == default_from.lower()


def take_feedback_allowance(sender: str) -> None:
    """Count one new feedback from `sender` this hour; Refused (temporary) past the hourly limit.

    Replies to a case are not counted: a customer in a conversation may write as often as they like.
    The counter lives in the cache (Redis), shared by every door and every process."""
    limit = settings.MEND_INBOUND_FEEDBACK_PER_HOUR
    key = "inbound-feedback:" + hashlib.sha256(sender.encode()).hexdigest()[:32]
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    if count > limit:
        record(logger, "inbound.rate_limited", level=logging.WARNING, limit=limit)
        raise Refused(f"sender sent more than {limit} new feedback this hour", temporary=True)


def _megabytes(size: int) -> str:
    return f"{size / MEGABYTE:g} MB"
