"""Goodwill gestures: agents grant up to their limit per case; above it a manager decides.

Amounts are `Decimal` end to end. The limit counts every gesture already granted or approved on the
case in the same currency, so splitting one large refund into small ones does not get around it.
"""

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from cases import events, outbox
from cases.gestures.currencies import ISO_4217
from cases.models import CaseEvent, Gesture, RecoveryCase
from recovery.errors import Conflict, InvalidInput, NotPermitted
from recovery.parsing import decimal_number
from recovery.roles import User, is_manager, managers, require_case_worker, require_may_act_on

COUNTED = (Gesture.Status.GRANTED, Gesture.Status.APPROVED)


def agent_limit(currency: str) -> Decimal:
    return Decimal(settings.MEND_GESTURE_LIMITS.get(currency, settings.MEND_GESTURE_AGENT_LIMIT))


@transaction.atomic
def request_gesture(
    *, case_id: int, actor: User, kind: str, amount: Decimal, currency: str, description: str = ""
) -> Gesture:
    """Grant a gesture, or hold it for a manager when it takes the case above the agent's limit.

    Locks the case so two gestures requested at once are counted against the limit one after the other.
    """
    currency = _valid_currency(currency)
    amount = _valid_amount(amount)
    if kind not in Gesture.Kind.values:
        raise InvalidInput(f"Kind is one of {', '.join(Gesture.Kind.values)}.", field="kind")
    case = RecoveryCase.objects.select_for_update().get(pk=case_id)
    require_case_worker(actor, doing="grant gestures")
    require_may_act_on(case, actor)
    if not case.is_open:
        raise Conflict(f"{case.reference} is closed; reopen it before granting a gesture.")
    granted = case.gestures.filter(currency=currency, status__in=COUNTED).aggregate(total=Sum("amount"))
    within_limit = (granted["total"] or Decimal("0")) + amount <= agent_limit(currency)
    status = Gesture.Status.GRANTED if within_limit or is_manager(actor) else Gesture.Status.PENDING_APPROVAL
    gesture = Gesture.objects.create(
        case=case,
        kind=kind,
        amount=amount,
        currency=currency,
        description=(description or "").strip(),
        status=status,
        requested_by=actor,
    )
    _record(gesture, actor=actor, message=f"{gesture} {gesture.get_status_display().lower()}")
    if status == Gesture.Status.PENDING_APPROVAL:
        _tell_managers(gesture)
    return gesture


def approve(*, gesture_id: int, actor: User, note: str = "") -> Gesture:
    return _decide(gesture_id=gesture_id, actor=actor, status=Gesture.Status.APPROVED, note=note)


def reject(*, gesture_id: int, actor: User, note: str = "") -> Gesture:
    return _decide(gesture_id=gesture_id, actor=actor, status=Gesture.Status.REJECTED, note=note)


@transaction.atomic
def _decide(*, gesture_id: int, actor: User, status: str, note: str) -> Gesture:
    if not is_manager(actor):
        raise NotPermitted("Only a manager may approve or reject a gesture.")
    gesture = Gesture.objects.select_for_update().select_related("case").get(pk=gesture_id)
    if gesture.status != Gesture.Status.PENDING_APPROVAL:
        raise Conflict(_not_waiting(gesture))
    gesture.status = status
    gesture.decided_by = actor
    gesture.decided_at = timezone.now()
    gesture.decision_note = (note or "").strip()
    gesture.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _record(gesture, actor=actor, message=f"{gesture} {gesture.get_status_display().lower()}")
    return gesture


def _not_waiting(gesture: Gesture) -> str:
    """Why a decision cannot be taken: said so that a manager who lost a race knows who won it."""
    what = f"The {gesture} on {gesture.case.reference}"
    status = gesture.get_status_display().lower()
    decider = gesture.decided_by  # read only here: the locking query cannot outer-join a nullable key
    if decider is None or gesture.decided_at is None:
        return f"{what} is {status}, not waiting for a decision."
    who = decider.get_full_name() or decider.get_username()
    when = timezone.localtime(gesture.decided_at).strftime("%Y-%m-%d %H:%M")
    return f"{what} was already {status} by {who} at {when}; nothing changed."


def _valid_currency(currency: str) -> str:
    code = (currency or "").strip().upper()
    if code not in ISO_4217:
        raise InvalidInput(
            f"'{currency}' is not an ISO 4217 currency code (EUR, USD, GBP ...).", field="currency"
        )
    return code


def _valid_amount(amount: Decimal | str | int | float | None) -> Decimal:
    if isinstance(amount, float):
        raise InvalidInput('Send the amount as a decimal string such as "20.00".', field="amount")
    # ASCII digits with an optional point (`recovery.parsing`): `1e400` would overflow `quantize`.
    number = decimal_number(str(amount) if isinstance(amount, int) else amount)
    if number is None:
        raise InvalidInput("The amount is a decimal number such as 20.00.", field="amount")
    amount = number
    if amount <= 0:
        raise InvalidInput("A gesture is worth more than zero.", field="amount")
    ceiling = Decimal(settings.MEND_GESTURE_MAX_AMOUNT)
    if amount > ceiling:
        raise InvalidInput(f"No single gesture may exceed {ceiling}.", field="amount")
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput("Amounts have at most two decimal places.", field="amount")
    return amount.quantize(Decimal("0.01"))


def _record(gesture: Gesture, *, actor: User, message: str) -> None:
    events.record(
        gesture.case,
        CaseEvent.Kind.GESTURE,
        actor=actor,
        message=message,
        data={
            "gesture": gesture.pk,
            "kind": gesture.kind,
            "amount": str(gesture.amount),
            "currency": gesture.currency,
            "status": gesture.status,
        },
    )


def _tell_managers(gesture: Gesture) -> None:
    outbox.notify_users(
        managers(),
        template="gesture_pending_approval",
        context={"gesture": gesture},
        case=gesture.case,
        dedupe_prefix=f"gesture:{gesture.pk}:pending",
    )
