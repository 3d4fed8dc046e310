"""Goodwill gestures: agents grant up to their limit per case; above it a manager decides.

Amounts are `Decimal` end to end. The limit is one figure in the base currency (`cases.gestures.rates`),
and it counts every gesture on the case in every currency, granted, approved or still waiting, each at
its value in the base currency: neither splitting one large refund into small ones nor spreading it
over currencies gets around it. A gesture whose value nobody knows (no rate) always waits.
"""

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cases import events, notices, outbox
from cases.gestures import rates, selectors
from cases.models import CaseEvent, ExchangeRate, Gesture, GestureRule, Notice, RecoveryCase
from cases.teams.scope import require_may_act_on
from cases.templatetags.moments import moment
from recovery.errors import Conflict, InvalidInput, NotPermitted
from recovery.parsing import decimal_number
from recovery.roles import User, is_manager, managers, require_case_worker

# What a case has been given, or promised if a manager agrees: a pending gesture counts too, or an
# agent could queue a large one for approval and then grant the limit again beside it.
COUNTED = (Gesture.Status.GRANTED, Gesture.Status.APPROVED, Gesture.Status.PENDING_APPROVAL)


# Whom a waiting gesture waits for is named up to this many managers; beyond, the rest are counted.
NAMED_APPROVERS = 3


def agent_limit() -> Decimal:
    """What an agent may grant on one case without a manager, in the base currency."""
    return Decimal(settings.MEND_GESTURE_AGENT_LIMIT)


def needs_reason_message() -> str:
    return (
        f"Say why: above {agent_limit()} {rates.base_currency()} per case a manager approves, "
        "and reads this reason first."
    )


@transaction.atomic
def request_gesture(
    *, case_id: int, actor: User, kind: str, amount: Decimal, currency: str, description: str = ""
) -> Gesture:
    """Grant a gesture, or hold it for a manager when it takes the case above the agent's limit.

    Locks the case so two gestures requested at once are counted against the limit one after the other.
    A gesture that waits needs a reason (`description`): the manager decides on it.
    """
    currency = rates.valid_currency(currency)
    amount = valid_amount(amount)
    if kind not in Gesture.Kind.values:
        raise InvalidInput(f"Kind is one of {', '.join(Gesture.Kind.values)}.", field="kind")
    description = (description or "").strip()
    case = RecoveryCase.objects.select_for_update().get(pk=case_id)
    require_case_worker(actor, doing="grant gestures")
    require_may_act_on(case, actor)
    if not case.is_open:
        raise Conflict(f"{case.reference} is closed; reopen it before granting a gesture.")
    table = rates.current_rates()
    value = rates.to_base(amount, currency, rates=table)
    waits = not is_manager(actor) and not _within_limit(case, value, table=table)
    if waits and not description:
        raise InvalidInput(needs_reason_message(), field="description")
    gesture = _give(
        case,
        kind=kind,
        amount=amount,
        currency=currency,
        description=description,
        value=value,
        waits=waits,
        requested_by=actor,
    )
    _record(gesture, actor=actor, message=f"{gesture} {gesture.get_status_display().lower()}")
    if waits:
        _tell_managers(gesture)
    return gesture


def grant_by_rule(*, case: RecoveryCase, rule: GestureRule, held_because: str = "") -> Gesture:
    """Mend's own gesture for an automatic rule: granted, or held for a manager when `held_because`
    says why (the rule is past its monthly budget or its per-customer cap), with the rule as its reason.

    No actor: Mend grants it, as the managers who keep the rule decided in advance, so the rule's
    budget and cap bound it rather than the agent's per-case limit. It counts towards that limit like
    every gesture. Precondition: in the transaction that opened `case`, holding `rule`'s row lock.
    """
    # A rule in the base currency needs no rate: intake is spared reading the table.
    table = {} if rule.currency == rates.base_currency() else rates.current_rates()
    value = rates.to_base(rule.amount, rule.currency, rates=table)
    waits = bool(held_because)
    gesture = _give(
        case,
        kind=rule.kind,
        amount=rule.amount,
        currency=rule.currency,
        description=held_because or f"Granted by rule {rule.name}.",
        value=value,
        waits=waits,
        requested_by=None,
        rule=rule,
    )
    verb = "held for approval by rule" if waits else "granted by rule"
    _record(gesture, actor=None, message=f"{gesture} {verb} {rule.name}", rule=rule)
    if waits:
        _tell_managers(gesture)
    return gesture


