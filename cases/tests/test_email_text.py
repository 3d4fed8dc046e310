"""Plain-text emails say what people typed, not HTML entities, and no text can add a header line."""

import pytest
from django.core import mail

from cases import outbox, workflow
from cases.follow_ups import sweep as follow_ups
from cases.tests.factories import RecoveryCaseFactory
from feedback.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)

NAME = "O'Brien & <Sons>"


def test_a_customers_email_shows_their_name_as_typed(agent):
    customer = CustomerFactory(name=NAME, email="obrien@example.com")
    case = RecoveryCaseFactory(apologized=True, owner=agent, customer=customer)
    workflow.resolve(case_id=case.pk, actor=agent, resolution="Refunded.")

    follow_ups.sweep(now=case.follow_ups.get().due_at)

    (survey,) = [m for m in mail.outbox if m.to == ["obrien@example.com"]]
    assert f"Dear {NAME}," in survey.body
    assert "&amp;" not in survey.body and "&#x27;" not in survey.body and "&lt;" not in survey.body


def test_staff_emails_quote_case_titles_unescaped(agent, manager):
    manager.email = "maria@example.com"
    manager.save()
    case = RecoveryCaseFactory(title="Tom & Jerry's <fridge>", customer=CustomerFactory(name=NAME))

    outbox.notify_users([manager], template="follow_up_due", context={"survey_sent": False}, case=case)

    (sent,) = mail.outbox
    assert "Tom & Jerry's <fridge>" in sent.body
    assert f"Customer: {NAME}" in sent.body


@pytest.mark.parametrize("breaker", ["\r\n", "\n", "\r", "\u2028", "\x85"])
def test_a_subject_is_one_line_whatever_the_text_in_it(breaker):
    case = RecoveryCaseFactory()

    subject, _body = outbox.render_email(
        "sla_digest", {"subject": f"{case.reference}: late{breaker}Bcc: victim@example.com", "sections": []}
    )

    # A line feed ends the subject line (the rest lands in the body); any other break becomes a space.
    assert subject in (f"{case.reference}: late", f"{case.reference}: late Bcc: victim@example.com")
    assert not any(c in subject for c in "\r\n\u2028\x85")


def test_a_queued_email_with_a_line_break_in_its_subject_is_sent_as_one_line(manager):
    manager.email = "maria@example.com"
    manager.save()
    case = RecoveryCaseFactory()

    outbox.notify_users(
        [manager],
        template="sla_digest",
        context={"subject": f"{case.reference}: x\r\nBcc: victim@example.com", "sections": []},
        case=case,
    )

    (sent,) = mail.outbox
    assert sent.subject == f"{case.reference}: x"
    assert sent.bcc == []
    assert sent.message()["Bcc"] is None
