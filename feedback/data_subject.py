"""A customer's data rights: export everything Mend holds about them, or erase (anonymise) them.

Erasure keeps every row, so the dashboard's counts (cases, feedback, gestures, satisfaction, timings)
stay true, and scrubs what identifies or quotes the person: name, email, phone, external id, comments,
metadata, and every free text of their cases (titles, descriptions, notes, reasons, outcomes, emails),
wherever a table holds it: `recovery.personal_data` lists every table, each app registering its own.
Both are audited (`DataSubjectRequest`: who, when, which customer, through what) in the same transaction.
"""

from dataclasses import replace

from django.db import transaction

from cases.models import CaseEvent, FollowUp, Gesture, Message, Notification, RecoveryCase, format_reference
from feedback.models import Customer, DataSubjectRequest, Feedback
from recovery import personal_data
from recovery.errors import NotFound
from recovery.roles import require_permission


def find_customer(external_id: str) -> Customer:
    customer = Customer.objects.filter(external_id=external_id).first()
    if customer is None:
        raise NotFound(f"No customer has the external id '{external_id}'.")
    return customer


@transaction.atomic
def export(*, customer_id: int, actor, via: str) -> dict:
    """Everything about one customer, as JSON-ready values (datetimes and decimals left to the encoder)."""
    require_permission(actor, "feedback.export_customer", message="Only managers export a customer's data.")
    customer = Customer.objects.get(pk=customer_id)
    _audit(customer, DataSubjectRequest.Kind.EXPORT, actor=actor, via=via)
    cases = RecoveryCase.objects.filter(customer=customer)
    return {
        "customer": _values(Customer.objects.filter(pk=customer.pk))[0],
        "feedback": _values(Feedback.objects.filter(customer=customer).order_by("received_at", "pk")),
        "cases": _values(cases.order_by("created_at", "pk")),
        "events": _values(CaseEvent.objects.filter(case__in=cases).order_by("created_at", "pk")),
        "gestures": _values(Gesture.objects.filter(case__in=cases).order_by("created_at", "pk")),
        "follow_ups": _values(FollowUp.objects.filter(case__in=cases).order_by("due_at", "pk")),
        # The conversation with them, both directions (files by name; the raw source stays with the case).
        "messages": _values(Message.objects.filter(case__in=cases).order_by("created_at", "pk")),
        "emails": _values(
            Notification.objects.filter(case__in=cases, recipient=customer.email).order_by("created_at", "pk")
            if customer.email
            else Notification.objects.none()
        ),
    }


@transaction.atomic
def erase(*, customer_id: int, actor, via: str) -> Customer:
    """Anonymise the customer and everything that quotes them; counts, scores and timings stay.

    Every table that can hold personal data is in `recovery.personal_data`; each erases its own rows.
    """
    require_permission(actor, "feedback.erase_customer", message="Only managers erase a customer's data.")
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    subject = subject_of(customer)
    personal_data.erase(replace(subject, quotes=personal_data.quotes_of(subject)))
    customer.refresh_from_db()
    _audit(customer, DataSubjectRequest.Kind.ERASE, actor=actor, via=via)
    return customer


def subject_of(customer: Customer) -> personal_data.Subject:
    """The customer as erasure sees them, before anything is erased (their quotes still to be read)."""
    case_ids = tuple(
        RecoveryCase.objects.filter(customer=customer).order_by("pk").values_list("pk", flat=True)
    )
    return personal_data.Subject(
        customer_id=customer.pk,
        case_ids=case_ids,
        references=tuple(format_reference(pk) for pk in case_ids),
        identifiers=personal_data.identifiers_of(
            name=customer.name, email=customer.email, phone=customer.phone, external_id=customer.external_id
        ),
    )


def _audit(customer: Customer, kind: str, *, actor, via: str) -> None:
    DataSubjectRequest.objects.create(
        customer=customer, kind=kind, actor=actor, actor_username=actor.get_username(), via=via
    )


def _values(queryset) -> list[dict]:
    return list(queryset.values())
