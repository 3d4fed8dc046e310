"""Keeping each customer's at-risk score current, and reading the customers most at risk.

`refresh` recomputes one customer's score inside the transaction of the event that moves it: a case
opened (`cases.services.open_case`), a stage change or reopening (`cases.workflow`), a severity change,
a survey answer (`cases.follow_ups.survey`). It reads that customer's rows only (one query, and one
statement to store it), never the whole table, so its cost does not grow with the number of customers.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from cases.at_risk.formula import POOR_ANSWER_AT_MOST, WINDOW, Inputs, Risk, parse_value, score
from cases.at_risk.models import CustomerRisk
from cases.models import RecoveryCase, Severity, Stage
from cases.teams.scope import case_scope, sees_everything
from feedback.models import Customer, Feedback
from recovery.roles import User

AT_RISK_LIMIT = 200  # the list is for acting on, not an export: the top of it is what matters


def refresh(*, customer_id: int, now: datetime | None = None) -> Risk:
    """Recompute and store one customer's score. Call inside the transaction of the event."""
    now = now or timezone.now()
    risk = score(inputs_for(customer_id=customer_id, now=now), now=now)
    row = CustomerRisk(
        customer_id=customer_id,
        score=risk.score,
        reasons=[reason.as_data() for reason in risk.reasons],
        computed_at=now,
    )
    # One statement whether or not the customer had a score: INSERT ... ON CONFLICT DO UPDATE.
    CustomerRisk.objects.bulk_create(
        [row],
        update_conflicts=True,
        unique_fields=["customer"],
        update_fields=["score", "reasons", "computed_at"],
    )
    return risk


def inputs_for(*, customer_id: int, now: datetime) -> Inputs:
    """The formula's inputs in one query: the customer's cases joined to their follow-ups (counts of
    cases are distinct, as the join repeats a case once per follow-up), and their value."""
    since = now - WINDOW
    is_open = ~Q(cases__stage=Stage.CLOSED)
    recent = Q(cases__created_at__gte=since)
    poor = Q(cases__follow_ups__satisfaction__lte=POOR_ANSWER_AT_MOST, cases__follow_ups__done_at__gte=since)
    found = (
        Customer.objects.filter(pk=customer_id)
        .values("pk")
        .annotate(
            failures=Count("cases", filter=recent, distinct=True),
            reopened=Count("cases", filter=recent & Q(cases__reopen_count__gt=0), distinct=True),
            oldest_open=Min("cases__created_at", filter=is_open),
            poor=Count("cases__follow_ups", filter=poor, distinct=True),
            value=Subquery(_latest_value()),
            **{
                f"open_{severity}": Count(
                    "cases", filter=is_open & Q(cases__severity=severity), distinct=True
                )
                for severity in Severity.values
            },
        )
        .get()
    )
    row: dict = dict(found)  # read by computed keys below
    return Inputs(
        failures=row["failures"],
        open_by_severity={severity: row[f"open_{severity}"] for severity in Severity.values},
        oldest_open_since=row["oldest_open"],
        poor_answers=row["poor"],
        reopened=row["reopened"],
        value=parse_value(row["value"]),
    )


def _latest_value():
    """`metadata.value` of the customer's latest feedback that gave one (any JSON; parsed after)."""
    return (
        Feedback.objects.filter(customer=OuterRef("pk"), metadata__has_key="value")
        .order_by("-received_at", "-id")
        .values("metadata__value")[:1]
    )


BACKFILL_BATCH = 500  # customers per transaction: short locks, and progress kept if it is stopped


def backfill(*, now: datetime | None = None) -> int:
    """Score every customer who could be at risk and has no score yet: run once after installing
    (`manage.py score_customers_at_risk`); from then on, events keep scores current. A customer with no
    case opened in the last 90 days, no open case and no survey answer in them scores 0 and is left out.
    Returns how many customers it scored."""
    now = now or timezone.now()
    since = now - WINDOW
    candidates = (
        Customer.objects.filter(
            Q(cases__created_at__gte=since)
            | ~Q(cases__stage=Stage.CLOSED)
            | Q(cases__follow_ups__done_at__gte=since)
        )
        .filter(cases__isnull=False, risk__isnull=True)
        .values_list("pk", flat=True)
        .distinct()
        .order_by("pk")
    )
    ids = list(candidates)
    for start in range(0, len(ids), BACKFILL_BATCH):
        with transaction.atomic():
            for customer_id in ids[start : start + BACKFILL_BATCH]:
                refresh(customer_id=customer_id, now=now)
    return len(ids)


def at_risk(*, viewer: User | None = None, limit: int = AT_RISK_LIMIT) -> QuerySet[CustomerRisk]:
    """Customers with a score above zero, highest first (ties: the customer who came first). For a
    `viewer` who sees some teams only (a lead), the customers with a case they may see."""
    rows = CustomerRisk.objects.filter(score__gt=0)
    if viewer is not None and not sees_everything(viewer):
        seen = RecoveryCase.objects.filter(case_scope(viewer), customer_id=OuterRef("customer_id"))
        rows = rows.filter(Exists(seen))
    return rows.select_related("customer").order_by("-score", "customer_id")[:limit]
