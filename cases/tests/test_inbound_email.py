"""The customer's email coming back (issue 26, "In"): where each message goes, and every bad input's outcome.

Each bad input is checked against the database and the media directory afterwards: nothing half-stored.
"""

import io
import sys
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from django.core.management import call_command
from django.utils import timezone

from cases.conversation.addresses import reply_address
from cases.conversation.inbound import pipeline
from cases.conversation.inbound.errors import Refused
from cases.models import Attachment, CaseEvent, Message, Notification, RecoveryCase, Stage
from cases.tests.factories import RecoveryCaseFactory
from cases.tests.inbound_mail import (
    REPLY_SHOWN,
    REPLY_TEXT,
    delivery_report,
    email_bytes,
    outbound_message,
    reply_to,
)
from feedback.models import Customer, Feedback
from feedback.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def customer():
    return CustomerFactory(external_id="C-ANA", name="Ana Lopez", email="ana@example.com")


@pytest.fixture
def case(customer, agent):
    return RecoveryCaseFactory(
        customer=customer, owner=agent, title="Parcel arrived crushed", apologized=True
    )


def stored_files(media) -> list:
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


def nothing_stored(media) -> bool:
    return (
        not Message.objects.filter(direction=Message.Direction.INBOUND).exists()
        and not Attachment.objects.exists()
        and not Feedback.objects.exists()
        and not CaseEvent.objects.filter(kind=CaseEvent.Kind.MESSAGE_RECEIVED).exists()
        and stored_files(media) == []
    )


