"""Gesture rules: the checks for keeping one (managers only), written once for the API and the pages.

Values arrive as the caller parsed them (JSON or a form); anything that does not fit is an
`InvalidInput` naming its field, and nothing is stored. A condition's refusal names the field
`conditions` and says which part of it is wrong (`RuleConditionRefused.part`, for a form).
"""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from cases.gesture_rules import active, metadata
from cases.gesture_rules.models import GestureRule
from cases.gestures import rates
from cases.gestures.services import valid_amount as valid_gesture_amount
from cases.models import Gesture, Severity
from feedback import conditions as feedback_conditions
from feedback.models import Channel
from recovery.errors import InvalidInput, NotFound, NotPermitted
from recovery.parsing import decimal_number
from recovery.roles import User, is_manager

FIELDS = (
    "name",
    "active",
    "conditions",
    "kind",
    "amount",
    "currency",
    "per_customer_90d",
    "monthly_budget",
)
REQUIRED = ("name", "conditions", "kind", "amount", "currency")
CONDITION_KEYS = (*feedback_conditions.LIST_KEYS, "metadata")
NAME_LENGTH = 100
# The most one rule may spend in a month: a typo of three zeros should be refused, not budgeted.
BUDGET_CEILING = Decimal("100000000.00")


class RuleConditionRefused(InvalidInput):
    """A refused condition set; `part` is the condition at fault (touchpoint, ..., metadata) if one is."""

    def __init__(self, message: str, *, part: str | None = None):
        super().__init__(message, field="conditions")
        self.part = part


def require_manager(actor: User) -> None:
    if not is_manager(actor):
        raise NotPermitted(_("Only managers keep automatic gesture rules."))


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(
            _("The name is required: what the timeline says granted the gesture."), field="name"
        )
    if len(value.strip()) > NAME_LENGTH:
        raise InvalidInput(_("The name is at most %(n)d characters.") % {"n": NAME_LENGTH}, field="name")
    return value.strip()


def _active(value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(_("Active is true or false."), field="active")
    return value


def _conditions(value: Any) -> dict[str, Any]:
    try:
        cleaned = feedback_conditions.validate(value, allowed=CONDITION_KEYS)
    except ValidationError as refused:
        raise RuleConditionRefused(" ".join(refused.messages)) from None
    for key, known in (("channel", Channel.values), ("severity", Severity.values)):
        unknown = [v for v in cleaned.get(key, []) if v.casefold() not in known]
        if unknown:
            raise RuleConditionRefused(
                _("Unknown %(key)s %(value)s; the %(key)s values are %(known)s.")
                % {"key": key, "value": repr(unknown[0]), "known": ", ".join(known)},
                part=key,
            )
        if key in cleaned:
            cleaned[key] = [v.casefold() for v in cleaned[key]]
    if "metadata" in cleaned:
        try:
            cleaned["metadata"] = metadata.validate(cleaned["metadata"])
        except metadata.MetadataConditionError as refused:
            raise RuleConditionRefused(str(refused), part="metadata") from None
    return cleaned


def _kind(value: Any) -> str:
    if value not in Gesture.Kind.values:
        raise InvalidInput(
            _("Kind is one of %(kinds)s.") % {"kinds": ", ".join(Gesture.Kind.values)}, field="kind"
        )
    return value


def _amount(value: Any) -> Decimal:
    if value is None:
        raise InvalidInput(_("The amount is required: what each gesture is worth."), field="amount")
    return valid_gesture_amount(value)  # the gestures' own rule: a positive decimal, two places


def _currency(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidInput(_("The currency is an ISO 4217 code such as EUR."), field="currency")
    return rates.valid_currency(value)


def _per_customer_90d(value: Any) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 1000:
        raise InvalidInput(
            _("per_customer_90d is a whole number from 0 to 1000, or null for no cap."),
            field="per_customer_90d",
        )
    return value


def _monthly_budget(value: Any) -> Decimal | None:
    if value is None:
        return None
    number = decimal_number(value)  # text or a Decimal; JSON numbers are refused: decimals are text
    if number is None or number < 0 or number > BUDGET_CEILING or number != number.quantize(Decimal("0.01")):
        raise InvalidInput(
            _(
                'monthly_budget is a decimal string such as "500.00" (zero or more, at most two decimal '
                "places), or null for no budget."
            ),
            field="monthly_budget",
        )
    return number.quantize(Decimal("0.01"))


_PARSERS = {
    "name": _name,
    "active": _active,
    "conditions": _conditions,
    "kind": _kind,
    "amount": _amount,
    "currency": _currency,
    "per_customer_90d": _per_customer_90d,
    "monthly_budget": _monthly_budget,
}


def parsed(values: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """The values checked and cleaned, in `FIELDS` order; refuses unknown fields and missing ones."""
    unknown = [name for name in values if name not in FIELDS]
    if unknown:
        raise InvalidInput(
            f"Unknown field {unknown[0]!r}; a gesture rule has {', '.join(FIELDS)}.", field=unknown[0]
        )
    if not partial:
        for required in REQUIRED:
            if required not in values:
                _PARSERS[required](None)  # raises the field's own "required" message
    return {name: _PARSERS[name](values[name]) for name in FIELDS if name in values}


def create(*, actor: User, values: dict[str, Any]) -> GestureRule:
    require_manager(actor)
    fields = parsed(values)
    rule = GestureRule.objects.create(created_by=actor if actor.is_authenticated else None, **fields)
    _forget_after_commit()
    return rule


def get(*, actor: User, rule_id: int) -> GestureRule:
    require_manager(actor)
    rule = GestureRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(_("No such gesture rule."))
    return rule


def listed(*, actor: User) -> QuerySet[GestureRule]:
    require_manager(actor)
    return GestureRule.objects.order_by("name", "id")


@transaction.atomic
def update(*, actor: User, rule_id: int, values: dict[str, Any]) -> GestureRule:
    """Change some fields. Waits for a triage that holds the rule, so its counts stay its own."""
    require_manager(actor)
    fields = parsed(values, partial=True)
    rule = GestureRule.objects.select_for_update().filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(_("No such gesture rule."))
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.save()
    _forget_after_commit()
    return rule


def delete(*, actor: User, rule_id: int) -> None:
    """The rule goes; the gestures it granted stay, naming it in their description and timeline."""
    get(actor=actor, rule_id=rule_id).delete()
    _forget_after_commit()


def _forget_after_commit() -> None:
    # Now, and again once committed: a triage in this process between the two would cache the old rules.
    active.forget()
    transaction.on_commit(active.forget)
