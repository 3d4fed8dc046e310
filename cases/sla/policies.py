"""Reading and editing SLA policies. New targets apply to cases whose clock starts (or restarts) later;
running clocks keep the targets they were given, so a case's due moment never jumps under an agent."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction

from cases.models import SLAPolicy
from cases.sla.clock import policy_for
from recovery.errors import InvalidInput, NotPermitted
from recovery.roles import User, is_manager

DURATION_FIELDS = ("acknowledge_within", "apologize_within", "resolve_within", "follow_up_after")
EDITABLE_FIELDS = (*DURATION_FIELDS, "warn_at_fraction")


@transaction.atomic
def update_policy(*, severity: str, actor: User, changes: dict) -> SLAPolicy:
    if not is_manager(actor):
        raise NotPermitted("Only a manager may edit SLA policies.")
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise InvalidInput(f"'{unknown[0]}' cannot be changed here.", field=unknown[0])
    policy_for(severity)  # recreate it from the defaults if an operator deleted it
    policy = SLAPolicy.objects.select_for_update().get(severity=severity)
    for name, value in changes.items():
        setattr(policy, name, value)
    _check(policy)
    policy.save()
    return policy


def _check(policy: SLAPolicy) -> None:
    for name in DURATION_FIELDS:
        if getattr(policy, name) <= timedelta(0):
            raise InvalidInput("A target is a positive duration.", field=name)
    # The stages come in this order, so their targets must too.
    if not policy.acknowledge_within <= policy.apologize_within <= policy.resolve_within:
        raise InvalidInput(
            "Targets must not shrink from one stage to the next: acknowledge <= apologize <= resolve.",
            field="apologize_within"
            if policy.acknowledge_within > policy.apologize_within
            else "resolve_within",
        )
    if not Decimal("0") < Decimal(policy.warn_at_fraction) < Decimal("1"):
        raise InvalidInput(
            "The warning comes at a fraction between 0 and 1 of the target.", field="warn_at_fraction"
        )
