"""Notices for the customer's reply, their reopening a case and @mentions, and each person's email
choices, which `notices.notify` follows for every caller."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from cases import notices, services
from cases.conversation.inbound import pipeline
from cases.models import Notice, Notification, RecoveryCase, Stage
from cases.notices import preferences
from cases.tests.factories import RecoveryCaseFactory
from cases.tests.inbound_mail import reply_to
from conftest import signed_in
from feedback.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def owned(agent):
    agent.email = "alice@example.com"
    agent.save()
    customer = CustomerFactory(external_id="C-ANA", name="Ana Lopez", email="ana@example.com")
    return RecoveryCaseFactory(
        customer=customer, owner=agent, title="Parcel arrived crushed", apologized=True
    )


def emails_to(address: str) -> list[str]:
    return list(Notification.objects.filter(recipient=address).values_list("template", flat=True))


def test_a_customer_reply_notifies_the_owner_in_the_workspace_but_emails_only_when_asked(owned, agent):
    pipeline.receive(reply_to(owned), door="test")

    notice = Notice.objects.get(user=agent)
    assert (notice.kind, notice.case, notice.text) == (
        "customer_reply",
        owned,
        f"The customer replied on {owned.reference}.",
    )
    assert emails_to("alice@example.com") == []  # off by default


def test_a_customer_reply_is_emailed_to_an_owner_who_asked_for_it(owned, agent):
    preferences.set_email_choices(user=agent, choices={"customer_reply": True})

    pipeline.receive(reply_to(owned), door="test")

    assert emails_to("alice@example.com") == ["customer_reply"]


def test_a_reply_that_reopens_the_case_tells_the_owner_it_was_reopened_and_emails_by_default(owned, agent):
    RecoveryCase.objects.filter(pk=owned.pk).update(
        stage=Stage.CLOSED, closed_at=timezone.now() - timedelta(days=2)
    )

    pipeline.receive(reply_to(owned), door="test")

    assert list(Notice.objects.filter(user=agent).values_list("kind", flat=True)) == ["reopened"]
    assert emails_to("alice@example.com") == ["case_reopened"]


def test_an_owner_who_turned_reopen_emails_off_gets_the_notice_alone(owned, agent):
    preferences.set_email_choices(user=agent, choices={"reopened": False})
    RecoveryCase.objects.filter(pk=owned.pk).update(
        stage=Stage.CLOSED, closed_at=timezone.now() - timedelta(days=2)
    )

    pipeline.receive(reply_to(owned), door="test")

    assert Notice.objects.filter(user=agent, kind="reopened").count() == 1
    assert emails_to("alice@example.com") == []


def test_decisions_are_emailed_by_default_and_not_once_turned_off(agent, django_capture_on_commit_callbacks):
    agent.email = "alice@example.com"
    agent.save()
    tell = {
        "kind": Notice.Kind.GESTURE_APPROVED,
        "case": None,
        "text": "Approved",
        "email_template": "gesture_decided",
    }
    context = {"gesture": None, "decider": agent, "verdict": "approved"}

    notices.notify([agent], **tell, context=context)
    preferences.set_email_choices(user=agent, choices={"gesture_approved": False})
    notices.notify([agent], **tell, context=context)

    assert Notice.objects.filter(user=agent).count() == 2
    assert emails_to("alice@example.com") == ["gesture_decided"]


def test_the_settings_page_shows_the_defaults_and_saves_the_ticked_kinds(agent):
    client = signed_in(agent)

    page = client.get("/notifications/settings/").content.decode()
    assert 'value="gesture_approved" id="email-gesture_approved" checked' in page
    assert 'value="mention" id="email-mention">' in page

    response = client.post("/notifications/settings/", {"email": ["mention"]})

    assert response.status_code == 302
    choices = preferences.email_choices(user=agent)
    assert (choices["mention"], choices["gesture_approved"], choices["reopened"]) == (True, False, False)


def test_the_settings_page_is_linked_under_the_persons_name(agent):
    page = signed_in(agent).get("/notifications/").content.decode()

    assert 'href="/notifications/settings/"' in page


def test_a_mention_in_an_internal_note_notifies_the_colleague_and_not_the_writer(agent, other_agent):
    case = RecoveryCaseFactory(owner=agent)

    services.add_note(case=case, actor=agent, body="@bob can you check the courier? cc @agent")

    (notice,) = Notice.objects.all()
    assert (notice.user, notice.kind, notice.case) == (other_agent, "mention", case)
    assert (
        notice.text == f"Alice mentioned you on {case.reference}: @bob can you check the courier? cc @agent"
    )
    assert not mail.outbox and not Notification.objects.exists()  # mentions are not emailed by default


def test_an_email_address_in_a_note_is_no_mention(agent, other_agent):
    case = RecoveryCaseFactory(owner=agent)

    services.add_note(case=case, actor=agent, body="Customer writes from bob@example.com")

    assert not Notice.objects.exists()
