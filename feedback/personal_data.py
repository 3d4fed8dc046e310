"""Which of the feedback app's tables hold a customer's data (the registry: `recovery.personal_data`).
The customer's own row registers last: every other eraser may still read it."""

from feedback.models import Customer, DataSubjectRequest, Feedback, WidgetKey
from recovery.personal_data import Subject, holds, holds_none


def _feedback(subject: Subject):
    return Feedback.objects.filter(customer_id=subject.customer_id)


def _json_texts(subject: Subject):
    """The strings a client sent about the customer in metadata and contact details."""
    for metadata, contact in _feedback(subject).values_list("metadata", "submitted_contact"):
        yield from _strings(metadata)
        yield from _strings(contact)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


holds(
    Feedback,
    personal=("comment", "metadata", "submitted_contact"),
    # The fingerprint is a hash of the request, needed to tell a retry from a reused key; the key is
    # the client's own token; `response_case` holds a case's id, reference, severity and stage.
    # `comment_language` is a language code ("es"), kept when triage could not score the comment.
    other=(
        "channel",
        "touchpoint",
        "sentiment",
        "idempotency_key",
        "request_fingerprint",
        "response_case",
        "comment_language",
    ),
    rows=_feedback,
    extra_quotes=_json_texts,
    erase=lambda subject: _feedback(subject).update(comment="", metadata={}, submitted_contact=None),
)


def _erase_customer(subject: Subject) -> None:
    customer = Customer.objects.get(pk=subject.customer_id)
    customer.external_id = f"erased-{customer.pk}"
    customer.name = customer.email = customer.phone = ""
    customer.save(update_fields=["external_id", "name", "email", "phone", "updated_at"])


holds(
    Customer,
    personal=("external_id", "name", "email", "phone"),
    other=("segment", "language"),  # a language tag ("es") is no more personal than a segment
    rows=lambda subject: Customer.objects.filter(pk=subject.customer_id),
    erase=_erase_customer,
)

holds_none(DataSubjectRequest, why="who exported or erased which customer (by id), when, and how")
holds_none(WidgetKey, why="a widget key: its name, the web origins it allows and a touchpoint prefix")
