"""Feedback intake: every submission kept exactly once, with its customer and its triage, or not at all.

Idempotency is the database's job. The unique constraint on (client, idempotency_key) decides which
of two requests with one key stores its row; the other one's IntegrityError becomes a replay of the
stored answer. On PostgreSQL a duplicate arriving while the first is still in flight waits on the
unique index until the first commits, then replays it (or stores its own row, if the first rolled back).
"""

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from feedback import triage
from feedback.models import Customer, Feedback
from recovery.errors import Conflict, IdempotencyKeyReused, InvalidInput, NotPermitted
from recovery.roles import User, may_submit_feedback

KEY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
CUSTOMER_DETAILS = ("name", "email", "phone", "segment")


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
        canonical = json.dumps(asdict(self), sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()


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
    _check_key(idempotency_key)
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
        if stored.received_at > received_at - _window():
            return _replay(stored, fingerprint=fingerprint)
        _release_key(stored)
    raise Conflict(f"Another request is reusing this {KEY_HEADER} right now. Retry it in a moment.")


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
    customer, is_new, feedback_id = _upsert_customer(payload.customer, now=received_at)
    feedback = Feedback(
        id=feedback_id,
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
    return triage.apply(decision=decision, feedback=feedback, new_customer=is_new)


def _upsert_customer(data: CustomerInput, *, now: datetime) -> tuple[Customer, bool, int | None]:
    """Create or update the customer in one statement, which also locks its row until commit.

    Details the request leaves blank keep what Mend already knows. Returns the customer, whether
    this statement created it (False when unknown), and on PostgreSQL the id reserved for the
    feedback about to be stored.
    """
    customer = Customer(**asdict(data), created_at=now, updated_at=now)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_UPSERT_CUSTOMER, {**asdict(data), "now": now})
            customer.pk, is_new, feedback_id = cursor.fetchone()
        return customer, is_new, feedback_id
    given = [name for name in CUSTOMER_DETAILS if getattr(data, name)]
    Customer.objects.bulk_create(
        [customer], update_conflicts=True, unique_fields=["external_id"], update_fields=[*given, "updated_at"]
    )
    return customer, False, None


# The upsert above, plus what spares intake two round trips on PostgreSQL:
# - `xmax = 0` holds only for a row version this statement inserted (an upsert's update leaves the
#   lock's xmax on it). A customer created here can have no case yet, so triage need not look for one.
# - the feedback's id is reserved here, so a new case names its originating feedback as it is
#   inserted (foreign keys are checked at commit) instead of by an UPDATE after the feedback.
_UPSERT_CUSTOMER = """
    INSERT INTO feedback_customer AS known (external_id, name, email, phone, segment, created_at, updated_at)
    VALUES (%(external_id)s, %(name)s, %(email)s, %(phone)s, %(segment)s, %(now)s, %(now)s)
    ON CONFLICT (external_id) DO UPDATE SET
        name = COALESCE(NULLIF(EXCLUDED.name, ''), known.name),
        email = COALESCE(NULLIF(EXCLUDED.email, ''), known.email),
        phone = COALESCE(NULLIF(EXCLUDED.phone, ''), known.phone),
        segment = COALESCE(NULLIF(EXCLUDED.segment, ''), known.segment),
        updated_at = EXCLUDED.updated_at
    RETURNING id, xmax = 0, nextval(pg_get_serial_sequence('feedback_feedback', 'id'))
"""


def _stored_under(*, client: User, idempotency_key: str | None) -> Feedback | None:
    if idempotency_key is None:
        return None
    return Feedback.objects.filter(client=client, idempotency_key=idempotency_key).first()


def _replay(stored: Feedback, *, fingerprint: str) -> IntakeResult:
    if stored.request_fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            f"This {KEY_HEADER} was already used with a different request body. "
            "Send the same body to get the original answer, or use a new key."
        )
    return IntakeResult(stored, replayed=True)


def _release_key(stored: Feedback) -> None:
    # Conditional: of two requests releasing the same expired key at once, one updates the row and
    # the other finds nothing to release, then meets the first one's new row and replays it.
    Feedback.objects.filter(pk=stored.pk, idempotency_key=stored.idempotency_key).update(idempotency_key=None)


def _window() -> timedelta:
    return timedelta(hours=settings.MEND_INTAKE_IDEMPOTENCY_HOURS)


def _check_key(key: str | None) -> None:
    if key is None:
        return
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable():
        raise InvalidInput(f"{KEY_HEADER} is 1 to {MAX_KEY_LENGTH} printable characters.", field=KEY_HEADER)


def _check_payload(payload: FeedbackInput, *, received_at: datetime) -> None:
    if payload.rating is None and payload.nps is None and not payload.comment.strip():
        raise InvalidInput("Give at least one of rating, nps or a comment.", field="comment")
    if payload.occurred_at is not None and payload.occurred_at > received_at:
        raise InvalidInput("occurred_at may not be in the future.", field="occurred_at")
    if not payload.customer.external_id.strip():
        raise InvalidInput("customer.external_id is required.", field="customer")
