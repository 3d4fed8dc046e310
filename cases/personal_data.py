"""Which of the cases app's tables hold a customer's data, and how each forgets them
(the registry: `recovery.personal_data`). Rows found by keys first, then rows found by what they say."""

from django.db.models import F, Q

from cases import events
from cases.at_risk.models import CustomerRisk
from cases.emerging.models import EmergingGroup
from cases.gesture_rules.models import GestureRule
from cases.models import (
    Attachment,
    BusinessCalendar,
    CaseEvent,
    ExchangeRate,
    ExportAudit,
    FollowUp,
    Gesture,
    Holiday,
    IdempotentRequest,
    Message,
    MetricsSnapshot,
    Notice,
    NoticePreference,
    Notification,
    RecoveryCase,
    ResponseTemplate,
    RootCause,
    RootCauseEvent,
    RootCauseRule,
    SavedView,
    SLAAlert,
    SLAPolicy,
)
from cases.outreach.models import CustomerOutreach
from cases.teams.models import AgentStatus, RoutingRule, Team
from cases.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from recovery.personal_data import ERASED, Subject, holds, holds_none, redact_rows

# What an email about an erased customer says once the customer can no longer be told.
NOT_SENT = "Not sent: the customer's data was erased."


def _cases(subject: Subject):
    return RecoveryCase.objects.filter(pk__in=subject.case_ids)


def _erase_cases(subject: Subject) -> None:
    _cases(subject).update(
        title=ERASED,
        description="",
        resolution_summary="",
        close_reason="",
        hold_reason="",
        version=F("version") + 1,  # what a client loaded (its ETag) no longer describes the case
    )


holds(
    RecoveryCase,
    personal=("title", "description", "hold_reason", "resolution_summary", "close_reason"),
    other=("channel", "severity", "stage", "touchpoint"),  # its complaint's touchpoint, as on Feedback
    rows=_cases,
    erase=_erase_cases,
)


def _events(subject: Subject):
    return CaseEvent.objects.filter(case_id__in=subject.case_ids)


def _event_quotes(subject: Subject):
    for data in _events(subject).filter(kind=CaseEvent.Kind.UPDATED).values_list("data", flat=True):
        yield from events.quoted(data)


holds(
    CaseEvent,
    personal=("message", "data"),
    other=("kind", "from_stage", "to_stage"),
    rows=_events,
    extra_quotes=_event_quotes,
    erase=lambda subject: events.scrub(case_ids=list(subject.case_ids)),
)

holds(
    Gesture,
    personal=("description", "decision_note"),
    other=("kind", "currency", "base_currency", "status"),
    rows=lambda subject: Gesture.objects.filter(case_id__in=subject.case_ids),
    erase=lambda subject: Gesture.objects.filter(case_id__in=subject.case_ids).update(
        description="", decision_note=""
    ),
)

holds(
    FollowUp,
    personal=("outcome",),
    other=("channel",),
    rows=lambda subject: FollowUp.objects.filter(case_id__in=subject.case_ids),
    erase=lambda subject: FollowUp.objects.filter(case_id__in=subject.case_ids).update(outcome=""),
)


def _emails(subject: Subject):
    """The outbox rows about the subject: those of their cases, digests listing one of their cases
    (by its link, which no other case's link can contain), and any other that names them."""
    links = Q(pk__in=[])
    for reference in subject.references:
        links |= Q(body__contains=f"/cases/{reference}/")
    ids = set(
        Notification.objects.filter(Q(case_id__in=subject.case_ids) | links).values_list("pk", flat=True)
    )
    candidates = Notification.objects.filter(subject.mentioned_in("recipient", "subject", "body")).exclude(
        pk__in=ids
    )
    for pk, *texts in candidates.values_list("pk", "recipient", "subject", "body"):
        if subject.is_about(" ".join(texts)):
            ids.add(pk)
    return Notification.objects.filter(pk__in=ids)


def _erase_emails(subject: Subject) -> None:
    """An email already sent (or given up on) keeps only the marker: it is a record that something was
    sent, and what it said went with the customer. One still to be sent to the customer cannot go any
    more; one still to be sent to staff goes, without the customer's words."""
    emails = _emails(subject)
    addresses = [identifier for identifier in subject.identifiers if "@" in identifier]
    to_them = Q(pk__in=[])
    for address in addresses:
        to_them |= Q(recipient__iexact=address)
    done = emails.exclude(status=Notification.Status.PENDING)
    done.filter(to_them).update(recipient="")
    done.update(subject=ERASED, body=ERASED, body_html="", headers={}, last_error="")
    emails.filter(to_them, status=Notification.Status.PENDING).update(
        status=Notification.Status.FAILED,
        recipient="",
        subject=ERASED,
        body=ERASED,
        body_html="",
        headers={},
        last_error=NOT_SENT,
    )
    for email in emails.filter(status=Notification.Status.PENDING).only("pk", "subject", "body", "body_html"):
        Notification.objects.filter(pk=email.pk).update(
            subject=subject.redact_text(email.subject),
            body=subject.redact_text(email.body),
            body_html=subject.redact_text(email.body_html),
        )


