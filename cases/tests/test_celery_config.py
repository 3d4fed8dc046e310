"""The Celery configuration the at-least-once design depends on, read from the app itself."""

from django.conf import settings

import cases.tasks  # noqa: F401  (registers the tasks, as the worker's autodiscovery does)
from recovery.celery import app


def test_tasks_are_acknowledged_late_redelivered_when_a_worker_dies_and_travel_as_json():
    conf = app.conf
    assert (conf.task_acks_late, conf.task_reject_on_worker_lost) == (True, True)
    assert (conf.task_serializer, conf.result_serializer, conf.accept_content) == ("json", "json", ["json"])
    assert conf.worker_prefetch_multiplier == 1
    assert (conf.task_soft_time_limit, conf.task_time_limit) == (240, 300)


def test_every_beat_entry_names_a_registered_task_and_the_follow_up_sweep_runs_every_minute():
    schedule = settings.CELERY_BEAT_SCHEDULE

    assert all(entry["task"] in app.tasks for entry in schedule.values())
    assert schedule["sweep-follow-ups"] == {"task": "cases.tasks.sweep_follow_ups", "schedule": 60.0}
    assert schedule["resend-unsent-notifications"]["task"] == "cases.tasks.resend_unsent_notifications"


def test_a_sender_is_stopped_before_its_claim_on_the_row_runs_out():
    send = app.tasks["cases.tasks.send_notification"]
    lease = settings.NOTIFICATION_CLAIM_LEASE.total_seconds()

    assert send.soft_time_limit < send.time_limit < lease
