"""Reads of the case screen (`/cases/<reference>/`): one case, its timeline and its customer's history.

Each list is one query whatever its length (on PostgreSQL all of them together are one), so the screen
costs the same few queries for a case with three events as for one with three thousand.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from cases import workflow
from cases.models import (
    CaseEvent,
    FollowUp,
    Gesture,
    Message,
    RecoveryCase,
    ResponseTemplate,
    RootCause,
    Stage,
)
from cases.selectors import GESTURE_USERS, USER_FIELDS
from cases.sla import clock as sla
from feedback.models import Feedback
from recovery import inline

HISTORY_LENGTH = 8  # earlier cases, feedback and gestures shown in the customer panel; the rest on their page
FAILURE_WINDOW = timedelta(days=90)
COUNTED_GESTURES = (Gesture.Status.GRANTED, Gesture.Status.APPROVED)

# The stage bar: each step, the timestamp that marks it done, and the due field of its SLA target.
STEPS = (
    ("acknowledge", "Acknowledge", "acknowledged_at", "acknowledge_due_at"),
    ("apologize", "Apologize", "apologized_at", "apologize_due_at"),
    ("resolve", "Resolve", "resolved_at", "resolve_due_at"),
    ("follow_up", "Follow up", "followed_up_at", "follow_up_due_at"),
    ("close", "Close", "closed_at", None),
)


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    done_at: datetime | None
    due_at: datetime | None
    current: bool

    @property
    def late(self) -> bool:
        return bool(self.done_at and self.due_at and self.done_at > self.due_at)


@dataclass
class CaseScreen:
    case: RecoveryCase
    events: list[CaseEvent]
    gestures: list[Gesture]
    root_causes: list
    earlier_cases: list[RecoveryCase]
    earlier_feedback: list[Feedback]
    earlier_gestures: list[Gesture]
    failures_90_days: int
    allowed: list[str]
    sla_state: str
    messages: list[Message] = field(default_factory=list)  # the conversation, oldest first
    steps: list[Step] = field(default_factory=list)
    running: tuple[str, datetime] | None = None  # the earliest running SLA target and its due moment

    @property
    def latest_event(self) -> CaseEvent | None:
        return self.events[-1] if self.events else None


def case_screen(*, case_id: int, user, now: datetime) -> CaseScreen:
    """Everything the case screen shows. Raises RecoveryCase.DoesNotExist."""
    case = RecoveryCase.objects.select_related("customer", "owner", "originating_feedback").get(pk=case_id)
    return CaseScreen(
        case=case,
        **_history(case, since=now - FAILURE_WINDOW),
        allowed=workflow.allowed_actions(case, user),
        sla_state=sla.sla_state(case, now=now),
        steps=steps(case),
        running=min(sla.running_targets(case), key=lambda target: target[1], default=None),
    )


def _history(case: RecoveryCase, *, since: datetime) -> dict:
    """The case's timeline, gestures and root causes, and its customer's history: on PostgreSQL in one
    query (`recovery.inline`), elsewhere in one query each."""
    if connection.vendor != "postgresql":
        lists = _lists(case.pk, case.customer_id, case.originating_feedback_id or 0)
        return {name: list(queryset) for name, queryset in lists.items()} | {
            "failures_90_days": _failures(case.customer_id, since).count()
        }
    columns = _HISTORY.fetch(case.pk, since)
    assert columns is not None  # the case was read a moment ago; cases are never deleted
    values = dict(zip((*_LISTS, "failures_90_days"), columns, strict=True))
    known = {"case": case}
    return {
        "events": inline.instances(CaseEvent, values["events"], related=("actor",), **known),
        "messages": inline.instances(Message, values["messages"], related=MESSAGE_RELATED, **known),
        "gestures": inline.instances(Gesture, values["gestures"], related=GESTURE_USERS, **known),
        "root_causes": inline.instances(RootCause, values["root_causes"]),
        "earlier_cases": inline.instances(RecoveryCase, values["earlier_cases"]),
        "earlier_feedback": inline.instances(Feedback, values["earlier_feedback"]),
        "earlier_gestures": inline.instances(Gesture, values["earlier_gestures"]),
        "failures_90_days": values["failures_90_days"] or 0,
    }


MESSAGE_RELATED = ("author", "notification")
_LISTS = (
    "events",
    "messages",
    "gestures",
    "root_causes",
    "earlier_cases",
    "earlier_feedback",
    "earlier_gestures",
)


def _lists(case_id, customer_id, originating_feedback_id) -> dict[str, QuerySet]:
    """The screen's lists, for values or for references to the case row (`OuterRef`)."""
    return {
        "events": timeline(case_id=case_id),
        "messages": Message.objects.filter(case_id=case_id)
        .select_related(*MESSAGE_RELATED)
        .order_by("created_at", "id"),
        "gestures": Gesture.objects.filter(case_id=case_id)
        .select_related(*GESTURE_USERS)
        .order_by("created_at", "id"),
        "root_causes": RootCause.objects.filter(cases=case_id).order_by("title", "id"),
        "earlier_cases": earlier_cases(customer_id=customer_id, case_id=case_id),
        "earlier_feedback": earlier_feedback(customer_id=customer_id, leave_out=originating_feedback_id),
        "earlier_gestures": earlier_gestures(customer_id=customer_id, case_id=case_id),
    }


