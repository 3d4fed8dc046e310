"""A real Celery worker on the real Redis broker and PostgreSQL: outbox emails are sent exactly once,
even when the worker is killed (SIGKILL) in the middle of sending one.

The worker runs `recovery.settings` (not the eager test settings) against the test database, in its
own process group so that killing it takes its pool children too, as a dying machine would.
"""

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from cases import outbox
from cases.models import CaseEvent, Notification, RecoveryCase, Severity, SLAPolicy
from cases.tasks import send_notification, sweep_sla
from cases.tests.factories import RecoveryCaseFactory
from conftest import wait_until

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(settings.BASE_DIR)
WORKER_COMMAND = [sys.executable, "-m", "celery", "-A", "recovery", "worker", "--concurrency=1"]
WORKER_COMMAND += ["--loglevel=INFO", "--without-gossip", "--without-mingle"]


def claim_ran_out(notification: Notification) -> bool:
    notification.refresh_from_db(fields=["claimed_until"])
    return notification.claimed_until is None or notification.claimed_until <= timezone.now()


def queues_drained(broker) -> bool:
    """Nothing waits in Redis and nothing is being worked on: any duplicate would have arrived."""
    return broker.llen("celery") == 0 and broker.hlen("unacked") == 0


def database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """`celery -A recovery worker` as a subprocess; its log is kept for the assertions and for failures."""

    def __init__(self, log_path: Path, **env: str):
        self.log_path = log_path
        self.process = subprocess.Popen(
            [*WORKER_COMMAND, "-n", f"test-{uuid.uuid4().hex[:8]}@%h"],
            cwd=BASE_DIR,
            env={**os.environ, **self.environment(), **env},
            stdout=log_path.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: SIGKILL reaches the pool children too
        )
        wait_until(
            lambda: " ready." in self.log() or self.process.poll() is not None, timeout=60, what="worker"
        )
        assert self.process.poll() is None, self.log()

    @staticmethod
    def environment() -> dict[str, str]:
        return {
            "DJANGO_SETTINGS_MODULE": "recovery.settings",  # the real one: tasks are not eager there
            "SECRET_KEY": "celery-integration-test-only",
            "DATABASE_URL": database_url(),  # pytest-django's test database, where this test writes
            "CONN_MAX_AGE": "0",
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CELERY_TASK_ALWAYS_EAGER": "0",
        }

    def log(self) -> str:
        return self.log_path.read_text()

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # warm shutdown
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def start_worker(broker, tmp_path):
    started = []

    def start(**env) -> Worker:
        worker = Worker(tmp_path / f"worker-{len(started)}.log", **env)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def queue_committed() -> Notification:
    case = RecoveryCaseFactory(title="Crushed parcel")
    with transaction.atomic():  # the event's transaction; the task is published when it commits
        notification = outbox.queue_email(
            to="agent@example.com",
            template="follow_up_due",
            context={"survey_sent": True},
            case=case,
        )
    return notification


def delivered(mail_dir: Path) -> list[str]:
    """Messages the filebased backend wrote: it may append several to one file, each ended by a rule."""
    text = "".join(path.read_text() for path in mail_dir.iterdir()) if mail_dir.exists() else ""
    return [message for message in text.split("-" * 79 + "\n") if message.strip()]


def status_of(notification: Notification) -> str:
    notification.refresh_from_db()
    return notification.status


def test_a_committed_notification_is_sent_by_the_worker_exactly_once(start_worker, tmp_path):
    mail_dir = tmp_path / "mail"
    worker = start_worker(
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend", EMAIL_FILE_PATH=str(mail_dir)
    )

    notification = queue_committed()
    wait_until(lambda: status_of(notification) == Notification.Status.SENT, timeout=30, what="the send")
    # The same task delivered a second time (a redelivery under acks_late) must not send again.
    send_notification.delay(notification.pk)
    wait_until(lambda: worker.log().count("succeeded") == 2, timeout=30, what="the duplicate task")

    (message,) = delivered(mail_dir)
    assert f"Subject: {notification.case.reference}: follow-up due" in message
    notification.refresh_from_db()
    assert (notification.attempts, notification.sent_at is not None) == (1, True)
    assert "succeeded in" in worker.log() and ": False" in worker.log()


