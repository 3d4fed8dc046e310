"""One pipeline for every door (the MTA pipe, the providers' webhooks, IMAP): `receive(raw, door=...)`.

In order, each step able to end it:
1. size: over MEND_INBOUND_MAX_MESSAGE_BYTES, refused before it is even parsed;
2. parse: no readable sender, refused;
3. a delivery report (bounce) marks Mend's outbound message bounced, and ends there;
4. loops: automatic mail and Mend's own are ignored;
5. attachments over MEND_INBOUND_MAX_ATTACHMENT_BYTES each: refused;
6. a Message-ID already stored: a duplicate, taken once already;
7. routing (`routing`): onto its case (reopening it, or opening a follow-on case if it closed long ago),
   or else new feedback through the API's intake and triage, within the sender's hourly allowance.
The writes of 7 are one transaction: the message, its attachments, its raw source and the case's
change all commit, or none does (files written before a rollback are deleted again).
"""

import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import events, notices, services, workflow
from cases.conversation.inbound import bounces, content, routing, safety
from cases.conversation.inbound.errors import Refused
from cases.conversation.inbound.parsing import InboundEmail, parse
from cases.models import Attachment, CaseEvent, Message, Notice, RecoveryCase, Stage
from cases.webhooks import outbox as webhooks
from feedback import intake
from feedback.models import Channel, Customer, Feedback
from recovery.errors import InvalidInput
from recovery.logs import record
from recovery.roles import Role, User

logger = logging.getLogger(__name__)

# The intake client every email's feedback is filed under: it holds the idempotency keys (one per
# Message-ID), and, being untrusted, never changes a known customer's contact details.
EMAIL_CLIENT_USERNAME = "mend-inbound-email"
REOPEN_REASON = "Customer replied"


@dataclass(frozen=True)
class Outcome:
    action: str  # "reply", "feedback", "duplicate", "ignored" or "bounce"
    detail: str
    case: RecoveryCase | None = None
    message: Message | None = None
    feedback: Feedback | None = None


def receive(raw: bytes, *, door: str) -> Outcome:
    """Take one RFC 5322 message; Refused (nothing stored) when it cannot be taken."""
    safety.check_size(raw)
    email = parse(raw)
    if bounces.is_bounce(email):
        with transaction.atomic():
            bounced = bounces.mark_bounced(email)
        detail = f"bounce of {bounced.message_id}" if bounced else "bounce of no message of ours"
        return _done(Outcome("bounce", detail, case=bounced.case if bounced else None), email, door)
    reason = safety.loop_reason(email)
    if reason is not None:
        return _done(Outcome("ignored", reason), email, door)
    safety.check_attachments(email)
    if _already_taken(email.message_id):
        return _done(Outcome("duplicate", "already taken"), email, door)
    found = routing.route(email)
    if found is None:
        safety.take_feedback_allowance(email.sender)
    written: list[str] = []
    try:
        with transaction.atomic():
            outcome = _land(email, found, written) if found else _new_feedback(email, written)
    except IntegrityError:
        _delete(written)
        if _already_taken(email.message_id):  # the same message through another door, just now
            return _done(Outcome("duplicate", "already taken"), email, door)
        raise
    except BaseException:
        _delete(written)
        raise
    return _done(outcome, email, door)


def _done(outcome: Outcome, email: InboundEmail, door: str) -> Outcome:
    record(
        logger,
        f"inbound.{outcome.action}",
        door=door,
        message_id=email.message_id,
        case=outcome.case.pk if outcome.case else None,
        detail=outcome.detail,
    )
    return outcome


def _already_taken(message_id: str) -> bool:
    return (
        Message.objects.filter(message_id=message_id).exists()
        or Feedback.objects.filter(
            client__username=EMAIL_CLIENT_USERNAME, idempotency_key=_idempotency_key(message_id)
        ).exists()
    )


def _land(email: InboundEmail, found: routing.Route, written: list[str]) -> Outcome:
    case, detail = found.case, f"onto its case by {found.matched_by}"
    reopened = False
    if case.stage == Stage.CLOSED:
        window = timedelta(days=settings.MEND_INBOUND_REOPEN_DAYS)
        if case.closed_at is not None and case.closed_at >= timezone.now() - window:
            case = workflow.reopen_for_customer(case_id=case.pk, reason=REOPEN_REASON, via="email")
            detail += ", reopened"
            reopened = True
        else:
            case = _follow_on_case(case, email)
            detail += f", closed long ago: opened {case.reference}"
    message = _store_message(case, email, written)
    # A quiet line: the words themselves are the message's, drawn by the conversation thread.
    events.record(
        case,
        CaseEvent.Kind.MESSAGE_RECEIVED,
        data={"message": message.pk, "from": email.sender, "matched_by": found.matched_by},
    )
    _tell_owner(case, message, reopened=reopened)
    return Outcome("reply", detail, case=case, message=message)


