"""Feedback intake: every submission kept exactly once, with its customer and its triage, or not at all.

Idempotency is the database's job. The unique constraint on (client, idempotency_key) decides which
of two requests with one key stores its row; the other one's IntegrityError becomes a replay of the
stored answer. On PostgreSQL a duplicate arriving while the first is still in flight waits on the
unique index until the first commits, then replays it (or stores its own row, if the first rolled back).
"""

from dataclasses import asdict, dataclass, field
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from cases.metrics import facts
from feedback import triage
from feedback.models import Customer, Feedback
from recovery import idempotency
from recovery.errors import InvalidInput, NotPermitted
from recovery.idempotency import check_key, window
from recovery.roles import User, may_submit_feedback

CUSTOMER_DETAILS = ("name", "email", "phone", "segment")
# What reaches the customer (survey emails go to this email): set on a known customer only by a trusted
# client (`feedback.change_customer_contact`), even where it is blank: filling a blank email would send
# that customer's survey link wherever the client chose.
CONTACT_DETAILS = ("name", "email", "phone")


@dataclass(frozen=True)
class CustomerInput:
    external_id: str
    name: str = ""
    email: str = ""
    phone: str = ""
    segment: str = ""


@dataclass(frozen=True)
class FeedbackInput:
    """A submission as the API parsed it. Two submissions are "the same body" when these are equal."""

    channel: str
    customer: CustomerInput
    rating: int | None = None
    nps: int | None = None
    comment: str = ""
    touchpoint: str = ""
    occurred_at: datetime | None = None  # None: when it was received
    metadata: dict = field(default_factory=dict)

    def fingerprint(self) -> str:
        """sha256 of the canonical JSON of the parsed body: key order, spacing and null-vs-absent
        do not make two bodies different."""
        # The dict `asdict` would give, without its deep copy of every value (a fingerprint only
        # serialises them): a stored fingerprint must stay the same for the same body.
        return idempotency.fingerprint({**vars(self), "customer": vars(self.customer)})


@dataclass(frozen=True)
class IntakeResult:
    feedback: Feedback
    replayed: bool  # True: this answers an earlier request with the same key and body again
    status: int = 201


def submit(*, client: User, idempotency_key: str | None, payload: FeedbackInput) -> IntakeResult:
    """Keep `payload` once, with its customer and its triage; or answer what its key stored before.

    1. A key used within the idempotency window replays that use (same body) or is refused (422).
    2. A key last used before the window is released (that row keeps all but its key) and reused.
    3. Otherwise customer, feedback and case are written in one transaction: all of them or nothing.
    """
    if not may_submit_feedback(client):
        raise NotPermitted("Only intake clients, agents and managers may submit feedback.")
    check_key(idempotency_key)
    received_at = timezone.now()
    _check_payload(payload, received_at=received_at)
    fingerprint = payload.fingerprint()
    decision = triage.decide(rating=payload.rating, nps=payload.nps, comment=payload.comment)
    for _attempt in range(2):
        try:
            feedback = _store(
                client=client,
                idempotency_key=idempotency_key,
                fingerprint=fingerprint,
                payload=payload,
                received_at=received_at,
                decision=decision,
            )
            return IntakeResult(feedback, replayed=False)
        except IntegrityError:
            stored = _stored_under(client=client, idempotency_key=idempotency_key)
            if stored is None:  # not our key's constraint: a real error
                raise
        if stored.received_at > received_at - window():
            return _replay(stored, fingerprint=fingerprint)
        _release_key(stored)
    raise idempotency.in_flight()


@transaction.atomic
def _store(
    *,
    client: User,
    idempotency_key: str | None,
    fingerprint: str,
    payload: FeedbackInput,
    received_at: datetime,
    decision: triage.TriageDecision,
) -> Feedback:
    trusted = client.has_perm("feedback.change_customer_contact")
    customer, is_new = _upsert_customer(payload.customer, now=received_at, trusted=trusted)
    feedback = Feedback(
        submitted_contact=_refused_contact(payload.customer, customer),
        customer=customer,
        channel=payload.channel,
        rating=payload.rating,
        nps=payload.nps,
        comment=payload.comment,
        touchpoint=payload.touchpoint,
        occurred_at=payload.occurred_at or received_at,
        received_at=received_at,
        metadata=payload.metadata,
        client=client,
        idempotency_key=idempotency_key,
        request_fingerprint=fingerprint,
    )
    feedback = triage.apply(decision=decision, feedback=feedback, new_customer=is_new)
    if not is_new:  # a customer created just now has no survey answer a later rating could follow
        facts.feedback_received(feedback)
    return feedback


