"""Celery tasks: thin interfaces onto services. They take ids, re-check state, and are safe to run twice."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from cases import outbox
from cases.api import idempotency
from cases.conversation.inbound import imap as inbound_imap
from cases.emerging import services as emerging
from cases.follow_ups import sweep as follow_up_sweep
from cases.metrics import snapshots
from cases.root_causes import watch
from cases.sla import sweep as sla_sweep
from cases.webhooks import tasks as webhook_tasks  # noqa: F401  (registers its tasks and dispatcher)

# A sender must finish (or be killed) before its claim on the row runs out, or a second sender could
# take the row while the first is still talking to the mail server: the limits sit inside the lease.
_LEASE_SECONDS = settings.NOTIFICATION_CLAIM_LEASE.total_seconds()


@shared_task(
    bind=True,
    max_retries=outbox.MAX_ATTEMPTS,
    acks_late=True,
    soft_time_limit=_LEASE_SECONDS / 2,
    time_limit=_LEASE_SECONDS * 3 / 4,
)
def send_notification(self, notification_id: int) -> bool:
    try:
        return outbox.deliver(notification_id)
    except outbox.SendFailed as failed:
        if failed.retry_at is None:
            return False  # attempts spent; the row is marked failed for an operator
        # The row stays claimed until `retry_at`, so this retry, not the resend sweep, sends it then.
        raise self.retry(exc=failed, eta=failed.retry_at) from failed


@shared_task
def resend_unsent_notifications() -> int:
    """Re-enqueue outbox rows whose task was lost (broker down at commit, worker killed)."""
    ids = outbox.unsent_ids()
    for notification_id in ids:
        send_notification.delay(notification_id)
    return len(ids)


def dispatch(notification_ids: list[int]) -> None:
    """The outbox's way to its workers: one row its own task (with retries), many rows one task."""
    if len(notification_ids) == 1:
        send_notification.delay(notification_ids[0])
    else:
        send_notifications.delay(notification_ids)


outbox.register_dispatcher(dispatch)


@shared_task(acks_late=True)
def send_notifications(notification_ids: list[int]) -> int:
    """Send outbox rows queued together (by the SLA sweep). One that fails goes on to
    `send_notification`'s retries with backoff, so one bad address does not hold up the rest."""
    sent = 0
    for notification_id in notification_ids:
        try:
            sent += outbox.deliver(notification_id)
        except Exception:
            send_notification.apply_async((notification_id,), countdown=30)
    return sent


# Beat runs it every minute (CELERY_BEAT_SCHEDULE); an overlapping or repeated sweep sends nothing twice.
@shared_task(acks_late=True)
def sweep_sla() -> dict[str, int]:
    return sla_sweep.sweep(now=timezone.now())


@shared_task
def sweep_follow_ups() -> dict[str, int]:
    """Remind owners of follow-ups come due and tell managers of those a day overdue. Beat: every minute."""
    return follow_up_sweep.sweep(now=timezone.now())


@shared_task(acks_late=True)
def refresh_metric_snapshots() -> list[int]:
    """Recompute the dashboard's preset periods (cases.metrics.snapshots); twice only recomputes."""
    return snapshots.refresh_all()


@shared_task
def forget_expired_idempotency_keys() -> int:
    """Delete case-API answers kept past the Idempotency-Key window. Beat: every hour."""
    return idempotency.forget_expired(now=timezone.now())


@shared_task(soft_time_limit=240, time_limit=300)
def poll_imap() -> dict:
    """Take the mail that arrived in the IMAP mailbox (cases.conversation.inbound.imap); scheduled only
    when MEND_IMAP_HOST is set."""
    result = inbound_imap.poll()
    return {"taken": result.taken, "refused": result.refused, "deferred": result.deferred}


@shared_task(soft_time_limit=480, time_limit=540)
def detect_emerging_issues() -> int | None:
    """Group the last day's negative feedback and mark what is emerging. Beat: every 10 minutes; a second
    run in the same 10-minute slot does nothing (cases.emerging.services.run claims the slot)."""
    claimed = emerging.run(now=timezone.now())
    return claimed.emerging if claimed else None


@shared_task(acks_late=True)
def close_watch_windows() -> dict[str, int]:
    """Verify root causes whose watch window ended with no recurrence (cases.root_causes.watch). Beat:
    hourly; each window is claimed by a conditional UPDATE, so two runs close it once."""
    return watch.close_ended_windows(now=timezone.now())
