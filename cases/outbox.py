"""Email notifications through an outbox (`Notification` rows), so none is lost and none is sent twice.

`queue_email` is called inside the transaction of the event that causes the email; the row commits
or rolls back with it. After commit the outbox hands the row's id to the dispatcher `cases.tasks`
registered (the outbox never imports the task layer), and a task calls `deliver`, which claims the row
with a conditional UPDATE, sends, and marks it sent. Handing over is best effort: with the broker down
the request still succeeds, and `unsent_ids` finds the rows whose task never ran.

Delivery is at least once: a sender killed after the mail server accepted a message but before the
row was marked sent leaves it pending, and it is sent again once the claim runs out. Everything short
of that window (a killed worker, a redelivered task, two resend sweeps) sends it once.
"""

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template import engines
from django.utils import timezone
from kombu.exceptions import KombuError

from cases.models import Message, Notification, RecoveryCase
from feedback.models import Customer
from recovery.languages.services import speaking
from recovery.logs import record
from recovery.roles import User

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# After the n-th failed attempt the row rests FIRST_RETRY_DELAY * 2**(n-1), capped: 30 s, 1 min, 2 min
# ... so eight attempts span about an hour of mail-server trouble before an operator must look.
FIRST_RETRY_DELAY = timedelta(seconds=30)
MAX_RETRY_DELAY = timedelta(hours=1)
RESEND_BATCH_SIZE = 200  # bounded so one periodic run stays well under the task time limit

# Hands committed rows' ids to the workers; `cases.tasks` registers it when Celery discovers tasks.
Dispatcher = Callable[[list[int]], None]
_dispatcher: Dispatcher | None = None


def register_dispatcher(dispatch: Dispatcher) -> None:
    global _dispatcher
    _dispatcher = dispatch


# Set by `kept_back()`: rows are written but not handed to the workers.
_keeping_back: ContextVar[bool] = ContextVar("outbox_keeping_back", default=False)


@contextmanager
def kept_back() -> Iterator[None]:
    """Emails queued inside are written but never handed to the workers: for the demo data, whose
    past's emails are recorded as never sent (it deletes them) rather than sent late."""
    token = _keeping_back.set(True)
    try:
        yield
    finally:
        _keeping_back.reset(token)


def send_after_commit(notification_ids: list[int]) -> None:
    if notification_ids and not _keeping_back.get():
        transaction.on_commit(partial(_dispatch, list(notification_ids)))


def _dispatch(notification_ids: list[int]) -> None:
    """Best effort: the rows are committed whatever happens here, and the resend sweep finds any whose
    task was never enqueued. A broker error must not turn a request that has succeeded into a 500."""
    if _dispatcher is None:
        record(logger, "outbox.no_dispatcher", level=logging.WARNING, notification_ids=notification_ids)
        return
    try:
        _dispatcher(notification_ids)
    except (KombuError, OSError) as error:
        record(
            logger,
            "outbox.enqueue_failed",
            level=logging.WARNING,
            notification_ids=notification_ids,
            error=type(error).__name__,
        )


class SendFailed(Exception):
    """The mail backend refused a notification. `retry_at` is when it may be tried again, or None:
    the attempts are spent and the row is marked failed."""

    def __init__(self, message: str, *, retry_at: datetime | None):
        super().__init__(message)
        self.retry_at = retry_at


def claim_lease() -> timedelta:
    """How long one sender holds a row (settings.NOTIFICATION_CLAIM_LEASE)."""
    return settings.NOTIFICATION_CLAIM_LEASE


def render_email(template: str, context: dict) -> tuple[str, str]:
    """Subject and body of `templates/notifications/<template>.txt` (first line the subject), as plain text.

    The subject is one line whatever a customer typed into their name or comment: every line break
    (CR, LF, Unicode separators) becomes a space, so no text can add a header to the message.
    """
    text = engines["text"].get_template(f"notifications/{template}.txt").render(context)
    subject, _, body = text.partition("\n")
    return " ".join(subject.split())[:255], body.strip() + "\n"


