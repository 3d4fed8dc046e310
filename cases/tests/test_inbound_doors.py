"""The three doors into one pipeline (issue 26, "In"): the MTA pipe as a real process, IMAP against a real
Dovecot, and a provider's webhook. One customer answers a closed case through each in turn, each answer
delivered twice; each lands once, stripped, and reopens the case.
"""

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone
from imapclient import IMAPClient

from cases import tasks
from cases.conversation.addresses import reply_address
from cases.conversation.inbound import imap
from cases.models import CaseEvent, Message, RecoveryCase, Stage
from cases.tests import dovecot
from cases.tests.factories import RecoveryCaseFactory
from cases.tests.inbound_mail import REPLY_SHOWN, REPLY_TEXT, email_bytes, reply_to
from feedback.models import Feedback
from feedback.tests.factories import CustomerFactory

ROOT = Path(__file__).resolve().parents[2]
SECRET = "mend-inbound:webhook-s3cret"


@pytest.fixture(scope="session")
def imap_server():
    """The private Dovecot: started here unless one already listens on MEND_TEST_IMAP_PORT."""
    port = dovecot.port()
    started = None
    if not dovecot.listening(port):
        if not dovecot.available():
            if os.environ.get("MEND_REQUIRE_SERVICES") == "1":
                pytest.fail("dovecot-imapd is not installed (.ci/run installs it)")
            pytest.skip("dovecot-imapd is not installed")
        started = dovecot.start(port)
        assert dovecot.listening(port), "Dovecot did not come up"
    yield dovecot.Dovecot("127.0.0.1", port, dovecot.USER, dovecot.PASSWORD)
    if started is not None:
        dovecot.stop(started)


@pytest.fixture
def mailbox(imap_server, settings):
    """An empty INBOX on the test Dovecot, with Mend's IMAP settings pointing at it."""
    settings.MEND_IMAP_HOST, settings.MEND_IMAP_PORT = imap_server.host, imap_server.port
    settings.MEND_IMAP_SSL, settings.MEND_IMAP_MAILBOX = False, "INBOX"
    settings.MEND_IMAP_USER, settings.MEND_IMAP_PASSWORD = imap_server.user, imap_server.password
    with IMAPClient(imap_server.host, port=imap_server.port, ssl=False) as client:
        client.login(imap_server.user, imap_server.password)
        client.select_folder("INBOX")
        client.delete_messages(client.search(["ALL"]))
        client.expunge()
        yield client


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def case(agent):
    customer = CustomerFactory(external_id="C-ANA", name="Ana Lopez", email="ana@example.com")
    return RecoveryCaseFactory(
        customer=customer, owner=agent, title="Parcel arrived crushed", apologized=True
    )


def close(case: RecoveryCase) -> None:
    RecoveryCase.objects.filter(pk=case.pk).update(stage=Stage.CLOSED, closed_at=timezone.now())


def flags(client: IMAPClient) -> list[set]:
    return [set(found[b"FLAGS"]) for found in client.fetch(client.search(["ALL"]), ["FLAGS"]).values()]


# IMAP ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_imap_poll_takes_each_message_once_and_flags_it(mailbox, case):
    mailbox.append("INBOX", reply_to(case))
    mailbox.append("INBOX", email_bytes(sender="tom@example.com", body="Great service, thanks!"))
    mailbox.append("INBOX", email_bytes(sender="ana@example.com", headers={"Auto-Submitted": "auto-replied"}))

    first = imap.poll()
    second = imap.poll()

    assert (first.taken, first.refused, first.deferred) == (3, 0, 0)
    assert second.taken == 0
    assert case.messages.get().body == REPLY_SHOWN
    assert Feedback.objects.get().customer.email == "tom@example.com"
    assert all({b"MendTaken", rb"\Seen"} <= found for found in flags(mailbox))


@pytest.mark.django_db
def test_imap_redelivery_of_the_same_message_is_stored_once(mailbox, case):
    raw = reply_to(case, message_id="<redelivered@customer.example>")
    mailbox.append("INBOX", raw)
    imap.poll()
    mailbox.append("INBOX", raw)  # the MTA delivered it again

    again = imap.poll()

    assert again.taken == 1  # taken, as a duplicate
    assert case.messages.count() == 1


@pytest.mark.django_db
def test_imap_leaves_a_deferred_message_for_the_next_poll_and_flags_a_refused_one(mailbox, settings):
    settings.MEND_INBOUND_FEEDBACK_PER_HOUR = 0
    mailbox.append("INBOX", email_bytes(sender="tom@example.com", body="Hello"))
    mailbox.append("INBOX", b"not an email at all")

    deferred = imap.poll()
    settings.MEND_INBOUND_FEEDBACK_PER_HOUR = 10
    later = imap.poll()

    assert (deferred.taken, deferred.refused, deferred.deferred) == (0, 1, 1)
    assert (later.taken, later.deferred) == (1, 0)
    assert Feedback.objects.count() == 1


