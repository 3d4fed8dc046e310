"""One RFC 5322 message, read once into the values the pipeline decides on.

Python's own parser (`email`, policy `default`) reads the bytes; it is lenient, so "malformed" here means
what Mend cannot work with: no sender address it can read. Every header is read through `_header`, which
turns a header the parser cannot decode into "" instead of an exception in the middle of the pipeline.
"""

import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from cases.conversation.inbound.errors import Refused

_MESSAGE_ID = re.compile(r"<[^<>\s]+>")


@dataclass(frozen=True)
class Part:
    """An attachment as received: its name, declared type and decoded bytes."""

    name: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class InboundEmail:
    raw: bytes
    sender: str  # the From address, lowercased
    sender_name: str
    to: tuple[str, ...]  # To and Cc addresses, lowercased
    subject: str
    message_id: str  # with angle brackets; made up from the bytes when the message has none
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    text: str  # the text/plain body, or "" when there is none
    html: str  # the text/html body, or ""
    attachments: tuple[Part, ...]
    headers: dict[str, str] = field(repr=False)  # lowercased names of the headers loop detection reads
    message: EmailMessage = field(repr=False, compare=False)

    @property
    def their_message_ids(self) -> tuple[str, ...]:
        """The Message-IDs this message answers, nearest first."""
        return (*self.in_reply_to, *reversed(self.references))


LOOP_HEADERS = ("auto-submitted", "precedence", "x-autoreply", "x-autorespond", "list-id", "return-path")


def parse(raw: bytes) -> InboundEmail:
    """Read `raw`; Refused when it has no sender address Mend could answer or file feedback under."""
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
    except (TypeError, ValueError) as error:  # the parser gives up only on bytes that are not a message
        raise Refused(f"unreadable message ({type(error).__name__})") from error
    name, sender = parseaddr(_header(message, "from"))
    sender = sender.strip().lower()
    try:
        validate_email(sender)
    except ValidationError:
        raise Refused("no valid sender address in From") from None
    recipients = [address for header in ("to", "cc") for address in _addresses(message, header)]
    text, html = map(_storable, _bodies(message))
    return InboundEmail(
        raw=raw,
        sender=sender,
        sender_name=" ".join(name.split())[:200],
        to=tuple(recipients),
        subject=" ".join(_header(message, "subject").split())[:255],
        message_id=next(iter(message_ids(_header(message, "message-id"))), "") or _made_up_id(raw),
        in_reply_to=tuple(message_ids(_header(message, "in-reply-to"))),
        references=tuple(message_ids(_header(message, "references"))),
        text=text,
        html=html,
        attachments=tuple(_attachments(message)),
        headers={name: _header(message, name) for name in LOOP_HEADERS},
        message=message,
    )


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name)
    except (TypeError, ValueError, IndexError, AttributeError):  # an undecodable header reads as absent
        return ""
    return _storable(str(value)) if value is not None else ""


def _storable(text: str) -> str:
    """Text a database can keep: a NUL, or a lone surrogate left by a broken charset, would make the
    message fail where it is stored, not where it is read."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def _addresses(message: EmailMessage, name: str) -> list[str]:
    try:
        values = [str(value) for value in message.get_all(name) or []]
    except (TypeError, ValueError, IndexError, AttributeError):
        return []
    return [address.strip().lower() for _name, address in getaddresses(values) if "@" in address]


def message_ids(value: str) -> list[str]:
    return [match[:255] for match in _MESSAGE_ID.findall(value)]


def _made_up_id(raw: bytes) -> str:
    # Some senders leave Message-ID out. The same bytes delivered twice still get the same id, so
    # the unique constraint still keeps them once.
    return f"<sha256.{hashlib.sha256(raw).hexdigest()}@inbound.mend.invalid>"


def _bodies(message: EmailMessage) -> tuple[str, str]:
    text = html = ""
    try:
        part = message.get_body(preferencelist=("plain",))
        text = part.get_content() if part is not None else ""
        part = message.get_body(preferencelist=("html",))
        html = part.get_content() if part is not None else ""
    except (LookupError, ValueError, TypeError, AttributeError):  # an unknown charset: read it as latin-1
        payload = message.get_payload(decode=True)
        text = payload.decode("latin-1") if isinstance(payload, bytes) else ""
    return str(text), str(html)


def _attachments(message: EmailMessage) -> list[Part]:
    parts: list[Part] = []
    if not message.is_multipart() or message.get_content_type() == "multipart/report":
        return parts  # a report's parts are its machinery, read by `bounces`, not files a person sent
    for part in message.iter_attachments():
        content = part.get_payload(decode=True)
        if not isinstance(content, bytes):  # message/rfc822: a forwarded email, kept as its bytes
            inner = part.get_payload()
            forwarded = inner[0] if isinstance(inner, list) and inner else None
            content = forwarded.as_bytes() if isinstance(forwarded, Message) else b""
        name = part.get_filename() or "attachment"
        parts.append(Part(name=_safe_name(name), content_type=part.get_content_type(), content=content))
    return parts


def _safe_name(name: str) -> str:
    # The name is shown and offered as a download name, never used as a path.
    name = re.sub(r"[\x00-\x1f/\\]", "_", name).strip(" .") or "attachment"
    return name[-255:]
