"""Email notifications through an outbox (`Notification` rows), so none is lost and none is sent twice.

`queue_email` is called inside the transaction of the event that causes the email; the row commits
or rolls back with it. After commit a task calls `deliver`, which claims the row with a conditional
UPDATE, sends, and marks it sent. `resend_unsent` picks up rows whose task never ran.
"""

from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Notification, RecoveryCase

# Long enough for one SMTP conversation to finish; a sender killed mid-send frees the row after it.
CLAIM_LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 8
# Rows older than this with no send are taken to have lost their task (broker down, worker killed).
RESEND_AFTER = timedelta(minutes=2)
RESEND_BATCH_SIZE = 200  # bounded so one periodic run stays well under the task time limit


def queue_email(
    *,
    to: str,
    template: str,
    context: dict,
    case: RecoveryCase | None = None,
    dedupe_key: str | None = None,
) -> Notification | None:
    """Write one email to the outbox and send it after commit. None when `dedupe_key` was used before.

    Renders `templates/notifications/<template>.txt`: first line the subject, the rest the body.
    """
    if not to:
        return None
    subject, _, body = render_to_string(
        f"notifications/{template}.txt", {"case": case, "site_url": settings.SITE_URL, **context}
    ).partition("\n")
    try:
        with transaction.atomic():  # a savepoint: a duplicate key must not break the caller's transaction
            notification = Notification.objects.create(
                recipient=to,
                subject=subject.strip()[:255],
                body=body.strip() + "\n",
                template=template,
                case=case,
                dedupe_key=dedupe_key,
            )
    except IntegrityError:
        if dedupe_key and Notification.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        raise
    from .tasks import send_notification  # tasks import this module

    transaction.on_commit(partial(send_notification.delay, notification.pk))
    return notification


def notify_users(
    users, *, template: str, context: dict, case: RecoveryCase | None = None, dedupe_prefix: str | None = None
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

    Raises what the mail backend raises, after recording the attempt, so the task can retry.
    """
    now = timezone.now()
    claimed = Notification.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
        pk=notification_id,
        status=Notification.Status.PENDING,
    ).update(claimed_until=now + CLAIM_LEASE, attempts=F("attempts") + 1)
    if not claimed:
        return False  # sent already, given up on, or being sent by another worker right now
    notification = Notification.objects.get(pk=notification_id)
    try:
        send_mail(
            notification.subject,
            notification.body,
            settings.DEFAULT_FROM_EMAIL,
            [notification.recipient],
            fail_silently=False,
        )
    except Exception as exc:
        gave_up = notification.attempts >= MAX_ATTEMPTS
        Notification.objects.filter(pk=notification_id).update(
            claimed_until=None,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            status=Notification.Status.FAILED if gave_up else Notification.Status.PENDING,
        )
        raise
    Notification.objects.filter(pk=notification_id).update(
        status=Notification.Status.SENT, sent_at=timezone.now(), claimed_until=None, last_error=""
    )
    return True


def unsent_ids(*, now=None) -> list[int]:
    """Pending rows old enough that their own task should have sent them, and not claimed right now."""
    now = now or timezone.now()
    return list(
        Notification.objects.filter(status=Notification.Status.PENDING, created_at__lt=now - RESEND_AFTER)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("created_at")
        .values_list("pk", flat=True)[:RESEND_BATCH_SIZE]
    )


def retry(notification_ids) -> int:
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
    from .tasks import send_notification

    for notification_id in ids:
        transaction.on_commit(partial(send_notification.delay, notification_id))
    return len(ids)