def _give(
    case: RecoveryCase,
    *,
    kind: str,
    amount: Decimal,
    currency: str,
    description: str,
    value: rates.Converted,
    waits: bool,
    requested_by: User | None,
    rule: GestureRule | None = None,
) -> Gesture:
    """The gesture row, priced in the base currency now: what `case_total` counts from then on."""
    return Gesture.objects.create(
        case=case,
        kind=kind,
        amount=amount,
        currency=currency,
        description=description,
        status=Gesture.Status.PENDING_APPROVAL if waits else Gesture.Status.GRANTED,
        requested_by=requested_by,
        rule=rule,
        base_amount=value.amount,
        base_currency=rates.base_currency(),
        rate_as_of=value.as_of,
    )


def case_total(case: RecoveryCase, *, table: dict[str, ExchangeRate]) -> Decimal | None:
    """What the case has been given or promised, in the base currency; None when any part of it has
    no known value. Should be called holding the case's row lock, so the total cannot move."""
    total = Decimal("0")
    for gesture in case.gestures.filter(status__in=COUNTED).only(
        "amount", "currency", "base_amount", "base_currency"
    ):
        if gesture.base_amount is not None and gesture.base_currency == rates.base_currency():
            total += gesture.base_amount
            continue
        # Recorded before rates existed, with no rate then, or in an older base currency: price it now.
        value = rates.to_base(gesture.amount, gesture.currency, rates=table).amount
        if value is None:
            return None
        total += value
    return total


def _within_limit(case: RecoveryCase, value: rates.Converted, *, table: dict[str, ExchangeRate]) -> bool:
    if value.amount is None:
        return False
    total = case_total(case, table=table)
    return total is not None and total + value.amount <= agent_limit()


class ClosedCaseNeedsConfirmation(Conflict):
    """Approving a gesture on a closed case gives a customer money after the case is over: possible
    (the agent asked while it was open), but never by a slip of the mouse. Approve again confirmed."""


def approve(*, gesture_id: int, actor: User, note: str = "", closed_case_confirmed: bool = False) -> Gesture:
    return _decide(
        gesture_id=gesture_id,
        actor=actor,
        status=Gesture.Status.APPROVED,
        note=note,
        closed_case_confirmed=closed_case_confirmed,
    )


def reject(*, gesture_id: int, actor: User, note: str = "") -> Gesture:
    return _decide(gesture_id=gesture_id, actor=actor, status=Gesture.Status.REJECTED, note=note)


@transaction.atomic
def _decide(
    *, gesture_id: int, actor: User, status: str, note: str, closed_case_confirmed: bool = False
) -> Gesture:
    if not is_manager(actor):
        raise NotPermitted("Only a manager may approve or reject a gesture.")
    # A gesture on another team's case is not found, like its case (`cases.teams.scope`).
    visible = selectors.visible_gestures(user=actor)
    gesture = visible.select_for_update().select_related("case").get(pk=gesture_id)
    if gesture.status != Gesture.Status.PENDING_APPROVAL:
        raise Conflict(_not_waiting(gesture))
    if status == Gesture.Status.APPROVED and not gesture.case.is_open and not closed_case_confirmed:
        raise ClosedCaseNeedsConfirmation(
            f"{gesture.case.reference} is closed. Approving gives the customer a "
            f"{gesture.get_kind_display().lower()} of {gesture.amount} {gesture.currency} after the case "
            "is over: confirm to approve anyway."
        )
    gesture.status = status
    gesture.decided_by = actor
    gesture.decided_at = timezone.now()
    gesture.decision_note = (note or "").strip()
    gesture.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _record(gesture, actor=actor, message=f"{gesture} {gesture.get_status_display().lower()}")
    _tell_requester(gesture, actor=actor)
    return gesture