def _tell_owner(case: RecoveryCase, message: Message, *, reopened: bool) -> None:
    """The case's owner hears of the customer's reply (or of the reopening it caused) in the bell."""
    if case.owner is None:
        return
    if reopened:
        kind, template = Notice.Kind.REOPENED, "case_reopened"
        text = _("The customer wrote again and reopened %(case)s.") % {"case": case.reference}
    else:
        kind, template = Notice.Kind.CUSTOMER_REPLY, "customer_reply"
        text = _("The customer replied on %(case)s.") % {"case": case.reference}
    notices.notify(
        [case.owner],
        kind=kind,
        case=case,
        text=text,
        email_template=template,
        dedupe_prefix=f"message:{message.pk}:{kind}",
    )


def _follow_on_case(closed: RecoveryCase, email: InboundEmail) -> RecoveryCase:
    """A new case for a reply to a case closed over MEND_INBOUND_REOPEN_DAYS ago, each naming the other."""
    owner = closed.owner if closed.owner is not None and closed.owner.is_active else None
    case = services.open_case(
        customer=closed.customer,
        title=email.subject or f"Reply to {closed.reference}",
        severity=closed.severity,
        channel=Channel.EMAIL,
        description=f"The customer answered {closed.reference}, closed on {closed.closed_at:%Y-%m-%d}.",
        owner=owner,
    )
    events.record(
        closed,
        CaseEvent.Kind.MESSAGE_RECEIVED,
        message=f"The customer wrote again; their email opened {case.reference}.",
        data={"opened": case.reference},
    )
    return case


def _new_feedback(email: InboundEmail, written: list[str]) -> Outcome:
    """The API's intake with the email as its comment; a negative one opens (or joins) a case, and
    then the email itself lands on that case too."""
    body, _html = _shown(email)
    known = Customer.objects.filter(email__iexact=email.sender).order_by("pk").first()
    customer = intake.CustomerInput(
        external_id=known.external_id if known else f"email:{email.sender}"[:128],
        name=email.sender_name,
        email=email.sender,
    )
    payload = intake.FeedbackInput(
        channel=Channel.EMAIL,
        customer=customer,
        comment="\n\n".join(text for text in (email.subject, body) if text),
        metadata={"message_id": email.message_id, "subject": email.subject},
    )
    try:
        result = intake.submit(
            client=email_client(), idempotency_key=_idempotency_key(email.message_id), payload=payload
        )
    except InvalidInput as error:
        raise Refused(f"not feedback: {error}") from error
    feedback = result.feedback
    if result.replayed:
        return Outcome("duplicate", "already taken", feedback=feedback)
    if feedback.case_id is None:
        return Outcome("feedback", f"new {feedback.sentiment} feedback", feedback=feedback)
    case = RecoveryCase.objects.get(pk=feedback.case_id)
    message = _store_message(case, email, written)
    events.record(
        case,
        CaseEvent.Kind.MESSAGE_RECEIVED,
        data={"message": message.pk, "from": email.sender, "feedback": feedback.pk},
    )
    return Outcome("feedback", f"new negative feedback on {case.reference}", case, message, feedback)


def email_client() -> User:
    user, created = get_user_model().objects.get_or_create(
        username=EMAIL_CLIENT_USERNAME, defaults={"first_name": "Inbound email"}
    )
    if created:
        user.set_unusable_password()  # a name to file feedback under, never someone who signs in
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get_or_create(name=Role.INTAKE)[0])
    return user


def _idempotency_key(message_id: str) -> str:
    return "email:" + hashlib.sha256(message_id.encode()).hexdigest()


def _shown(email: InboundEmail) -> tuple[str, str]:
    """The text the timeline shows (new words only) and, for an HTML-only message, its sanitised HTML."""
    if email.text.strip():
        return content.new_words(email.text), ""
    return content.new_words(content.html_as_text(email.html)), content.sanitised_html(email.html)


def _store_message(case: RecoveryCase, email: InboundEmail, written: list[str]) -> Message:
    body, body_html = _shown(email)
    message = Message(
        case=case,
        direction=Message.Direction.INBOUND,
        status=Message.Status.RECEIVED,
        from_address=email.sender[:254],
        to_address=(email.to[0] if email.to else "")[:254],
        subject=email.subject,
        body=body,
        body_html=body_html,
        message_id=email.message_id,
        in_reply_to=email.in_reply_to[0] if email.in_reply_to else "",
        references=" ".join(email.references),
    )
    # A file name of Mend's own: the customer's names are kept in `Attachment.name`, never used as paths.
    message.raw.save(f"{uuid.uuid4().hex}.eml", ContentFile(email.raw), save=False)
    written.append(str(message.raw.name))
    message.save(force_insert=True)
    for part in email.attachments:
        attachment = Attachment(
            message=message, name=part.name, size=len(part.content), content_type=part.content_type[:255]
        )
        suffix = PurePosixPath(part.name).suffix.lower()[:16]
        suffix = suffix if suffix[1:].isalnum() else ""
        attachment.file.save(f"{uuid.uuid4().hex}{suffix}", ContentFile(part.content), save=False)
        written.append(str(attachment.file.name))
        attachment.save(force_insert=True)
    webhooks.on_message_received(case_id=case.pk, message_id=message.pk)  # in this transaction
    return message


def _delete(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)
