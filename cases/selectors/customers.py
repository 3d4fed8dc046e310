"""Reads about customers: one customer's history (their page, the case screen's customer panel) and
the lookup an agent uses to find a customer while typing in a phone complaint.

Every read is a fixed number of queries whatever the history's size: lists are cut at `HISTORY_LIMIT`
(newest first) and the totals come with the customer's own row.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from cases.models import FollowUp, Gesture, RecoveryCase, Stage, format_reference
from cases.teams.scope import case_scope
from feedback.models import Customer, Feedback
from recovery.roles import User

# A page, not an archive: a customer with more than this many cases is rare, and the full list is one
# link away (`/cases/?customer=<external id>`).
HISTORY_LIMIT = 50
FAILURE_WINDOW = timedelta(days=90)
LOOKUP_LIMIT = 10


@dataclass(frozen=True)
class CustomerHistory:
    customer: Customer  # annotated: case_count, open_case_count, recent_failures, feedback_count
    cases: list[RecoveryCase]  # annotated: satisfaction (the latest survey answer's score, or None)
    feedback: list[Feedback]
    gestures: list[Gesture]
    survey_answers: list[FollowUp]

    @property
    def more_cases(self) -> bool:
        return self.customer.case_count > len(self.cases)

    @property
    def more_feedback(self) -> bool:
        return self.customer.feedback_count > len(self.feedback)


def _count(queryset: QuerySet) -> Subquery:
    counted = queryset.order_by().values("customer_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def customer_with_totals(*, customer_id: int, user: User, now: datetime) -> Customer:
    """The customer with how many cases (open, and opened in the last 90 days) and feedback they have,
    of those `user` may see (`cases.teams.scope`): the totals match the lists they head.

    Each case is a failure Mend knows of: "failures in the last 90 days" counts cases opened since.
    Raises Customer.DoesNotExist.
    """
    cases = RecoveryCase.objects.filter(case_scope(user), customer_id=OuterRef("pk"))
    feedback = Feedback.objects.filter(case_scope(user, through="case"), customer_id=OuterRef("pk"))
    return Customer.objects.annotate(
        case_count=_count(cases),
        open_case_count=_count(cases.exclude(stage=Stage.CLOSED)),
        recent_failures=_count(cases.filter(created_at__gte=now - FAILURE_WINDOW)),
        feedback_count=_count(feedback),
    ).get(pk=customer_id)


def customer_cases(*, customer_id: int, user: User, limit: int = HISTORY_LIMIT) -> list[RecoveryCase]:
    """The customer's cases `user` may see, newest first, each with its latest survey answer's score."""
    latest_score = (
        FollowUp.objects.filter(case_id=OuterRef("pk"), satisfaction__isnull=False)
        .order_by(F("done_at").desc(nulls_last=True), "-id")
        .values("satisfaction")[:1]
    )
    return list(
        RecoveryCase.objects.filter(case_scope(user), customer_id=customer_id)
        .only(
            "title",
            "severity",
            "stage",
            "created_at",
            "closed_at",
            "resolution_summary",
            "close_reason",
            "is_repeat",
            "reopen_count",
        )
        .annotate(satisfaction=Subquery(latest_score))
        .order_by("-created_at", "-id")[:limit]
    )


def customer_feedback(*, customer_id: int, user: User, limit: int = HISTORY_LIMIT) -> list[Feedback]:
    """The customer's feedback with no case or on a case `user` may see, newest first."""
    return list(
        Feedback.objects.filter(case_scope(user, through="case"), customer_id=customer_id)
        .defer("metadata", "response_case", "request_fingerprint", "idempotency_key")
        .order_by("-received_at", "-id")[:limit]
    )


def customer_gestures(*, customer_id: int, user: User, limit: int = HISTORY_LIMIT) -> list[Gesture]:
    return list(
        Gesture.objects.filter(case_scope(user, through="case"), case__customer_id=customer_id)
        .select_related("requested_by", "decided_by")
        .order_by("-created_at", "-id")[:limit]
    )


def customer_survey_answers(*, customer_id: int, user: User, limit: int = HISTORY_LIMIT) -> list[FollowUp]:
    """Follow-ups that carry a satisfaction score (the customer's survey answer or the agent's record),
    on the cases `user` may see."""
    answered = FollowUp.objects.filter(
        case_scope(user, through="case"), case__customer_id=customer_id, satisfaction__isnull=False
    )
    return list(answered.order_by(F("done_at").desc(nulls_last=True), "-id")[:limit])


def customer_history(
    *, customer_id: int, user: User, now: datetime, limit: int | None = None
) -> CustomerHistory:
    """Everything the customer's page shows to `user` (what of it they may see): five queries, and the
    scope's one. Raises Customer.DoesNotExist."""
    limit = limit or HISTORY_LIMIT
    seen = {"customer_id": customer_id, "user": user}
    return CustomerHistory(
        customer=customer_with_totals(**seen, now=now),
        cases=customer_cases(**seen, limit=limit),
        feedback=customer_feedback(**seen, limit=limit),
        gestures=customer_gestures(**seen, limit=limit),
        survey_answers=customer_survey_answers(**seen, limit=limit),
    )


def find_customers(query: str, *, user: User, limit: int = LOOKUP_LIMIT) -> list[Customer]:
    """Customers an agent may mean by `query`: an exact external id or email, else names and emails
    that contain it. Each comes with their open cases that `user` may see counted, so the form can say
    so.

    The exact lookups use the indexes on external id and email; only when they find nobody does the
    search scan names and emails (an agent typing a full email or id never waits for the scan).
    """
    query = (query or "").strip()
    if len(query) < 2:
        return []
    exact = Q(external_id=query) | Q(email=query) | Q(email=query.lower())
    found = list(_with_open_cases(Customer.objects.filter(exact), user).order_by("name", "id")[:limit])
    if not found:
        contains = Q(name__icontains=query) | Q(email__icontains=query)
        matching = Customer.objects.filter(contains)
        found = list(_with_open_cases(matching, user).order_by("name", "id")[:limit])
    return _referenced(found)


def customer_by_external_id(external_id: str, *, user: User) -> Customer | None:
    """One customer as `find_customers` shapes them (open cases counted), or None."""
    customer = Customer.objects.filter(external_id=(external_id or "").strip())
    found = list(_with_open_cases(customer, user))
    return _referenced(found)[0] if found else None


def _referenced(customers: list[Customer]) -> list[Customer]:
    for customer in customers:
        customer.open_case_reference = (
            format_reference(customer.open_case_id) if customer.open_case_id else ""
        )
    return customers


def _with_open_cases(customers: QuerySet[Customer], user: User) -> QuerySet[Customer]:
    open_cases = RecoveryCase.objects.filter(case_scope(user), customer_id=OuterRef("pk")).exclude(
        stage=Stage.CLOSED
    )
    newest_open = open_cases.order_by("-created_at", "-id").values("pk")[:1]
    return customers.annotate(open_case_count=_count(open_cases), open_case_id=Subquery(newest_open))


def other_open_case(*, customer_id: int, besides: int, user: User) -> RecoveryCase | None:
    """The customer's newest open case other than `besides` that `user` may see: what a case just
    opened sits beside."""
    return (
        RecoveryCase.objects.filter(case_scope(user), customer_id=customer_id)
        .exclude(stage=Stage.CLOSED)
        .exclude(pk=besides)
        .only("title", "stage")
        .order_by("-created_at", "-id")
        .first()
    )