def receive_by_pipe(raw: bytes, monkeypatch, capsys) -> tuple[int, str, str]:
    """`manage.py receive_email` with `raw` on standard input: (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    code = 0
    try:
        call_command("receive_email")
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out.strip(), err.strip()


# Where a message goes -----------------------------------------------------------------------------


def test_a_reply_to_the_signed_address_lands_on_its_case_without_quote_or_signature(case, media):
    outcome = pipeline.receive(reply_to(case), door="test")

    message = Message.objects.get(direction=Message.Direction.INBOUND)
    assert outcome.action == "reply" and outcome.case == case
    assert (message.case, message.status, message.from_address) == (case, "received", "ana@example.com")
    assert message.body == REPLY_SHOWN
    assert message.raw.read() == reply_to_bytes_of(message)
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.MESSAGE_RECEIVED)
    assert event.data == {"message": message.pk, "from": "ana@example.com", "matched_by": "reply address"}
    assert not Feedback.objects.exists()  # a reply is conversation, not new feedback


def reply_to_bytes_of(message: Message) -> bytes:
    message.raw.open("rb")
    try:
        return message.raw.read()
    finally:
        message.raw.close()


def test_a_reply_answering_our_message_id_lands_on_its_case(case):
    ours = outbound_message(case)
    raw = email_bytes(
        sender="ana@example.com",
        to="support@example.com",
        subject="Re: your parcel",
        headers={"In-Reply-To": ours.message_id, "References": ours.message_id},
    )

    outcome = pipeline.receive(raw, door="test")

    assert outcome.action == "reply"
    assert Message.objects.get(direction="inbound").case == case
    assert CaseEvent.objects.get(kind=CaseEvent.Kind.MESSAGE_RECEIVED).data["matched_by"] == "thread"


def test_a_case_reference_in_the_subject_counts_from_the_cases_customer_only(case):
    mine = email_bytes(sender="ana@example.com", subject=f"About [{case.reference}] again", body="Any news?")
    theirs = email_bytes(sender="mallory@evil.example", subject=f"About [{case.reference}]", body="Any news?")

    assert pipeline.receive(mine, door="test").case == case
    outcome = pipeline.receive(theirs, door="test")

    assert outcome.action == "feedback"
    assert Message.objects.filter(case=case, direction="inbound").count() == 1
    assert Feedback.objects.get().customer.email == "mallory@evil.example"


def test_a_forged_reply_address_never_lands_on_the_case(case, media):
    genuine = reply_address(case)
    forged = (
        genuine.replace("reply+", "reply+").rsplit("-", 1)[0] + "-aaaaaaaaaaaaaaaa@" + genuine.split("@")[1]
    )
    raw = email_bytes(
        sender="mallory@evil.example",
        to=forged,
        subject=f"Re: [{case.reference}] {case.title}",
        body="Refund me.",
    )

    outcome = pipeline.receive(raw, door="test")

    assert forged != genuine
    assert outcome.action == "feedback" and outcome.case != case
    assert not Message.objects.filter(case=case).exists()
    assert not CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.MESSAGE_RECEIVED).exists()


def test_a_reply_to_a_case_closed_this_month_reopens_it(case):
    RecoveryCase.objects.filter(pk=case.pk).update(
        stage=Stage.CLOSED, closed_at=timezone.now() - timedelta(days=29)
    )

    outcome = pipeline.receive(reply_to(case), door="test")

    case.refresh_from_db()
    assert outcome.case == case and "reopened" in outcome.detail
    assert case.stage == Stage.ACKNOWLEDGED
    assert case.events.filter(kind=CaseEvent.Kind.STAGE_CHANGED, message="Customer replied").exists()
    assert case.messages.get().body == REPLY_SHOWN


def test_a_reply_to_a_case_closed_long_ago_opens_a_new_case_that_names_it(case):
    RecoveryCase.objects.filter(pk=case.pk).update(
        stage=Stage.CLOSED, closed_at=timezone.now() - timedelta(days=31)
    )

    outcome = pipeline.receive(reply_to(case), door="test")

    case.refresh_from_db()
    new = outcome.case
    assert case.stage == Stage.CLOSED
    assert new != case and new.customer == case.customer and new.channel == "email"
    assert case.reference in new.description
    assert new.messages.get().body == REPLY_SHOWN
    assert case.events.get(kind=CaseEvent.Kind.MESSAGE_RECEIVED).data == {"opened": new.reference}


def test_a_complaint_from_an_unknown_address_is_new_feedback_that_opens_a_case():
    raw = email_bytes(
        sender="Tom Reyes <Tom@Example.com>",
        subject="Charged twice",
        body="You charged me twice at checkout. This is terrible and I am furious.",
    )

    outcome = pipeline.receive(raw, door="test")

    feedback = Feedback.objects.get()
    assert (feedback.channel, feedback.sentiment) == ("email", "negative")
    assert feedback.customer.email == "tom@example.com" and feedback.customer.name == "Tom Reyes"
    assert outcome.case == feedback.case and feedback.case.channel == "email"
    assert feedback.case.messages.get().subject == "Charged twice"  # the email is on the case it opened


def test_a_kind_email_from_a_known_customer_is_their_feedback_and_opens_nothing(customer):
    raw = email_bytes(sender="ANA@example.com", subject="Thanks", body="Lovely service, thank you so much!")

    outcome = pipeline.receive(raw, door="test")

    feedback = Feedback.objects.get()
    assert outcome.action == "feedback" and outcome.case is None
    assert feedback.customer == customer and feedback.sentiment == "positive"
    assert Customer.objects.count() == 1
    assert not RecoveryCase.objects.exists()


def test_new_feedback_by_email_is_limited_per_sender_but_replies_are_not(settings, case):
    settings.MEND_INBOUND_FEEDBACK_PER_HOUR = 2
    for number in range(2):
        pipeline.receive(email_bytes(sender="tom@example.com", body=f"Note {number}: all good"), door="test")

    with pytest.raises(Refused) as refused:
        pipeline.receive(email_bytes(sender="tom@example.com", body="Note 3"), door="test")
    for number in range(3):
        pipeline.receive(reply_to(case, body=f"Reply {number}"), door="test")

    assert refused.value.temporary
    assert Feedback.objects.filter(customer__email="tom@example.com").count() == 2
    assert case.messages.count() == 3


# Safety: each bad input's documented outcome, nothing half-stored -------------------------------------


def test_a_malformed_message_is_refused_with_one_line_and_a_non_zero_exit(monkeypatch, capsys, media):
    code, _out, err = receive_by_pipe(b"this is not an email at all\n\n\x00\xff", monkeypatch, capsys)

    assert code == 65
    assert err == "refused: no valid sender address in From"
    assert nothing_stored(media)


def test_an_oversized_message_is_refused_before_it_is_read(monkeypatch, capsys, media, caplog):
    raw = email_bytes(body="x") + b"y" * (25 * 1024 * 1024)

    code, _out, err = receive_by_pipe(raw, monkeypatch, capsys)

    assert code == 65
    assert err.startswith("refused: message of ") and err.endswith("over the 25 MB limit")
    assert "inbound.refused_size" in caplog.text
    assert nothing_stored(media)


def test_an_attachment_over_the_limit_refuses_the_whole_message(settings, case, media, caplog):
    settings.MEND_INBOUND_MAX_ATTACHMENT_BYTES = 1000
    raw = reply_to(
        case, attachments=(("small.txt", b"ok", "text/plain"), ("big.pdf", b"%" * 1001, "application/pdf"))
    )

    with pytest.raises(Refused, match="attachment of 1001 bytes is over"):
        pipeline.receive(raw, door="test")

    assert "inbound.refused_attachment" in caplog.text
    assert nothing_stored(media)


def test_attachments_within_the_limit_are_stored_under_the_media_storage(case, media):
    raw = reply_to(case, attachments=(("receipt.pdf", b"%PDF-1.4 receipt", "application/pdf"),))

    pipeline.receive(raw, door="test")

    attachment = Attachment.objects.get()
    assert (attachment.name, attachment.size, attachment.content_type) == (
        "receipt.pdf",
        16,
        "application/pdf",
    )
    assert attachment.file.name.startswith("messages/attachments/") and attachment.file.name.endswith(".pdf")
    assert (media / attachment.file.name).read_bytes() == b"%PDF-1.4 receipt"


@pytest.mark.parametrize(
    ("headers", "sender", "reason"),
    [
        ({"Auto-Submitted": "auto-replied"}, "ana@example.com", "Auto-Submitted: auto-replied"),
        ({"Precedence": "bulk"}, "ana@example.com", "Precedence: bulk"),
        ({"Precedence": "junk"}, "ana@example.com", "Precedence: junk"),
        ({"X-Autoreply": "yes"}, "ana@example.com", "X-Autoreply"),
        ({"List-Id": "<news.example.com>"}, "ana@example.com", "List-Id"),
        ({}, "mend@localhost", "from Mend itself"),
        ({}, "reply+abc-def@reply.localhost", "from Mend itself"),
    ],
)
def test_automatic_mail_and_our_own_are_ignored(case, media, headers, sender, reason):
    raw = email_bytes(
        sender=sender, to=reply_address(case), subject="Out of office", body="I am away.", headers=headers
    )

    outcome = pipeline.receive(raw, door="test")

    assert (outcome.action, outcome.detail) == ("ignored", reason)
    assert nothing_stored(media)


def test_auto_submitted_no_is_a_person_writing(case):
    outcome = pipeline.receive(reply_to(case, headers={"Auto-Submitted": "no"}), door="test")

    assert outcome.action == "reply"


def test_an_auto_reply_through_the_pipe_exits_zero(case, monkeypatch, capsys, media):
    raw = reply_to(case, headers={"Auto-Submitted": "auto-replied"})

    code, out, _err = receive_by_pipe(raw, monkeypatch, capsys)

    assert code == 0 and out == "ignored: Auto-Submitted: auto-replied"
    assert nothing_stored(media)


def test_a_bounce_marks_our_message_bounced_tells_its_agent_and_opens_nothing(case, agent, media):
    agent.email = "alice@example.com"
    agent.save()
    ours = outbound_message(case, author=agent)

    outcome = pipeline.receive(delivery_report(ours.message_id), door="test")
    again = pipeline.receive(delivery_report(ours.message_id), door="test")

    ours.refresh_from_db()
    assert outcome.action == again.action == "bounce"
    assert ours.status == Message.Status.BOUNCED
    [told] = Notification.objects.filter(recipient="alice@example.com")
    assert "bounced" in told.subject and case.reference in told.subject
    assert case.events.filter(kind=CaseEvent.Kind.MESSAGE_BOUNCED).count() == 1
    assert RecoveryCase.objects.count() == 1 and nothing_stored(media)


def test_a_bounce_of_a_message_not_ours_changes_nothing(case, media):
    outcome = pipeline.receive(delivery_report("<someone.else@elsewhere.example>"), door="test")

    assert outcome.action == "bounce" and outcome.case is None
    assert not Notification.objects.exists() and nothing_stored(media)


def test_the_same_message_id_twice_is_stored_once(case, monkeypatch, capsys):
    raw = reply_to(case)

    first = receive_by_pipe(raw, monkeypatch, capsys)
    second = receive_by_pipe(raw, monkeypatch, capsys)

    assert first[0] == second[0] == 0
    assert second[1] == "duplicate: already taken"
    assert case.messages.count() == 1
    assert case.events.filter(kind=CaseEvent.Kind.MESSAGE_RECEIVED).count() == 1


def test_the_same_new_feedback_twice_is_stored_once():
    raw = email_bytes(sender="tom@example.com", body="Everything was fine.")

    outcomes = [pipeline.receive(raw, door=door).action for door in ("pipe", "imap")]

    assert outcomes == ["feedback", "duplicate"]
    assert Feedback.objects.count() == 1


def test_html_with_script_is_sanitised_and_plain_text_preferred(case):
    html = '<p onclick="steal()">Hi <b>there</b><script>alert(1)</script><img src=x onerror=alert(2)></p>'

    pipeline.receive(reply_to(case, body=None, html=html), door="test")
    pipeline.receive(reply_to(case, body="Plain words", html=html), door="test")

    html_only, both = case.messages.order_by("pk")
    assert "<script" not in html_only.body_html and "onclick" not in html_only.body_html
    assert "onerror" not in html_only.body_html and "alert" not in html_only.body_html
    assert html_only.body_html == "<p>Hi <b>there</b></p>"
    assert html_only.body == "Hi there"
    assert (both.body, both.body_html) == ("Plain words", "")


def test_a_nul_in_the_words_or_the_subject_is_dropped_and_the_reply_lands(case):
    raw = reply_to(case, body="Still\x00 broken")
    raw = raw.replace(b"Subject: ", b"Subject: Re\x00: ", 1)

    outcome = pipeline.receive(raw, door="test")

    assert outcome.case == case
    message = case.messages.get()
    assert message.body == "Still broken" and "\x00" not in message.subject


# The raw message --------------------------------------------------------------------------------------


def test_the_raw_message_downloads_for_agents_only(case, client, agent, intake_user):
    pipeline.receive(reply_to(case), door="test")
    message = case.messages.get()
    url = f"/cases/{case.reference}/messages/{message.pk}/raw/"

    anonymous = client.get(url)
    client.force_login(intake_user)
    not_an_agent = client.get(url)
    client.force_login(agent)
    response = client.get(url)

    assert anonymous.status_code == 302
    assert not_an_agent.status_code == 403
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert REPLY_TEXT.splitlines()[0].encode() in b"".join(response.streaming_content)


def test_a_forwarded_email_attached_is_kept_as_a_file(case, media):
    forwarded = message_from_bytes(
        email_bytes(sender="shop@example.com", subject="Your order", body="Shipped.")
    )
    reply = message_from_bytes(reply_to(case, body="See the shop's email below."), policy=policy.default)
    reply.add_attachment(forwarded)

    pipeline.receive(reply.as_bytes(), door="test")

    attachment = Attachment.objects.get()
    assert attachment.content_type == "message/rfc822"
    assert b"Subject: Your order" in (media / attachment.file.name).read_bytes()
