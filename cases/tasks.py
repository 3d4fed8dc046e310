"""Celery tasks: thin interfaces onto services. They take ids, re-check state, and are safe to run twice."""

from celery import shared_task

from . import notifications


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