def _upsert_customer(data: CustomerInput, *, now: datetime, trusted: bool) -> tuple[Customer, bool]:
    """Create or update the customer in one statement, which also locks its row until commit.

    Details the request leaves blank keep what Mend already knows. On a known customer, name, email and
    phone change, or are filled where blank, only for a `trusted` client; any client sets them on a
    customer it creates. Returns the customer as stored, and whether this statement created it (False
    when unknown).

    PostgreSQL alone says this in one statement (`_UPSERT_CUSTOMER`); elsewhere it takes three.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_UPSERT_CUSTOMER, {**vars(data), "now": now, "trusted": trusted})
            pk, name, email, phone, segment, is_new = cursor.fetchone()
        stored = Customer(pk=pk, external_id=data.external_id, name=name, email=email, phone=phone)
        stored.segment, stored.created_at, stored.updated_at = segment, now, now
        return stored, is_new
    known = Customer.objects.filter(external_id=data.external_id).first()
    given = [name for name in CUSTOMER_DETAILS if getattr(data, name)]
    if known is not None and not trusted:
        given = [name for name in given if name not in CONTACT_DETAILS]
    customer = Customer(**asdict(data), created_at=now, updated_at=now)
    Customer.objects.bulk_create(
        [customer], update_conflicts=True, unique_fields=["external_id"], update_fields=[*given, "updated_at"]
    )
    return Customer.objects.get(external_id=data.external_id), False


def _refused_contact(submitted: CustomerInput, stored: Customer) -> dict | None:
    """The contact details sent that the customer's record does not carry: kept on the feedback as
    submitted, for an agent to confirm with the customer, instead of overwriting what Mend knows."""
    refused = {
        name: getattr(submitted, name)
        for name in CONTACT_DETAILS
        if getattr(submitted, name) and getattr(submitted, name) != getattr(stored, name)
    }
    return refused or None


# The customer upsert of intake on PostgreSQL. `xmax = 0` holds only for a row version this statement
# inserted (an upsert's update leaves the lock's xmax on it): a customer created here can have no case
# yet, so triage need not look for one. On a known customer a contact detail changes, or a blank one
# is filled, only when %(trusted)s.
_UPSERT_CUSTOMER = """
    INSERT INTO feedback_customer AS known (external_id, name, email, phone, segment, created_at, updated_at)
    VALUES (%(external_id)s, %(name)s, %(email)s, %(phone)s, %(segment)s, %(now)s, %(now)s)
    ON CONFLICT (external_id) DO UPDATE SET
        name = CASE WHEN %(trusted)s THEN COALESCE(NULLIF(EXCLUDED.name, ''), known.name)
              ELSE known.name END,
        email = CASE WHEN %(trusted)s THEN COALESCE(NULLIF(EXCLUDED.email, ''), known.email)
               ELSE known.email END,
        phone = CASE WHEN %(trusted)s THEN COALESCE(NULLIF(EXCLUDED.phone, ''), known.phone)
               ELSE known.phone END,
        segment = COALESCE(NULLIF(EXCLUDED.segment, ''), known.segment),
        updated_at = EXCLUDED.updated_at
    RETURNING id, name, email, phone, segment, xmax = 0
"""


def _stored_under(*, client: User, idempotency_key: str | None) -> Feedback | None:
    if idempotency_key is None:
        return None
    return Feedback.objects.filter(client=client, idempotency_key=idempotency_key).first()


def _replay(stored: Feedback, *, fingerprint: str) -> IntakeResult:
    if stored.request_fingerprint != fingerprint:
        raise idempotency.reused_with_another_body()
    return IntakeResult(stored, replayed=True)


def _release_key(stored: Feedback) -> None:
    # Conditional: of two requests releasing the same expired key at once, one updates the row and
    # the other finds nothing to release, then meets the first one's new row and replays it.
    Feedback.objects.filter(pk=stored.pk, idempotency_key=stored.idempotency_key).update(idempotency_key=None)


def _check_payload(payload: FeedbackInput, *, received_at: datetime) -> None:
    if payload.rating is None and payload.nps is None and not payload.comment.strip():
        raise InvalidInput("Give at least one of rating, nps or a comment.", field="comment")
    if payload.occurred_at is not None and payload.occurred_at > received_at:
        raise InvalidInput("occurred_at may not be in the future.", field="occurred_at")
    if not payload.customer.external_id.strip():
        raise InvalidInput("customer.external_id is required.", field="customer")
