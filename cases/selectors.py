"""Reads for the API and the screens. Each returns a queryset shaped for one use, with the joins it needs,
so a page of any size costs the same few queries."""

from django.db import OperationalError, connection, transaction
from django.db.models import Count, DateTimeField, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from cases.models import (
    FAR_FUTURE,
    SEVERITY_ORDER,
    SEVERITY_RANK_SQL,
    SEVERITY_URGENCY,
    URGENT_DUE,
    CaseEvent,
    Gesture,
    RecoveryCase,
    RootCause,
    SLAPolicy,
    Stage,
)
from cases.sla.clock import policy_for
from feedback.models import Feedback

ACKNOWLEDGE_DUE = Coalesce("acknowledge_due_at", Value(FAR_FUTURE), output_field=DateTimeField())
RESOLVE_DUE = Coalesce("resolve_due_at", Value(FAR_FUTURE), output_field=DateTimeField())

# `?ordering=` name -> (annotation name, expression); `created_at` is a plain column.
SORT_KEYS = {
    "severity": ("severity_rank", SEVERITY_RANK_SQL),
    "acknowledge_due_at": ("acknowledge_due_key", ACKNOWLEDGE_DUE),
    "resolve_due_at": ("resolve_due_key", RESOLVE_DUE),
}


# Long texts and the owner's credentials: a queue row shows none of them.
QUEUE_LEAVES_OUT = (
    "description",
    "resolution_summary",
    "close_reason",
    "owner__password",
    "owner__last_login",
    "owner__email",
    "owner__date_joined",
)


def case_id_or_404(reference: str) -> int:
    """The id of the case an `RC-000042` reference (or a bare id) names; Http404 when there is none."""
    pk = RecoveryCase.objects.by_reference(reference).values_list("pk", flat=True).first()
    if pk is None:
        raise Http404(f"No case has the reference '{reference}'.")
    return pk


def case_queue() -> QuerySet[RecoveryCase]:
    """Every case, most urgent first: the earliest running SLA target (breached ones are the earliest),
    then the more severe, then the older. Filters and `?ordering=` narrow and re-sort it."""
    return (
        RecoveryCase.objects.select_related("customer", "owner")
        .defer(*QUEUE_LEAVES_OUT)
        .annotate(urgent_due=URGENT_DUE, severity_urgency=SEVERITY_URGENCY)
        .order_by("urgent_due", "severity_urgency", "id")
    )


def order_queue(queryset: QuerySet[RecoveryCase], ordering: str) -> QuerySet[RecoveryCase]:
    """Re-sort the queue by one named key, either direction, with the id as the tie-breaker."""
    name = ordering.lstrip("-")
    sign = "-" if ordering.startswith("-") else ""
    if name in SORT_KEYS:
        alias, expression = SORT_KEYS[name]
        queryset = queryset.annotate(**{alias: expression})
        name = alias
    return queryset.order_by(f"{sign}{name}", f"{sign}id")


def case_detail(*, case_id: int) -> RecoveryCase:
    """One case with everything its page shows. Raises RecoveryCase.DoesNotExist."""
    return (
        RecoveryCase.objects.select_related("customer", "owner")
        .prefetch_related(
            Prefetch("feedback", Feedback.objects.order_by("received_at", "id")),
            Prefetch("gestures", Gesture.objects.select_related("requested_by", "decided_by")),
            Prefetch("root_causes", RootCause.objects.order_by("id")),
            "follow_ups",
        )
        .get(pk=case_id)
    )


def timeline(*, case_id: int) -> QuerySet[CaseEvent]:
    """A case's events, oldest first."""
    return CaseEvent.objects.filter(case_id=case_id).select_related("actor").order_by("created_at", "id")


def root_causes() -> QuerySet[RootCause]:
    """Root causes with how many cases, open cases and customers each gathers, newest first."""
    return (
        RootCause.objects.select_related("owner")
        .annotate(
            case_count=Count("cases", distinct=True),
            open_case_count=Count("cases", filter=~Q(cases__stage=Stage.CLOSED), distinct=True),
            customer_count=Count("cases__customer", distinct=True),
        )
        .order_by("-created_at", "-id")
    )


# A root cause's page lists its newest cases; the full list is `/cases/?root_cause=<id>`.
ROOT_CAUSE_CASES_SHOWN = 50


def root_cause_cases(*, root_cause_id: int, limit: int = ROOT_CAUSE_CASES_SHOWN) -> list[RecoveryCase]:
    """The cases linked to a root cause, newest first, with their customer and owner."""
    return list(
        RecoveryCase.objects.filter(root_causes=root_cause_id)
        .select_related("customer", "owner")
        .defer(*QUEUE_LEAVES_OUT)
        .order_by("-created_at", "-id")[:limit]
    )


def sla_policies() -> list[SLAPolicy]:
    """The policy of every severity, most severe first."""
    return [policy_for(severity) for severity in reversed(SEVERITY_ORDER)]


def sla_policy(*, severity: str) -> SLAPolicy:
    return policy_for(severity)


def count_within(queryset: QuerySet, *, milliseconds: int) -> int | None:
    """`queryset.count()`, or None when PostgreSQL cannot count it within `milliseconds`."""
    if connection.vendor != "postgresql":
        return queryset.count()
    nested = connection.in_atomic_block
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL statement_timeout = %s", [milliseconds])
            count = queryset.count()
            if nested:  # LOCAL lasts until the outer transaction ends: give the limit back now
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL statement_timeout = DEFAULT")
            return count
    except OperationalError:  # the timeout cancelled the count; the block rolled back to its start
        return None