holds(
    Notification,
    personal=("recipient", "subject", "body", "body_html", "last_error"),
    other=("template", "dedupe_key", "status", "headers"),
    erase=_erase_emails,
)

# An export's filters are its query string: a search for the customer's name is kept as typed.
holds(
    ExportAudit,
    personal=("filters",),
    other=("export",),
    erase=lambda subject: redact_rows(ExportAudit.objects.all(), subject=subject, json=("filters",)),
)

# A stored answer of the case API repeats the case and its customer, to replay it under its key.
holds(
    IdempotentRequest,
    personal=("body", "headers"),
    other=("key", "fingerprint"),
    erase=lambda subject: redact_rows(
        IdempotentRequest.objects.all(), subject=subject, json=("body", "headers")
    ),
)

holds_none(RootCause, why="written by managers about a cause many customers share, not about one")
holds_none(SLAPolicy, why="targets per severity")
holds_none(BusinessCalendar, why="opening hours")
holds_none(Holiday, why="public holidays")
holds_none(SLAAlert, why="which target of which case was missed, by id")
holds_none(ResponseTemplate, why="texts with placeholders, filled in only when an email is written")
holds_none(MetricsSnapshot, why="counts and durations; agents and root causes by name, never customers")


def _messages(subject: Subject):
    return Message.objects.filter(case_id__in=subject.case_ids)


def _erase_messages(subject: Subject) -> None:
    """The conversation with the customer goes with them: what was said, to and from which address,
    the raw source and the files. The rows stay, as a record that messages were exchanged."""
    for message in _messages(subject).exclude(raw=""):
        message.raw.delete(save=False)
    attachments = Attachment.objects.filter(message__case_id__in=subject.case_ids)
    for attachment in attachments:
        attachment.file.delete(save=False)
    attachments.update(name=ERASED, file="")
    _messages(subject).update(
        from_address=ERASED,
        to_address=ERASED,
        subject=ERASED,
        body=ERASED,
        body_html="",
        reply_to="",
        references="",
        raw="",
    )


holds(
    Message,
    personal=("from_address", "to_address", "subject", "body", "body_html", "references"),
    other=("direction", "status", "message_id", "in_reply_to", "reply_to"),
    rows=_messages,
    erase=_erase_messages,
)

holds(
    Attachment,
    personal=("name",),
    other=("content_type",),
    rows=lambda subject: Attachment.objects.filter(message__case_id__in=subject.case_ids),
    erase=lambda subject: None,  # with its message, above
)

# A notice repeats its case's title ("Your gesture on <title> was approved").
holds(
    Notice,
    personal=("text",),
    other=("kind",),
    rows=lambda subject: Notice.objects.filter(case_id__in=subject.case_ids),
    erase=lambda subject: Notice.objects.filter(case_id__in=subject.case_ids).update(text=ERASED),
)

# A saved view is a query string, and a search for the customer's name is kept as typed.
holds(
    SavedView,
    personal=("query",),
    other=("name",),
    erase=lambda subject: redact_rows(SavedView.objects.all(), subject=subject, text=("query",)),
)

holds_none(ExchangeRate, why="currencies and their rates")
# Webhook payloads name a case by id and reference and carry ids, stages and amounts, never a customer's
# words (`cases.webhooks.outbox` leaves out what an event quotes); attempts hold status codes and errors.
holds_none(WebhookSubscription, why="a receiver's URL and the event types it wants")
holds_none(WebhookDelivery, why="case ids, references, stages and amounts; no customer text")
holds_none(WebhookAttempt, why="status codes, latencies and transport errors")
# Teams are staff: names, members and routing; a rule's words are the organisation's, not a customer's.
holds_none(Team, why="a team's name, its staff and its assignment mode")
holds_none(RoutingRule, why="conditions written by managers")
holds_none(AgentStatus, why="when a staff member is away")
# A risk score's reasons are codes and counts; an outreach row names a root cause, customer and case by id.
holds_none(CustomerRisk, why="a score and the codes and counts behind it")
holds_none(CustomerOutreach, why="which root cause was told to which customer, by ids")
holds_none(GestureRule, why="conditions, amounts and budgets written by managers")
# Which notices a staff member wants emailed: a kind and a yes or no.
holds_none(NoticePreference, why="a staff member's email choice per notice kind")
# A root cause's history names cases by reference and says what staff did; its rules are staff's words.
holds_none(RootCauseEvent, why="what staff and Mend did to a root cause, naming cases by reference")
holds_none(RootCauseRule, why="a touchpoint and phrases written by managers")
# An emerging group's terms are the words most shared across many customers' comments (TF-IDF across the
# touchpoint's feedback), never one comment's text; its cases are links, which erasure leaves be.
holds_none(EmergingGroup, why="a touchpoint, words shared by many comments, counts and case links")
