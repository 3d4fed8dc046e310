"""The outbox: written with the event, sent after commit, once, and re-sent if its task was lost."""

from datetime import timedelta

import pytest
import time_machine
from celery.exceptions import Retry
from django.core import mail
from django.db import transaction

from cases import outbox
from cases.models import Notification
from cases.tasks import resend_unsent_notifications, send_notification
from cases.tests.factories import RecoveryCaseFactory

pytestmark = pytest.mark.django_db


def queue(case, **overrides):
    return outbox.queue_email(
        **{
            "to": "agent@example.com",
            "template": "follow_up_due",
            "context": {"survey_sent": True},
            "case": case,
            **overrides,
        }
    )


def test_queued_email_is_rendered_from_its_template_and_sent_after_commit(django_capture_on_commit_callbacks):
    case = RecoveryCaseFactory(title="Crushed parcel")

    with django_capture_on_commit_callbacks(execute=True):
        notification = queue(case)
        assert mail.outbox == []  # nothing leaves before the transaction commits

    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.sent_at is not None
    (email,) = mail.outbox
    assert email.subject == f"{case.reference}: follow-up due"
    assert "We have emailed them the short satisfaction survey" in email.body
    assert "Crushed parcel" in email.body
    assert email.to == ["agent@example.com"]


def test_a_rolled_back_event_leaves_no_notification(django_capture_on_commit_callbacks):
    case = RecoveryCaseFactory()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        queue(case)
        raise RuntimeError("the event failed")

    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_the_same_dedupe_key_queues_only_once(django_capture_on_commit_callbacks):
    case = RecoveryCaseFactory()

    with django_capture_on_commit_callbacks(execute=True):
        first = queue(case, dedupe_key="sla:1:acknowledge:warning")
        second = queue(case, dedupe_key="sla:1:acknowledge:warning")

    assert first is not None and second is None
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_delivering_twice_sends_once():
    notification = Notification.objects.create(
        recipient="m@example.com", subject="s", body="b", template="case_update"
    )

    assert outbox.deliver(notification.pk) is True
    assert outbox.deliver(notification.pk) is False
    assert len(mail.outbox) == 1


def refuse_connections(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # discard port: connection refused


def test_a_failed_send_records_the_error_and_rests_until_its_retry(settings):
    refuse_connections(settings)
    notification = Notification.objects.create(
        recipient="m@example.com", subject="s", body="b", template="case_update"
    )

    with (
        time_machine.travel("2026-11-20 10:00:00Z", tick=False),
        pytest.raises(outbox.SendFailed) as failed,
    ):
        outbox.deliver(notification.pk)

    notification.refresh_from_db()
    assert failed.value.retry_at.isoformat() == "2026-11-20T10:00:30+00:00"
    assert notification.status == Notification.Status.PENDING
    assert notification.attempts == 1
    assert notification.claimed_until == failed.value.retry_at
    assert "Connection refused" in notification.last_error or "Errno" in notification.last_error


@pytest.mark.parametrize(
    ("attempts", "delay"),
    [
        (1, timedelta(seconds=30)),
        (2, timedelta(minutes=1)),
        (3, timedelta(minutes=2)),
        (7, timedelta(minutes=32)),
        (8, timedelta(hours=1)),
        (20, timedelta(hours=1)),
    ],
)
def test_retries_back_off_exponentially_up_to_an_hour(attempts, delay):
    assert outbox.retry_delay(attempts) == delay


def test_the_resend_sweep_leaves_a_failed_row_to_its_retry_until_the_retry_moment(settings):
    refuse_connections(settings)
    with time_machine.travel("2026-11-20 10:00:00Z", tick=False):
        notification = Notification.objects.create(
            recipient="m@example.com", subject="s", body="b", template="case_update"
        )
    with time_machine.travel("2026-11-20 10:05:00Z", tick=False), pytest.raises(outbox.SendFailed):
        outbox.deliver(notification.pk)  # retry due 10:05:30

    with time_machine.travel("2026-11-20 10:05:29Z", tick=False):
        assert outbox.unsent_ids() == []
        assert outbox.deliver(notification.pk) is False  # an early duplicate does nothing
    with time_machine.travel("2026-11-20 10:05:30Z", tick=False):
        assert outbox.unsent_ids() == [notification.pk]


def test_after_the_last_attempt_the_row_is_marked_failed_and_not_retried(settings):
    refuse_connections(settings)
    notification = Notification.objects.create(
        recipient="m@example.com",
        subject="s",
        body="b",
        template="case_update",
        attempts=outbox.MAX_ATTEMPTS - 1,
    )

    assert send_notification.apply(args=[notification.pk]).get() is False

    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    assert notification.attempts == outbox.MAX_ATTEMPTS
    assert notification.claimed_until is None
    assert outbox.unsent_ids(now=notification.created_at + timedelta(days=1)) == []


def test_a_failing_task_asks_celery_for_a_retry_at_the_rows_retry_moment(settings):
    refuse_connections(settings)
    notification = Notification.objects.create(
        recipient="m@example.com", subject="s", body="b", template="case_update"
    )

    with time_machine.travel("2026-11-20 10:00:00Z", tick=False), pytest.raises(Retry) as retry:
        send_notification.apply(args=[notification.pk])

    assert retry.value.when.isoformat() == "2026-11-20T10:00:30+00:00"
    notification.refresh_from_db()
    assert notification.claimed_until == retry.value.when


def test_unsent_rows_whose_task_was_lost_are_sent_by_the_resend_sweep():
    with time_machine.travel("2026-11-20 10:00:00Z", tick=False):
        lost = Notification.objects.create(recipient="m@example.com", subject="s", body="b", template="x")

    with time_machine.travel("2026-11-20 10:01:00Z", tick=False):
        assert resend_unsent_notifications() == 0  # too young: its own task may still be on its way
    with time_machine.travel("2026-11-20 10:05:00Z", tick=False):
        assert resend_unsent_notifications() == 1

    lost.refresh_from_db()
    assert lost.status == Notification.Status.SENT
    assert len(mail.outbox) == 1


def test_a_row_claimed_by_a_live_sender_is_not_taken_by_another():
    with time_machine.travel("2026-11-20 10:00:00Z", tick=False):
        notification = Notification.objects.create(
            recipient="m@example.com", subject="s", body="b", template="x"
        )
        Notification.objects.filter(pk=notification.pk).update(
            claimed_until=notification.created_at + timedelta(minutes=2)
        )
        assert outbox.deliver(notification.pk) is False
    with time_machine.travel("2026-11-20 10:03:00Z", tick=False):  # the claim ran out: its sender died
        assert outbox.deliver(notification.pk) is True
    assert len(mail.outbox) == 1


def test_emails_queued_while_kept_back_are_stored_but_never_handed_to_the_workers(
    django_capture_on_commit_callbacks,
):
    case = RecoveryCaseFactory()

    with django_capture_on_commit_callbacks() as callbacks, outbox.kept_back():
        notification = queue(case)

    assert callbacks == []
    assert Notification.objects.get().pk == notification.pk
