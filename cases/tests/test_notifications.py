"""The outbox: written with the event, sent after commit, once, and re-sent if its task was lost."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction

from cases import notifications
from cases.models import Notification
from cases.tasks import resend_unsent_notifications
from cases.tests.factories import RecoveryCaseFactory

pytestmark = pytest.mark.django_db


def queue(case, **overrides):
    return notifications.queue_email(
        **{
            "to": "agent@example.com",
            "template": "case_update",
            "context": {"headline": "SLA at risk", "message": "Acknowledge within 15 minutes."},
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
    assert email.subject == f"{case.reference}: SLA at risk"
    assert "Acknowledge within 15 minutes." in email.body
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

    assert notifications.deliver(notification.pk) is True
    assert notifications.deliver(notification.pk) is False
    assert len(mail.outbox) == 1


def test_a_failed_send_records_the_error_and_stays_pending(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # discard port: connection refused
    notification = Notification.objects.create(
        recipient="m@example.com", subject="s", body="b", template="case_update"
    )

    with pytest.raises(OSError):
        notifications.deliver(notification.pk)

    notification.refresh_from_db()
    assert notification.status == Notification.Status.PENDING
    assert notification.attempts == 1
    assert notification.claimed_until is None
    assert "Connection refused" in notification.last_error or "Errno" in notification.last_error


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
        assert notifications.deliver(notification.pk) is False
    with time_machine.travel("2026-11-20 10:03:00Z", tick=False):  # the claim ran out: its sender died
        assert notifications.deliver(notification.pk) is True
    assert len(mail.outbox) == 1
