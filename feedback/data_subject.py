"""A customer's data rights: export everything Mend holds about them, or erase (anonymise) them.

Erasure keeps every row, so the dashboard's counts (cases, feedback, gestures, satisfaction, timings)
stay true, and scrubs what identifies or quotes the person: name, email, phone, external id, comments,
metadata, and every free text of their cases (titles, descriptions, notes, reasons, outcomes, emails).
Both are audited (`DataSubjectRequest`: who, when, which customer, through what) in the same transaction.
"""

from django.db import transaction
from django.db.models import F

from cases import events
from cases.models import CaseEvent, FollowUp, Gesture, Message, Notification, RecoveryCase
from feedback.models import Customer, DataSubjectRequest, Feedback
from recovery.errors import NotFound
from recovery.roles import require_permission

ERASED = "[erased]"


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
        "emails": _values(
            Notification.objects.filter(case__in=cases, recipient=customer.email).order_by("created_at", "pk")
            if customer.email
            else Notification.objects.none()
        ),
    }


@transaction.atomic
def erase(*, customer_id: int, actor, via: str) -> Customer:
    """Anonymise the customer and everything that quotes them; counts, scores and timings stay."""
    require_permission(actor, "feedback.erase_customer", message="Only managers erase a customer's data.")
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    case_ids = list(RecoveryCase.objects.filter(customer=customer).values_list("pk", flat=True))
    Feedback.objects.filter(customer=customer).update(comment="", metadata={}, submitted_contact=None)
    RecoveryCase.objects.filter(pk__in=case_ids).update(
        title=ERASED,
        description="",
        resolution_summary="",
        close_reason="",
        hold_reason="",
        version=F("version") + 1,
    )
    events.scrub(case_ids=case_ids)
    Gesture.objects.filter(case_id__in=case_ids).update(description="", decision_note="")
    FollowUp.objects.filter(case_id__in=case_ids).update(outcome="")
    Notification.objects.filter(case_id__in=case_ids).update(
        subject=ERASED, body="", body_html="", headers={}, last_error=""
    )
    # The conversation quotes them word for word, and its addresses are theirs.
    Message.objects.filter(case_id__in=case_ids).update(
        subject=ERASED, body="", body_html="", from_address="", to_address=""
    )
    if customer.email:
        Notification.objects.filter(case_id__in=case_ids, recipient=customer.email).update(recipient="")
    customer.external_id = f"erased-{customer.pk}"
    customer.name = customer.email = customer.phone = ""
    customer.save(update_fields=["external_id", "name", "email", "phone", "updated_at"])
    _audit(customer, DataSubjectRequest.Kind.ERASE, actor=actor, via=via)
    return customer


def _audit(customer: Customer, kind: str, *, actor, via: str) -> None:
    DataSubjectRequest.objects.create(
        customer=customer, kind=kind, actor=actor, actor_username=actor.get_username(), via=via
    )


def _values(queryset) -> list[dict]:
    return list(queryset.values())
