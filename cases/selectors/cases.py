"""Reads for the API and the screens. Each returns a queryset shaped for one use, with the joins it needs,
so a page of any size costs the same few queries."""

import functools

from django.db import OperationalError, connection, transaction
from django.db.models import (
    Count,
    DateTimeField,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from cases.models import (
    FAR_FUTURE,
    SEVERITY_ORDER,
    SEVERITY_RANK_SQL,
    SEVERITY_URGENCY,
    STAGE_DUE_FIELDS,
    URGENT_DUE,
    CaseEvent,
    Gesture,
    RecoveryCase,
    RootCause,
    SLAPolicy,
    Stage,
)
from cases.sla.clock import policy_for
from cases.teams.scope import case_scope
from feedback.models import Feedback
from recovery.roles import User

ACKNOWLEDGE_DUE = Coalesce("acknowledge_due_at", Value(FAR_FUTURE), output_field=DateTimeField())
RESOLVE_DUE = Coalesce("resolve_due_at", Value(FAR_FUTURE), output_field=DateTimeField())

# `?ordering=` name -> (annotation name, expression); `created_at` is a plain column.
SORT_KEYS = {
    "severity": ("severity_rank", SEVERITY_RANK_SQL),
    "acknowledge_due_at": ("acknowledge_due_key", ACKNOWLEDGE_DUE),
    "resolve_due_at": ("resolve_due_key", RESOLVE_DUE),
}


# What a row of a case list shows: the API's `CaseOut` and the pages' `case_row.html` with its SLA clock.
# Nothing else is fetched: a case has some forty columns, and reading, converting and compiling the
# ones no row shows is time a queue page spends on nothing (long texts and the owner's credentials
# among them).
QUEUE_ROW = (
    "title", "stage", "severity", "channel", "is_repeat", "customer_unhappy_at", "escalation_level",
    "on_hold_since", "sla_warn_at", "sla_due_at", *STAGE_DUE_FIELDS.values(), "created_at", "updated_at",
    "version",
    "customer__external_id", "customer__name", "customer__email", "customer__phone", "customer__segment",
    "owner__username", "owner__first_name", "owner__last_name", "team__slug",
)  # fmt: skip


def case_id_or_404(reference: str, *, user: User) -> int:
    """The id of the case an `RC-000042` reference (or a bare id) names; Http404 when there is none,
    or when it lies outside what `user` may see (`cases.teams.scope`), so its existence does not leak."""
    found = RecoveryCase.objects.by_reference(reference).filter(case_scope(user))
    pk = found.values_list("pk", flat=True).first()
    if pk is None:
        raise Http404(f"No case has the reference '{reference}'.")
    return pk


def case_or_404(reference: str, *, user: User) -> RecoveryCase:
    """The case `reference` names with its customer and owner, as `case_id_or_404` finds it."""
    found = RecoveryCase.objects.by_reference(reference).filter(case_scope(user))
    case = found.select_related("customer", "owner").first()
    if case is None:
        raise Http404(f"No case {reference}.")
    return case


def case_queue(*, user: User) -> QuerySet[RecoveryCase]:
    """Every case `user` may see, most urgent first: the earliest running SLA target (breached ones are
    the earliest), then the more severe, then the older. Filters and `?ordering=` narrow and re-sort it.
    """
    # A copy: building it again is Python time every case list would pay.
    return _case_queue().filter(case_scope(user))


@functools.cache
def _case_queue() -> QuerySet[RecoveryCase]:
    return (
        RecoveryCase.objects.select_related("customer", "owner", "team")
        .only(*QUEUE_ROW)
        .alias(urgent_due=URGENT_DUE, severity_urgency=SEVERITY_URGENCY)
        .order_by("urgent_due", "severity_urgency", "id")
    )


def order_queue(queryset: QuerySet[RecoveryCase], ordering: str) -> QuerySet[RecoveryCase]:
    """Re-sort the queue by one named key, either direction, with the id as the tie-breaker."""
    name = ordering.lstrip("-")
    sign = "-" if ordering.startswith("-") else ""
    if name in SORT_KEYS:
        alias, expression = SORT_KEYS[name]
        queryset = queryset.alias(**{alias: expression})
        name = alias
    return queryset.order_by(f"{sign}{name}", f"{sign}id")


def case_detail(*, case_id: int, user: User) -> RecoveryCase:
    """One case with everything its page shows: the case, then its feedback, gestures, root causes and
    follow-ups in one query each, whatever their number. Raises RecoveryCase.DoesNotExist, also for a
    case `user` may not see."""
    return (
        RecoveryCase.objects.filter(case_scope(user))
        .select_related("customer", "owner", "team")
        .prefetch_related(*_DETAIL_PREFETCHES)
        .get(pk=case_id)
    )


GESTURE_USERS = ("requested_by", "decided_by")
_DETAIL_PREFETCHES = (
    Prefetch("feedback", Feedback.objects.order_by("received_at", "id")),
    Prefetch("gestures", Gesture.objects.select_related(*GESTURE_USERS)),
    Prefetch("root_causes", RootCause.objects.order_by("id")),
    "follow_ups",
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


def root_cause_cases(
    *, root_cause_id: int, user: User, limit: int = ROOT_CAUSE_CASES_SHOWN
) -> list[RecoveryCase]:
    """The cases linked to a root cause that `user` may see, newest first, with customer and owner."""
    return list(
        RecoveryCase.objects.filter(case_scope(user), root_causes=root_cause_id)
        .select_related("customer", "owner", "team")
        .only(*QUEUE_ROW)
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
