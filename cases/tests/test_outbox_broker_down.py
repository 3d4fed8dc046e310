"""The outbox hands its rows to Celery after commit, best effort: a broker that is down loses no request."""

import logging
import socket

import pytest

from cases.models import Gesture, Notification
from cases.tests.factories import RecoveryCaseFactory
from recovery.celery import app as celery_app


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # free once the probe closes: nothing listens there


@pytest.fixture
def broker_down():
    """Celery really publishing (not eager) to a broker address where nothing answers."""
    saved = {key: celery_app.conf[key] for key in ("broker_write_url", "task_always_eager")}
    # The write URL, because CELERY_BROKER_URL in the environment outranks `broker_url` in Celery's conf.
    celery_app.conf.update(broker_write_url=f"redis://127.0.0.1:{closed_port()}/0", task_always_eager=False)
    _forget_connections()
    yield
    celery_app.conf.update(saved)
    _forget_connections()


def _forget_connections() -> None:
    # The app caches its connection and producer pools for the broker it first saw.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.mark.django_db(transaction=True)  # on_commit runs inside the request, as in production
def test_a_gesture_request_with_the_broker_down_answers_201_and_stores_its_email_once(
    api_client, agent, manager, broker_down, caplog
):
    manager.email = "maria@example.com"
    manager.save()
    case = RecoveryCaseFactory(owner=agent)
    caplog.set_level(logging.WARNING, logger="cases.outbox")

    response = api_client(agent).post(
        f"/api/v1/cases/{case.reference}/gestures/",
        {"kind": "voucher", "amount": "500.00", "currency": "EUR", "description": "Sorry"},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert Gesture.objects.count() == 1
    (notification,) = Notification.objects.all()
    assert notification.status == Notification.Status.PENDING  # the resend sweep will find it
    (line,) = [r for r in caplog.records if getattr(r, "event", "") == "outbox.enqueue_failed"]
    assert (line.notification_ids, line.error) == ([notification.pk], "OperationalError")
    assert "maria@example.com" not in line.getMessage()