def waiting_for(gesture: Gesture) -> str:
    """Whom a waiting gesture waits for, as the agent reads it: "Waiting for approval by Maria Rossi
    (manager)". Every active manager may decide, so every one is named."""
    people = list(selectors.approvers()[: NAMED_APPROVERS + 1])
    names = [f"{user.get_full_name() or user.get_username()} (manager)" for user in people]
    if not names:
        return "Waiting for a manager's approval; no manager is set up yet, so tell your administrator."
    if len(names) == 1:
        return f"Waiting for approval by {names[0]}."
    if len(names) <= NAMED_APPROVERS:
        return f"Waiting for approval by {', '.join(names[:-1])} or {names[-1]}."
    others = selectors.approvers().count() - (NAMED_APPROVERS - 1)
    return f"Waiting for approval by {', '.join(names[: NAMED_APPROVERS - 1])} or {others} other managers."


def _not_waiting(gesture: Gesture) -> str:
    """Why a decision cannot be taken: said so that a manager who lost a race knows who won it."""
    what = f"The {gesture} on {gesture.case.reference}"
    status = gesture.get_status_display().lower()
    decider = gesture.decided_by  # read only here: the locking query cannot outer-join a nullable key
    if decider is None or gesture.decided_at is None:
        return f"{what} is {status}, not waiting for a decision."
    who = decider.get_full_name() or decider.get_username()
    when = moment(gesture.decided_at)
    return f"{what} was already {status} by {who} at {when}; nothing changed."


def valid_amount(amount: Decimal | str | int | float | None) -> Decimal:
    if isinstance(amount, int | float):  # a JSON number: 20.5's float may not be what was written
        raise InvalidInput('Send the amount as a decimal string such as "20.00".', field="amount")
    # ASCII digits with an optional point (`recovery.parsing`): `1e400` would overflow `quantize`.
    number = decimal_number(amount)
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


def _record(gesture: Gesture, *, actor: User | None, message: str, rule: GestureRule | None = None) -> None:
    data = {
        "gesture": gesture.pk,
        "kind": gesture.kind,
        "amount": str(gesture.amount),
        "currency": gesture.currency,
        "status": gesture.status,
    }
    if rule is not None:
        # The name as it was: the timeline keeps saying which rule granted it after a rename.
        data |= {"rule": rule.pk, "rule_name": rule.name}
    events.record(gesture.case, CaseEvent.Kind.GESTURE, actor=actor, message=message, data=data)


def _tell_requester(gesture: Gesture, *, actor: User) -> None:
    """The agent who asked hears the decision in the workspace and by email."""
    requester = gesture.requested_by
    if requester is None or requester.pk == actor.pk:  # Mend asked (a rule): nobody to tell
        return
    approved = gesture.status == Gesture.Status.APPROVED
    who = actor.get_full_name() or actor.get_username()
    verdict = "approved" if approved else "rejected"
    text = f"{who} {verdict} your {gesture.get_kind_display().lower()} of {gesture.amount} {gesture.currency}"
    text += f" on {gesture.case.reference}."
    if gesture.decision_note:
        text += f" Note: {gesture.decision_note}"
    notices.notify(
        [requester],
        kind=Notice.Kind.GESTURE_APPROVED if approved else Notice.Kind.GESTURE_REJECTED,
        case=gesture.case,
        text=text,
        email_template="gesture_decided",
        context={"gesture": gesture, "decider": actor, "verdict": verdict},
        dedupe_prefix=f"gesture:{gesture.pk}:decided",
    )


def _tell_managers(gesture: Gesture) -> None:
    outbox.notify_users(
        managers(),
        template="gesture_pending_approval",
        context={"gesture": gesture},
        case=gesture.case,
        dedupe_prefix=f"gesture:{gesture.pk}:pending",
    )
