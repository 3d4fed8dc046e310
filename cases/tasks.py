"""Celery tasks: thin interfaces onto services. They take ids, re-check state, and are safe to run twice."""

from celery import shared_task
from django.utils import timezone

from . import notifications, sla_sweep


@shared_task(bind=True, max_retries=notifications.MAX_ATTEMPTS, acks_late=True)
def send_notification(self, notification_id: int) -> bool:
    try:
        return notifications.deliver(notification_id)
    except Exception as exc:
        # Backoff 30 s, 60 s, 120 s ... capped at an hour; the resend sweep is the net under this.
        raise self.retry(exc=exc, countdown=min(30 * 2**self.request.retries, 3600)) from exc


@shared_task
def resend_unsent_notifications() -> int:
    """Re-enqueue outbox rows whose task was lost (broker down at commit, worker killed)."""
    ids = notifications.unsent_ids()
    for notification_id in ids:
        send_notification.delay(notification_id)
    return len(ids)


@shared_task(acks_late=True)
def send_notifications(notification_ids: list[int]) -> int:
    """Send outbox rows queued together (by the SLA sweep). One that fails goes on to
    `send_notification`'s retries with backoff, so one bad address does not hold up the rest."""
    sent = 0
    for notification_id in notification_ids:
        try:
            sent += notifications.deliver(notification_id)
        except Exception:
            send_notification.apply_async((notification_id,), countdown=30)
    return sent


# Beat runs it every minute (CELERY_BEAT_SCHEDULE); an overlapping or repeated sweep sends nothing twice.
@shared_task(acks_late=True)
def sweep_sla() -> dict[str, int]:
    return sla_sweep.sweep(now=timezone.now())