class SlowMailServer:
    """An SMTP server that holds its answer to the first message, so a worker is caught mid-send.

    A message counts as delivered only once the server answers 250 for it. If the client dies while
    the server holds its answer, aiosmtpd cancels the handler: that copy was never accepted, as with
    any mail server that had not yet replied.
    """

    def __init__(self):
        self.delivered: list[bytes] = []
        self.first_data = threading.Event()
        self._seen = 0

    async def handle_DATA(self, server, session, envelope):
        self._seen += 1
        if self._seen == 1:
            self.first_data.set()
            await asyncio.sleep(120)
        self.delivered.append(envelope.content)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def slow_mail_server():
    handler = SlowMailServer()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


def test_a_worker_killed_mid_send_leaves_the_notification_to_be_delivered_exactly_once(
    start_worker, slow_mail_server, broker
):
    server, port = slow_mail_server
    lease = 4  # seconds; the send task's time limits sit inside it (2 s soft, 3 s hard)
    env = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "NOTIFICATION_CLAIM_LEASE_SECONDS": str(lease),
        # Redis hands an unacknowledged task to another worker after this long (production: an hour).
        "CELERY_VISIBILITY_TIMEOUT": "2",
    }
    first = start_worker(**env)

    notification = queue_committed()
    assert server.first_data.wait(timeout=30), first.log()  # the worker is now waiting on DATA
    first.kill()

    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (Notification.Status.PENDING, 1)
    assert broker.hlen("unacked") == 1  # acks_late: the task was not acknowledged, so it is not lost
    wait_until(
        lambda: claim_ran_out(notification), timeout=lease + 30, what="the dead sender's claim to run out"
    )

    second = start_worker(**env)
    wait_until(lambda: status_of(notification) == Notification.Status.SENT, timeout=60, what="redelivery")
    wait_until(lambda: queues_drained(broker), timeout=30, what="every delivery of the task to finish")

    assert len(server.delivered) == 1
    assert b"Crushed parcel" in server.delivered[0]
    notification.refresh_from_db()
    assert notification.attempts == 2
    # Redis redelivered the killed worker's own task (acks_late); the new worker sent and acknowledged it.
    (task_id,) = re.findall(r"send_notification\[([0-9a-f-]+)\] received", first.log())
    assert f"send_notification[{task_id}] succeeded" in second.log()
    assert broker.hlen("unacked") == 0


def test_negative_feedback_breaches_a_few_second_sla_and_the_worker_sends_the_breach_email_once(
    start_worker, broker, tmp_path, api_client, intake_user, manager
):
    manager.email = "maria@example.com"
    manager.save()
    # Every severity: acknowledge within 4 s (warn at 2 s, breach at 4 s, level 2 only at 8 s).
    for severity in Severity.values:
        SLAPolicy.objects.update_or_create(
            severity=severity,
            defaults={
                "acknowledge_within": timedelta(seconds=4),
                "apologize_within": timedelta(hours=1),
                "resolve_within": timedelta(hours=2),
                "warn_at_fraction": Decimal("0.5"),
            },
        )
    mail_dir = tmp_path / "mail"
    worker = start_worker(
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend", EMAIL_FILE_PATH=str(mail_dir)
    )

    submitted = api_client(intake_user).post(
        "/api/v1/feedback/",
        {
            "channel": "web",
            "rating": 1,
            "comment": "Parcel arrived crushed.",
            "customer": {"external_id": "C-9"},
        },
        format="json",
    )
    assert submitted.status_code == 201, submitted.content
    case = RecoveryCase.objects.get(pk=submitted.json()["case"]["id"])
    wait_until(lambda: timezone.now() > case.acknowledge_due_at, timeout=30, what="the acknowledge target")
    sweep_sla.delay()  # what beat does every minute; twice, as two beats by mistake would
    sweep_sla.delay()

    wait_until(
        lambda: len(re.findall(r"sweep_sla\[\S+\] succeeded", worker.log())) == 2, timeout=30, what="sweeps"
    )
    (breach,) = case.events.filter(kind=CaseEvent.Kind.SLA_BREACHED)
    assert breach.data["target"] == "acknowledge"
    breach_emails = Notification.objects.filter(case=case, subject__contains="SLA breached")
    wait_until(
        lambda: (
            list(breach_emails.values_list("recipient", "status"))
            == [("maria@example.com", Notification.Status.SENT)]
        ),
        timeout=30,
        what="the breach email",
    )
    sent = Notification.objects.filter(case=case, status=Notification.Status.SENT)
    wait_until(lambda: queues_drained(broker), timeout=30, what="every queued send to finish")

    messages = delivered(mail_dir)
    assert len(messages) == sent.count() == Notification.objects.filter(case=case).count()
    assert sum("SLA breached" in message for message in messages) == 1