@pytest.mark.django_db
def test_the_beat_task_polls_imap(mailbox, case):
    mailbox.append("INBOX", reply_to(case))

    result = tasks.poll_imap.delay().get()

    assert result == {"taken": 1, "refused": 0, "deferred": 0}
    assert case.messages.count() == 1


def test_the_beat_polls_only_when_imap_is_configured():
    schedule = django_settings.CELERY_BEAT_SCHEDULE
    assert ("poll-imap" in schedule) == bool(django_settings.MEND_IMAP_HOST)


# All three doors, end to end ------------------------------------------------------------------------------


def pipe(raw: bytes, media_root: str) -> subprocess.CompletedProcess:
    """`manage.py receive_email` as Postfix would run it: its own process, the message on stdin."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "recovery.settings_test",
        "DATABASE_URL": url,
        "MEDIA_ROOT": media_root,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "receive_email"],
        input=raw,
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=60,
        check=False,
    )


def postmark(client, case, message_id: str):
    payload = {
        "FromFull": {"Email": "ana@example.com", "Name": "Ana Lopez", "MailboxHash": ""},
        "ToFull": [{"Email": reply_address(case), "Name": "", "MailboxHash": ""}],
        "Subject": f"Re: [{case.reference}] {case.title}",
        "TextBody": REPLY_TEXT.replace("Thanks", "Webhook: thanks"),
        "Headers": [{"Name": "Message-ID", "Value": message_id}],
    }
    auth = "Basic " + base64.b64encode(SECRET.encode()).decode()
    return client.post(
        "/inbound/email/postmark/",
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=auth,
    )


# The pipe is another process: it sees only committed rows, in a database both processes reach, which
# SQLite's test database (in memory) is not.
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_reply_through_each_door_lands_once_stripped_and_reopens_the_closed_case(
    mailbox, case, agent, client, settings
):
    settings.ANYMAIL = {"WEBHOOK_SECRET": [SECRET], "MAILGUN_WEBHOOK_SIGNING_KEY": ""}
    client.force_login(agent)

    close(case)  # 1. the MTA pipe, the message delivered twice
    by_pipe = reply_to(case, body=REPLY_TEXT.replace("Thanks", "Pipe: thanks"))
    runs = [pipe(by_pipe, settings.MEDIA_ROOT) for _ in range(2)]
    assert [run.returncode for run in runs] == [0, 0], runs[0].stderr
    assert runs[0].stdout.decode().startswith("reply: onto its case by reply address, reopened")
    assert runs[1].stdout.decode().strip() == "duplicate: already taken"
    case.refresh_from_db()
    assert case.stage == Stage.ACKNOWLEDGED

    close(case)  # 2. IMAP, the message appended twice
    by_imap = reply_to(case, body=REPLY_TEXT.replace("Thanks", "IMAP: thanks"))
    mailbox.append("INBOX", by_imap)
    mailbox.append("INBOX", by_imap)
    assert imap.poll().taken == 2
    case.refresh_from_db()
    assert case.stage == Stage.ACKNOWLEDGED

    close(case)  # 3. a provider's webhook, posted twice
    answers = [postmark(client, case, "<webhook-answer@customer.example>") for _ in range(2)]
    assert [answer.status_code for answer in answers] == [200, 200]
    case.refresh_from_db()
    assert case.stage == Stage.ACKNOWLEDGED

    bodies = list(case.messages.filter(direction=Message.Direction.INBOUND).values_list("body", flat=True))
    assert bodies == [
        REPLY_SHOWN.replace("Thanks", door) for door in ("Pipe: thanks", "IMAP: thanks", "Webhook: thanks")
    ]
    reopenings = case.events.filter(kind=CaseEvent.Kind.STAGE_CHANGED, data__via="email")
    assert reopenings.count() == 3
    page = client.get(f"/cases/{case.reference}/").text
    assert page.count("reopened the case by email") == 3
    assert page.count("wrote by email") == 3


def test_the_pipe_defers_with_exit_75_when_the_database_is_out_of_reach(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "recovery.settings_test",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:18999/nowhere",  # nothing listens there
        "MEDIA_ROOT": str(tmp_path),
    }
    run = subprocess.run(
        [sys.executable, "manage.py", "receive_email"],
        input=email_bytes(sender="tom@example.com", body="Hello"),
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=60,
        check=False,
    )

    assert run.returncode == 75
    assert run.stderr.decode().strip() == "deferred: OperationalError, try again later"
    assert list(tmp_path.iterdir()) == []
