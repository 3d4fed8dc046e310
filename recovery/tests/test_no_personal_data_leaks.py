"""Personal data (names, emails, phones, comments) never reaches the logs, Celery task arguments or a URL
Mend makes, through a whole intake + workflow + follow-up + survey run."""

import logging
import re

import pytest
from celery.signals import before_task_publish, task_prerun
from django.core import mail

from cases.follow_ups import sweep as follow_ups
from cases.models import FollowUp
from feedback.models import Customer

pytestmark = pytest.mark.django_db(transaction=True)

PII = (
    "Ana Secretname",
    "ana.secret@example.com",
    "+1 555 0199",
    "SECRETCOMMENT",
    "SECRETSURVEY",
    "SECRETNOTE",
)
URL = re.compile(r"https?://\S+|/\S*/\S*")


@pytest.fixture
def task_calls():
    """Every task run or sent, with its arguments: eager tasks (unit tests) only run, so both signals."""
    calls = []

    def ran(sender=None, task_id=None, task=None, args=None, kwargs=None, **_):
        calls.append((task.name, args, kwargs))

    def sent(sender=None, body=None, **_):
        calls.append((sender, body, None))

    task_prerun.connect(ran, weak=False)
    before_task_publish.connect(sent, weak=False)
    yield calls
    task_prerun.disconnect(ran)
    before_task_publish.disconnect(sent)


def run_a_customers_whole_recovery(api_client, agent, manager, client):
    intake = api_client(agent)
    created = intake.post(
        "/api/v1/feedback/",
        {
            "channel": "web",
            "rating": 1,
            "comment": "SECRETCOMMENT the parcel was crushed",
            "customer": {
                "external_id": "C-77",
                "name": "Ana Secretname",
                "email": "ana.secret@example.com",
                "phone": "+1 555 0199",
            },
        },
        format="json",
    )
    reference = created.json()["case"]["reference"]
    case_api = f"/api/v1/cases/{reference}"
    intake.post(f"{case_api}/notes/", {"body": "SECRETNOTE Ana Secretname called"}, format="json")
    intake.post(
        f"{case_api}/gestures/", {"kind": "refund", "amount": "90.00", "currency": "EUR"}, format="json"
    )
    for action, body in [
        ("acknowledge", {}),
        ("apologize", {"note": "Called Ana Secretname"}),
        ("resolve", {"resolution": "Refunded Ana Secretname"}),
    ]:
        assert intake.post(f"{case_api}/actions/{action}/", body, format="json").status_code == 200
    follow_up = FollowUp.objects.get()
    follow_ups.sweep(now=follow_up.due_at)
    # The customer also heard the acknowledgement, the apology and the resolution; the survey has a link.
    (invitation,) = [m for m in mail.outbox if m.to == ["ana.secret@example.com"] and "/r/" in m.body]
    link = next(line for line in invitation.body.splitlines() if "/r/" in line).strip()
    path = link.removeprefix("http://127.0.0.1:8000")
    answered = client.post(path, {"rating": "1", "comment": "SECRETSURVEY still broken"})
    assert answered.status_code == 200
    return created


def test_no_personal_data_in_logs_task_arguments_or_generated_urls(
    api_client, agent, manager, client, caplog, task_calls
):
    manager.email = "maria@example.com"
    manager.save()
    agent.email = "alice@example.com"
    agent.save()
    caplog.set_level(logging.DEBUG)

    run_a_customers_whole_recovery(api_client, agent, manager, client)

    assert Customer.objects.get().email == "ana.secret@example.com"  # the run did carry the data
    assert len(mail.outbox) >= 3 and task_calls  # emails went out through tasks
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    task_arguments = repr(task_calls)
    urls = " ".join(URL.findall(" ".join(m.body for m in mail.outbox)))
    for secret in PII:
        assert secret not in logged, f"{secret!r} was logged"
        assert secret not in task_arguments, f"{secret!r} was a task argument"
        assert secret.lower() not in urls.lower(), f"{secret!r} is in a URL Mend generated"


class RefusingMailServer:
    """An SMTP server that refuses every recipient, as a mail server does an unknown mailbox."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return "550 5.1.1 No such mailbox"


def test_a_refused_address_is_not_repeated_in_the_error_a_worker_logs(settings):
    from aiosmtpd.controller import Controller

    from cases import outbox
    from cases.models import Notification
    from cases.tests.factories import RecoveryCaseFactory

    controller = Controller(RefusingMailServer(), hostname="127.0.0.1", port=8278)  # this branch's port
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 8278
        notification = Notification.objects.create(  # not queue_email: its task would send at once
            recipient="ana.secret@example.com",
            subject="x",
            body="y",
            template="case_update",
            case=RecoveryCaseFactory(),
        )
        with pytest.raises(outbox.SendFailed) as failed:
            outbox.deliver(notification.pk)
    finally:
        controller.stop()

    assert "SMTPRecipientsRefused" in str(failed.value)
    assert "ana.secret@example.com" not in str(failed.value)
    assert failed.value.__cause__ is None and failed.value.__suppress_context__
    notification.refresh_from_db()
    assert "ana.secret@example.com" not in notification.last_error