def _failures(customer_id, since: datetime) -> QuerySet[RecoveryCase]:
    return RecoveryCase.objects.filter(customer_id=customer_id, created_at__gte=since)


def _history_query(case_id: int, since: datetime) -> QuerySet:
    lists = _lists(OuterRef("pk"), OuterRef("customer_id"), Coalesce(OuterRef("originating_feedback_id"), 0))
    related = {
        "events": {"actor": USER_FIELDS},
        "messages": {"author": USER_FIELDS, "notification": ("last_error",)},
        "gestures": dict.fromkeys(GESTURE_USERS, USER_FIELDS),
    }
    failures = (
        _failures(OuterRef("customer_id"), since).order_by().values("customer_id").annotate(n=Count("*"))
    )
    return (
        RecoveryCase.objects.filter(pk=case_id)
        .annotate(
            **{
                f"{name}_rows": inline.rows(queryset, related=related.get(name))
                for name, queryset in lists.items()
            },
            failures_90_days=Subquery(failures.values("n")),
        )
        .values_list(*(f"{name}_rows" for name in _LISTS), "failures_90_days")
    )


_HISTORY = inline.Compiled(_history_query, sentinels=(datetime(1901, 2, 3, 4, 5, 6, 789, tzinfo=UTC),))


def timeline(*, case_id) -> QuerySet[CaseEvent]:
    return CaseEvent.objects.filter(case_id=case_id).select_related("actor").order_by("created_at", "id")


def latest_event(*, case_id: int) -> CaseEvent | None:
    """What last happened to the case: what a stale form tells its agent."""
    return (
        CaseEvent.objects.filter(case_id=case_id)
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )


def earlier_cases(*, customer_id, case_id) -> QuerySet[RecoveryCase]:
    """The customer's other cases, newest first, each with the satisfaction of its last follow-up."""
    last_score = (
        FollowUp.objects.filter(case=OuterRef("pk"), satisfaction__isnull=False)
        .order_by("-done_at", "-id")
        .values("satisfaction")[:1]
    )
    return (
        RecoveryCase.objects.filter(customer_id=customer_id)
        .exclude(pk=case_id)
        .only(
            "id", "title", "stage", "severity", "created_at", "resolution_summary", "close_reason", "customer"
        )
        .annotate(satisfaction=Subquery(last_score))
        .order_by("-created_at", "-id")[:HISTORY_LENGTH]
    )


def earlier_feedback(*, customer_id, leave_out) -> QuerySet[Feedback]:
    """The customer's feedback other than `leave_out` (the one that opened the case), newest first."""
    return (
        Feedback.objects.filter(customer_id=customer_id)
        .exclude(pk=leave_out)
        .only(
            "id", "channel", "rating", "nps", "comment", "touchpoint", "received_at", "sentiment", "customer"
        )
        .order_by("-received_at", "-id")[:HISTORY_LENGTH]
    )


def earlier_gestures(*, customer_id, case_id) -> QuerySet[Gesture]:
    """Gestures the customer was granted on their other cases, newest first."""
    return (
        Gesture.objects.filter(case__customer_id=customer_id, status__in=COUNTED_GESTURES)
        .exclude(case_id=case_id)
        .order_by("-created_at", "-id")[:HISTORY_LENGTH]
    )


def steps(case: RecoveryCase) -> list[Step]:
    current = _current_step(case)
    return [
        Step(name, label, getattr(case, done), getattr(case, due) if due else None, name == current)
        for name, label, done, due in STEPS
    ]


def _current_step(case: RecoveryCase) -> str:
    order = [Stage.NEW, Stage.ACKNOWLEDGED, Stage.APOLOGIZED, Stage.RESOLVED, Stage.FOLLOWED_UP, Stage.CLOSED]
    index = order.index(case.stage)
    return STEPS[index][0] if index < len(STEPS) else ""


def response_templates(*, kind: str) -> QuerySet[ResponseTemplate]:
    return ResponseTemplate.objects.filter(kind=kind).order_by("name", "id")
