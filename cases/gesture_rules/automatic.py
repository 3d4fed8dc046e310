"""Automatic gestures at triage, and what a rule would have done over the last 30 days.

A rule reacts to the feedback that opens a case (not to feedback joining an open one: the customer's
failure was already compensated, or is being). Its gesture goes through `cases.gestures.services`, so
it lands in the same timeline, totals and approval inbox as an agent's.
"""

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q, Sum
from django.utils import timezone

from cases.gesture_rules import active, metadata, services
from cases.gesture_rules.models import GestureRule
from cases.gestures import services as gestures
from cases.models import Gesture, RecoveryCase
from feedback import conditions as feedback_conditions
from feedback.conditions import FeedbackFacts
from recovery.roles import User

CAP_DAYS = 90
PREVIEW_DAYS = 30
# What a rule has given, against its budget: money out of the door, automatically or by a manager.
SPENT = (Gesture.Status.GRANTED, Gesture.Status.APPROVED)
# What a customer has had or is promised by a rule, against its cap: a held gesture counts too.
HAD = (Gesture.Status.GRANTED, Gesture.Status.APPROVED, Gesture.Status.PENDING_APPROVAL)


def rule_matches(conditions: Mapping[str, Any], facts: FeedbackFacts) -> bool:
    """Whether `facts` meet a rule's list conditions and every one of its metadata tests."""
    return feedback_conditions.matches(conditions, facts) and metadata.matches(
        conditions.get("metadata") or [], facts.metadata
    )


def grant_for_new_case(*, case: RecoveryCase, facts: FeedbackFacts) -> list[Gesture]:
    """Each active rule `facts` meet gives `case` its gesture, or asks a manager for it.

    1. Read the active rules (`active`: cached for a moment) and keep those that match: the others
       are never locked.
    2. Lock the matching rules' rows in id order (intakes never wait for each other crosswise), and
       match again on what is locked: a manager may have changed the rule in between.
    3. Under each lock count what the rule gave this month and to this customer, so concurrent intakes
       take turns at the budget: it is never overspent.
    Precondition: inside the intake transaction that opened `case`.
    """
    wanted = [pk for pk, conditions in active.conditions() if rule_matches(conditions, facts)]
    if not wanted:
        return []
    locked = GestureRule.objects.select_for_update().filter(pk__in=wanted, active=True).order_by("pk")
    now = timezone.now()
    return [
        gestures.grant_by_rule(
            case=case, rule=rule, held_because=held_because(rule, customer_id=case.customer_id, now=now)
        )
        for rule in locked
        if rule_matches(rule.conditions, facts)
    ]


def held_because(rule: GestureRule, *, customer_id: int, now: datetime) -> str:
    """Why the rule's next gesture for this customer waits for a manager; "" when it does not.
    Should be called holding the rule's row lock, so the counts cannot move."""
    given = Gesture.objects.filter(rule=rule)
    if rule.per_customer_90d is not None:
        had = given.filter(
            status__in=HAD, case__customer_id=customer_id, created_at__gte=now - timedelta(days=CAP_DAYS)
        ).count()
        if had >= rule.per_customer_90d:
            return (
                f"Rule {rule.name}: this customer has had {had} of its gestures in {CAP_DAYS} days, "
                f"its cap is {rule.per_customer_90d}; a manager decides on this one."
            )
    if rule.monthly_budget is not None:
        spent = given.filter(
            status__in=SPENT, currency=rule.currency, created_at__gte=month_start(now)
        ).aggregate(total=Sum("amount"))["total"] or Decimal("0")
        spent = Decimal(spent).quantize(Decimal("0.01"))  # SQLite sums decimals without their places
        if spent + rule.amount > rule.monthly_budget:
            return (
                f"Rule {rule.name} is past its monthly budget: {spent} of {rule.monthly_budget} "
                f"{rule.currency} given this month; a manager decides on this one."
            )
    return ""


def month_start(now: datetime) -> datetime:
    """The first instant of `now`'s calendar month, in the organisation's time zone."""
    return timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class Preview:
    """What a rule would have done over the last `days` days' cases, had it been on from the start."""

    days: int
    matched: int  # cases whose opening feedback it matches
    cost: Decimal  # matched x amount, in `currency`
    automatic: int  # of those, granted within its budget and cap
    automatic_cost: Decimal
    held: int  # past its budget or cap: sent to a manager
    currency: str


def preview(*, actor: User, values: dict[str, Any], now: datetime | None = None) -> Preview:
    """Check `values` as `services.create` does (same refusals), then replay the last 30 days' new cases
    through the rule, oldest first, applying its cap and budget as triage would."""
    services.require_manager(actor)
    rule = GestureRule(**services.parsed(values))
    now = now or timezone.now()
    matched = automatic = 0
    had: Counter[int] = Counter()
    spent: defaultdict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for case in _recent_cases(rule.conditions, since=now - timedelta(days=PREVIEW_DAYS)):
        if not rule_matches(rule.conditions, _facts_of(case)):
            continue
        matched += 1
        month = (timezone.localtime(case.created_at).year, timezone.localtime(case.created_at).month)
        capped = rule.per_customer_90d is not None and had[case.customer_id] >= rule.per_customer_90d
        broke = rule.monthly_budget is not None and spent[month] + rule.amount > rule.monthly_budget
        had[case.customer_id] += 1
        if not (capped or broke):
            automatic += 1
            spent[month] += rule.amount
    return Preview(
        days=PREVIEW_DAYS,
        matched=matched,
        cost=rule.amount * matched,
        automatic=automatic,
        automatic_cost=rule.amount * automatic,
        held=matched - automatic,
        currency=rule.currency,
    )


def _recent_cases(conditions: Mapping[str, Any], *, since: datetime):
    """Cases opened from feedback since `since`, narrowed in SQL by the list conditions (the matcher
    decides; this only spares reading cases that cannot match)."""
    cases = RecoveryCase.objects.filter(created_at__gte=since, originating_feedback__isnull=False)
    for key, column in (
        ("severity", "severity"),
        ("channel", "originating_feedback__channel"),
        ("touchpoint", "originating_feedback__touchpoint"),
        ("segment", "customer__segment"),
    ):
        if conditions.get(key):
            cases = cases.filter(
                reduce(or_, (Q(**{f"{column}__iexact": value}) for value in conditions[key]))
            )
    return (
        cases.select_related("originating_feedback", "customer")
        .only(
            "created_at",
            "severity",
            "customer_id",
            "customer__segment",
            "originating_feedback__touchpoint",
            "originating_feedback__channel",
            "originating_feedback__comment",
            "originating_feedback__metadata",
        )
        .order_by("created_at", "id")
        .iterator(chunk_size=2000)
    )


def _facts_of(case: RecoveryCase) -> FeedbackFacts:
    feedback = case.originating_feedback
    assert feedback is not None  # filtered in `_recent_cases`
    return FeedbackFacts(
        touchpoint=feedback.touchpoint,
        channel=feedback.channel,
        severity=case.severity,
        segment=case.customer.segment,
        comment=feedback.comment,
        metadata=feedback.metadata if isinstance(feedback.metadata, dict) else {},
    )
