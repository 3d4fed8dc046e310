"""A real Celery worker on Redis delivers webhooks, and killing it mid-POST loses no event and no attempt.

The worker is the one `cases/tests/test_celery_worker.py` starts (the real settings, the test database,
its own process group so SIGKILL takes the pool too).
"""

import pytest
from django.db import transaction
from django.utils import timezone

from cases import events
from cases.models import CaseEvent
from cases.tests.factories import RecoveryCaseFactory
from cases.tests.test_celery_worker import start_worker  # noqa: F401  (a fixture)
from cases.webhooks import outbox, services, tasks
from cases.webhooks.models import WebhookAttempt, WebhookDelivery
from cases.webhooks.tests.receiver import Receiver
from conftest import wait_until

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PORT = 19052
EVENTS = 5
WORKER_ENV = {
    "MEND_WEBHOOKS_ALLOW_PRIVATE": "1",
    "MEND_WEBHOOKS_TIMEOUT_SECONDS": "3",
    "MEND_WEBHOOKS_CLAIM_LEASE_SECONDS": "4",  # a killed worker's row is free again after 4 s
}


def all_delivered() -> bool:
    return WebhookDelivery.objects.filter(status=WebhookDelivery.Status.DELIVERED).count() == EVENTS


def test_killing_the_worker_mid_delivery_loses_no_event_and_no_attempt(start_worker, manager, settings):  # noqa: F811
    settings.MEND_WEBHOOKS_ALLOW_PRIVATE = True
    outbox.forget_subscriptions()
    with Receiver(PORT, hold_first=True) as receiver:
        hook = services.create(actor=manager, values={"url": receiver.url, "events": ["case.opened"]})
        worker = start_worker(**WORKER_ENV)
        for _ in range(EVENTS):
            with transaction.atomic():  # each event's transaction; its delivery task is published at commit
                events.record(RecoveryCaseFactory(), CaseEvent.Kind.CREATED)
        assert tasks.deliver_webhook.name in worker.log()  # the worker knows the task

        receiver.holding.wait(30)
        assert receiver.holding.is_set(), worker.log()
        worker.kill()  # mid-POST: the receiver has the request and has not answered
        receiver.release.set()
        first = WebhookDelivery.objects.get(webhook_id=receiver.webhook_ids()[0])

        start_worker(**WORKER_ENV)
        # The killed worker's task is not redelivered before Redis's visibility timeout: the resend
        # sweep (beat, every 30 s) finds the row once its claim has run out.
        wait_until(
            lambda: WebhookDelivery.objects.get(pk=first.pk).claimed_until <= timezone.now(),
            timeout=20,
            what="the killed worker's claim to run out",
        )
        wait_until(
            lambda: WebhookDelivery.objects.filter(status="pending").count() <= 1, timeout=60, what="the rest"
        )
        assert first.webhook_id in tasks.due_ids()
        tasks.resend_due.delay()
        wait_until(all_delivered, timeout=60, what="every event delivered")

        ids = set(WebhookDelivery.objects.values_list("webhook_id", flat=True))
        assert set(receiver.webhook_ids()) == ids  # every event arrived, at least once
        assert len(receiver.requests) == WebhookAttempt.objects.count()  # every POST is in the log

    for row in WebhookDelivery.objects.filter(subscription=hook):
        log = list(row.attempt_log.all())
        assert len(log) == row.attempts  # no attempt lost
        assert log[-1].status_code == 200
    interrupted, resent = WebhookAttempt.objects.filter(delivery=first).order_by("started_at")
    assert (interrupted.status_code, interrupted.finished_at) == (None, None)  # shows as cut off
    assert resent.status_code == 200