def retry_delay(attempts: int) -> timedelta:
    return min(FIRST_RETRY_DELAY * 2 ** max(attempts - 1, 0), MAX_RETRY_DELAY)


def queue_email(
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    case: RecoveryCase | None = None,
    dedupe_key: str | None = None,
    customer: Customer | None = None,
) -> Notification | None:
    """Write one email to the outbox and send it after commit. None when `dedupe_key` was used before.

    Renders `templates/notifications/<template>.txt`: first line the subject, the rest the body. An
    email to a `customer` is written in their language (`recovery.languages.services.speaking`).
    """
    if not to:
        return None
    with speaking(customer) if customer is not None else nullcontext():
        subject, body = render_email(template, {"case": case, "site_url": settings.SITE_URL, **context})
    try:
        with transaction.atomic():  # a savepoint: a duplicate key must not break the caller's transaction
            notification = Notification.objects.create(
                recipient=to,
                subject=subject,
                body=body,
                template=template,
                case=case,
                dedupe_key=dedupe_key,
            )
    except IntegrityError:
        if dedupe_key and Notification.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        raise
    send_after_commit([notification.pk])
    return notification


def notify_users(
    users: Iterable[User],
    *,
    template: str,
    context: dict[str, Any],
    case: RecoveryCase | None = None,
    dedupe_prefix: str | None = None,
) -> list[Notification]:
    """Email each user with an address once; `dedupe_prefix` + user id makes it once per cause."""
    queued = []
    for user in users:
        key = f"{dedupe_prefix}:user:{user.pk}" if dedupe_prefix else None
        notification = queue_email(
            to=user.email,
            template=template,
            context={"recipient": user, **context},
            case=case,
            dedupe_key=key,
        )
        if notification:
            queued.append(notification)
    return queued


def deliver(notification_id: int) -> bool:
    """Send one outbox row if nobody else is sending it. True when this call sent it.

    1. Claim: a conditional UPDATE takes the row for `claim_lease()` if it is pending and unclaimed
       (or its claim ran out: that sender died). Of two callers, one UPDATE matches and one does not.
    2. Send outside any transaction: SMTP can be slow and must not hold row locks.
    3. Mark it sent. On failure keep the row claimed until its retry moment, so the resend sweep
       leaves it to the retry instead of starting a second retry chain, and raise `SendFailed`.
    """
    now = timezone.now()
    claimed = Notification.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lte=now),
        pk=notification_id,
        status=Notification.Status.PENDING,
    ).update(claimed_until=now + claim_lease(), attempts=F("attempts") + 1)
    if not claimed:
        return False  # sent already, given up on, or being sent by another worker right now
    notification = Notification.objects.get(pk=notification_id)
    try:
        _send(notification)
    except Exception as exc:
        # A refusal quotes the address (SMTPRecipientsRefused), and this message reaches the worker's
        # log through the retry: the row already says who it was for.
        error = f"{type(exc).__name__}: {exc}".replace(notification.recipient, "<recipient>")[:2000]
        retry_at = _record_failure(notification, error=error)
        record(
            logger,
            "outbox.send_failed",
            level=logging.WARNING,
            notification_id=notification_id,
            attempts=notification.attempts,
            error=type(exc).__name__,
            retry_at=retry_at.isoformat() if retry_at else None,
        )
        raise SendFailed(error, retry_at=retry_at) from None  # the cause would quote the address again
    Notification.objects.filter(pk=notification_id).update(
        status=Notification.Status.SENT, sent_at=timezone.now(), claimed_until=None, last_error=""
    )
    Message.objects.filter(notification_id=notification_id, status=Message.Status.QUEUED).update(
        status=Message.Status.SENT
    )
    record(logger, "outbox.sent", notification_id=notification_id, attempts=notification.attempts)
    return True


