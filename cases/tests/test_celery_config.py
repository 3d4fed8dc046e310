"""The Celery wiring the at-least-once design depends on, observed on what the app does. (That a killed
worker's task is redelivered and sent once is proven end to end in test_celery_worker.py.)"""

import base64
import json

import pytest
from django.conf import settings

from cases.tasks import send_notification
from recovery.celery import app


@pytest.mark.redis
def test_a_queued_task_travels_as_json_carrying_only_the_id(broker):
    send_notification.delay(42)

    (raw,) = broker.lrange("celery", 0, -1)
    message = json.loads(raw)
    assert message["content-type"] == "application/json"
    assert message["headers"]["task"] == "cases.tasks.send_notification"
    args, kwargs, _ = json.loads(base64.b64decode(message["body"]))
    assert (args, kwargs) == ([42], {})


def test_every_beat_entry_names_a_task_a_worker_knows():
    schedule = settings.CELERY_BEAT_SCHEDULE

    assert {entry["task"] for entry in schedule.values()} <= set(app.tasks)


def test_a_sender_is_stopped_before_its_claim_on_the_row_runs_out():
    send = app.tasks["cases.tasks.send_notification"]
    lease = settings.NOTIFICATION_CLAIM_LEASE.total_seconds()

    assert send.soft_time_limit < send.time_limit < lease
