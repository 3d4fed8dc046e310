"""Celery tasks of webhooks: thin, take ids, safe to run twice (the delivery row's claim decides)."""

from datetime import timedelta

from celery import shared_task
from django.db.models import Q
from django.utils import timezone

from cases.webhooks import delivery, outbox
from cases.webhooks.models import WebhookDelivery

SWEEP_BATCH = 500  # bounded: one sweep stays short
# A row this old whose task has not claimed it was lost (broker down at commit, worker killed).
LOST_AFTER = timedelta(seconds=30)


@shared_task(
    acks_late=True,
    soft_time_limit=delivery.TIMEOUT_SECONDS + 5,  # a backstop: the POST itself stops at 10 s
    time_limit=delivery.TIMEOUT_SECONDS + 15,  # inside the row's lease, so no second worker overlaps
)
def deliver_webhook(webhook_id: str) -> bool:
    outcome = delivery.deliver(webhook_id)
    if outcome is not None and outcome.retry_at is not None:
        # The row stays claimed until then, so this retry, not the sweep, sends it (the sweep is the net).
        deliver_webhook.apply_async((webhook_id,), eta=outcome.retry_at)
    return bool(outcome and outcome.delivered)


@shared_task(acks_late=True)
def deliver_webhooks(webhook_ids: list[str]) -> int:
    """Many rows written together (the SLA sweep): one task, each row on to its own retries."""
    delivered = 0
    for webhook_id in webhook_ids:
        delivered += deliver_webhook(webhook_id)
    return delivered


def dispatch(webhook_ids: list[str]) -> None:
    if len(webhook_ids) == 1:
        deliver_webhook.delay(webhook_ids[0])
    else:
        deliver_webhooks.delay(webhook_ids)


outbox.register_dispatcher(dispatch)


def due_ids(*, now=None) -> list[str]:
    """Pending rows nobody holds: retries come due, tasks lost, senders killed mid-POST."""
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING)
        .filter(Q(claimed_until__lte=now) | Q(claimed_until__isnull=True, created_at__lt=now - LOST_AFTER))
        .order_by("created_at")
        .values_list("webhook_id", flat=True)[:SWEEP_BATCH]
    )


@shared_task
def resend_due() -> int:
    """Beat: every 30 s. Enqueue what is due; the claim keeps two senders from POSTing one row at once."""
    ids = due_ids()
    for webhook_id in ids:
        deliver_webhook.delay(webhook_id)
    return len(ids)