def _send(notification: Notification) -> None:
    """Plain notifications as text; a customer message (it has headers) as text plus its HTML
    alternative, with its threading headers, its Reply-To and the files the agent attached."""
    if not notification.headers and not notification.body_html:
        send_mail(
            notification.subject,
            notification.body,
            settings.DEFAULT_FROM_EMAIL,
            [notification.recipient],
            fail_silently=False,
        )
        return
    headers = dict(notification.headers)
    reply_to = headers.pop("Reply-To", "")
    email = EmailMultiAlternatives(
        notification.subject,
        notification.body,
        settings.DEFAULT_FROM_EMAIL,
        [notification.recipient],
        reply_to=[reply_to] if reply_to else None,
        headers=headers,
    )
    if notification.body_html:
        email.attach_alternative(notification.body_html, "text/html")
    message = Message.objects.filter(notification_id=notification.pk).first()
    for attachment in message.attachments.all() if message else []:
        with attachment.file.open("rb") as stored:
            email.attach(attachment.name, stored.read(), attachment.content_type)
    email.send(fail_silently=False)


def _record_failure(notification: Notification, *, error: str) -> datetime | None:
    if notification.attempts >= MAX_ATTEMPTS:
        Notification.objects.filter(pk=notification.pk).update(
            status=Notification.Status.FAILED, claimed_until=None, last_error=error
        )
        Message.objects.filter(notification_id=notification.pk, status=Message.Status.QUEUED).update(
            status=Message.Status.FAILED
        )
        return None
    retry_at = timezone.now() + retry_delay(notification.attempts)
    Notification.objects.filter(pk=notification.pk).update(claimed_until=retry_at, last_error=error)
    return retry_at


def unsent_ids(*, now: datetime | None = None) -> list[int]:
    """Pending rows old enough that their own task should have sent them, and not claimed right now."""
    now = now or timezone.now()
    resend_after = settings.NOTIFICATION_RESEND_AFTER
    return list(
        Notification.objects.filter(status=Notification.Status.PENDING, created_at__lt=now - resend_after)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
        .order_by("created_at")
        .values_list("pk", flat=True)[:RESEND_BATCH_SIZE]
    )


@dataclass(frozen=True)
class Email:
    to: str
    template: str
    context: dict[str, Any]
    case_id: int | None  # the case it is about, if only one
    dedupe_key: str  # required: it is how `queue_many` finds the rows it wrote


def queue_many(emails: list[Email]) -> int:
    """`queue_email` for many emails at once (the SLA sweep): one INSERT, keys used before skipped,
    and one send task for the lot after commit. Returns how many rows wait to be sent."""
    rows = [_compose(email) for email in emails if email.to]
    if not rows:
        return 0
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    ids = list(
        Notification.objects.filter(
            dedupe_key__in=[row.dedupe_key for row in rows], status=Notification.Status.PENDING
        ).values_list("pk", flat=True)
    )
    send_after_commit(ids)
    return len(ids)


def _compose(email: Email) -> Notification:
    context = {"site_url": settings.SITE_URL, **email.context}
    subject, body = render_email(email.template, context)
    return Notification(
        recipient=email.to,
        subject=subject,
        body=body,
        template=email.template,
        case_id=email.case_id,
        dedupe_key=email.dedupe_key,
    )


def retry(notification_ids: Iterable[int]) -> int:
    """Send these unsent emails again now; failed ones get a fresh retry budget. Returns how many.

    Sent emails are left alone, and a row another worker is sending right now stays claimed by it.
    """
    ids = list(
        Notification.objects.filter(pk__in=notification_ids)
        .exclude(status=Notification.Status.SENT)
        .values_list("pk", flat=True)
    )
    Notification.objects.filter(pk__in=ids, status=Notification.Status.FAILED).update(
        status=Notification.Status.PENDING, attempts=0, last_error=""
    )
    Message.objects.filter(notification_id__in=ids, status=Message.Status.FAILED).update(
        status=Message.Status.QUEUED
    )
    for notification_id in ids:
        send_after_commit([notification_id])  # one task each: one bad address holds up no other
    return len(ids)
