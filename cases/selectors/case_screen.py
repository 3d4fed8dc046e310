"""Reads of the case screen (`/cases/<reference>/`): one case, its timeline and its customer's history.

Each list is one query whatever its length, so the screen costs the same few queries for a case with
three events as for one with three thousand.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from cases import workflow
from cases.models import (
    STAGE_DUE_FIELDS,
    CaseEvent,
    FollowUp,
    Gesture,
    Message,
    RecoveryCase,
    ResponseTemplate,
    RootCause,
    Stage,
)
from cases.selectors import queue
from cases.selectors.cases import GESTURE_USERS, timeline
from cases.sla import clock as sla
from cases.teams.scope import case_scope
from feedback.models import Feedback

HISTORY_LENGTH = 8  # earlier cases, feedback and gestures shown in the customer panel; the rest on their page
FAILURE_WINDOW = timedelta(days=90)
COUNTED_GESTURES = (Gesture.Status.GRANTED, Gesture.Status.APPROVED)

# The stage bar: each step and the timestamp that marks it done; its SLA target's due field, if it has
# one, is STAGE_DUE_FIELDS[step].
STEPS = (
    ("acknowledge", _("Acknowledge"), "acknowledged_at"),
    ("apologize", _("Apologize"), "apologized_at"),
    ("resolve", _("Resolve"), "resolved_at"),
    ("follow_up", _("Follow up"), "followed_up_at"),
    ("close", _("Close"), "closed_at"),
)

STEP_LABELS = {name: label for name, label, _field in STEPS}


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    done_at: datetime | None
    due_at: datetime | None
    current: bool
    reopened: bool = False  # reached again by a reopening (the system's doing), not done by an agent

    @property
    def late(self) -> bool:
        return bool(self.done_at and self.due_at and self.done_at > self.due_at and not self.reopened)


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
    sla: "SlaBox"
    messages: list[Message] = field(default_factory=list)  # the conversation, oldest first
    steps: list[Step] = field(default_factory=list)

    @property
    def latest_event(self) -> CaseEvent | None:
        return self.events[-1] if self.events else None


def case_screen(*, case_id: int, user, now: datetime) -> CaseScreen:
    """Everything the case screen shows. Raises RecoveryCase.DoesNotExist, also for a case outside
    what `user` may see; the customer's other cases are those `user` may see."""
    case = (
        RecoveryCase.objects.filter(case_scope(user))
        .select_related("customer__risk", "owner", "team", "originating_feedback")
        .get(pk=case_id)
    )
    return CaseScreen(
        case=case,
        **_history(case, user=user, since=now - FAILURE_WINDOW),
        allowed=workflow.allowed_actions(case, user),
        sla=sla_box(case, now=now),
        steps=steps(case),
    )


@dataclass(frozen=True)
class SlaBox:
    """The header's SLA box: the state (for its colour and word) and the earliest running target."""

    state: str
    label: str  # the running target as the stage bar names it: "Follow up", not "follow_up"
    due_at: datetime | None


def sla_box(case: RecoveryCase, *, now: datetime) -> SlaBox:
    running = min(sla.running_targets(case), key=lambda target: target[1], default=None)
    if running is None:
        return SlaBox(sla.sla_state(case, now=now), "", None)
    return SlaBox(sla.sla_state(case, now=now), STEP_LABELS.get(running[0], running[0]), running[1])


def _history(case: RecoveryCase, *, user, since: datetime) -> dict:
    """The case's timeline, gestures and root causes, and its customer's history: one query each."""
    lists = {
        "events": timeline(case_id=case.pk),
        "messages": Message.objects.filter(case_id=case.pk)
        .select_related("author", "notification")
        .order_by("created_at", "id"),
        "gestures": Gesture.objects.filter(case_id=case.pk)
        .select_related(*GESTURE_USERS)
        .order_by("created_at", "id"),
        "root_causes": RootCause.objects.filter(cases=case.pk).order_by("title", "id"),
        "earlier_cases": earlier_cases(customer_id=case.customer_id, case_id=case.pk, user=user),
        "earlier_feedback": earlier_feedback(
            customer_id=case.customer_id, leave_out=case.originating_feedback_id or 0
        ),
        "earlier_gestures": earlier_gestures(customer_id=case.customer_id, case_id=case.pk, user=user),
    }
    failures = RecoveryCase.objects.filter(customer_id=case.customer_id, created_at__gte=since).count()
    return {name: list(queryset) for name, queryset in lists.items()} | {"failures_90_days": failures}


def latest_event(*, case_id: int) -> CaseEvent | None:
    """What last happened to the case: what a stale form tells its agent."""
    return (
        CaseEvent.objects.filter(case_id=case_id)
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )


def earlier_cases(*, customer_id, case_id, user) -> QuerySet[RecoveryCase]:
    """The customer's other cases that `user` may see, newest first, each with the satisfaction of its
    last follow-up."""
    last_score = (
        FollowUp.objects.filter(case=OuterRef("pk"), satisfaction__isnull=False)
        .order_by("-done_at", "-id")
        .values("satisfaction")[:1]
    )
    return (
        RecoveryCase.objects.filter(case_scope(user), customer_id=customer_id)
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


def earlier_gestures(*, customer_id, case_id, user) -> QuerySet[Gesture]:
    """Gestures the customer was granted on their other cases that `user` may see, newest first."""
    return (
        Gesture.objects.filter(
            case_scope(user, through="case"), case__customer_id=customer_id, status__in=COUNTED_GESTURES
        )
        .exclude(case_id=case_id)
        .order_by("-created_at", "-id")[:HISTORY_LENGTH]
    )


def steps(case: RecoveryCase) -> list[Step]:
    """The stage bar. A reopening sets the case back to acknowledged at the moment of reopening, with
    the first target still standing: that step says "reopened", and is never "late"."""
    current = _current_step(case)
    return [
        Step(
            name,
            label,
            getattr(case, done),
            getattr(case, STAGE_DUE_FIELDS[name]) if name in STAGE_DUE_FIELDS else None,
            name == current,
            reopened=bool(case.reopen_count) and name == "acknowledge",
        )
        for name, label, done in STEPS
    ]


def _current_step(case: RecoveryCase) -> str:
    order = [Stage.NEW, Stage.ACKNOWLEDGED, Stage.APOLOGIZED, Stage.RESOLVED, Stage.FOLLOWED_UP, Stage.CLOSED]
    index = order.index(case.stage)
    return STEPS[index][0] if index < len(STEPS) else ""


def next_in_queue(*, user, leaving: int, now: datetime) -> RecoveryCase | None:
    """The case at the top of `user`'s queue (its default view) other than the one they are leaving."""
    top = queue.queue_page(user=user, scope=queue.DEFAULT_SCOPE, now=now, limit=2)
    return next((case for case in top if case.pk != leaving), None)


def response_templates(*, kinds: tuple[str, ...]) -> QuerySet[ResponseTemplate]:
    return ResponseTemplate.objects.filter(kind__in=kinds).order_by("name", "id")
