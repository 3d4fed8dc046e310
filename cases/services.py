"""Writes on cases other than stage changes (those are `cases.workflow`'s alone)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from . import events, sla
from .errors import InvalidInput, NotPermitted
from .models import SEVERITY_RANK, CaseEvent, RecoveryCase, Severity
from .roles import is_agent, is_manager


def open_case(
    *,
    customer,
    title: str,
    severity: str,
    actor=None,
    channel: str = "",
    description: str = "",
    complained_at: datetime | None = None,
    is_repeat: bool = False,
    owner=None,
    originating_feedback_id: int | None = None,
) -> RecoveryCase:
    """Open a recovery case; its SLA clock starts when the customer complained (default: now).

    `actor` is None when triage opens the case, or the agent who opened it by hand.
    `originating_feedback_id` may name feedback its caller stores later in the same transaction:
    foreign keys are checked at commit.
    """
    title = (title or "").strip()
    if not title:
        raise InvalidInput("A case needs a title.", field="title")
    if severity not in Severity.values:
        raise InvalidInput(f"Severity is one of {', '.join(Severity.values)}.", field="severity")
    case = RecoveryCase(
        customer=customer,
        title=title[:200],
        description=description,
        severity=severity,
        channel=channel,
        is_repeat=is_repeat,
        owner=owner,
        originating_feedback_id=originating_feedback_id,
    )
    sla.start_clock(case, start=complained_at or timezone.now())
    # No savepoint inside a caller's transaction (intake's): it would cost two round trips and buy
    # nothing, since a failure here must undo the caller's writes too. The checks above run outside
    # the block, so a refused case leaves the caller's transaction usable.
    with transaction.atomic(savepoint=False):
        case.save()
        events.record(
            case,
            CaseEvent.Kind.CREATED,
            actor=actor,
            to_stage=case.stage,
            message=title,
            data={"severity": severity, "is_repeat": is_repeat, "opened_by": "agent" if actor else "triage"},
        )
    return case


def change_severity(*, case: RecoveryCase, severity: str, actor=None, reason: str = "") -> RecoveryCase:
    """Set a new severity and move the running SLA targets to its policy. Caller holds the row lock."""
    if severity not in Severity.values:
        raise InvalidInput(f"Severity is one of {', '.join(Severity.values)}.", field="severity")
    previous = case.severity
    if previous == severity:
        return case
    case.severity = severity
    sla.start_clock(case, start=case.sla_started_at)
    case.save()
    events.record(
        case,
        CaseEvent.Kind.SEVERITY_CHANGED,
        actor=actor,
        message=reason,
        data={"from": previous, "to": severity},
    )
    return case


def raise_severity(*, case: RecoveryCase, severity: str, actor=None, reason: str = "") -> RecoveryCase:
    """Like change_severity, but never lowers it: new, worse feedback may only make a case more urgent."""
    if SEVERITY_RANK[severity] > SEVERITY_RANK[case.severity]:
        return change_severity(case=case, severity=severity, actor=actor, reason=reason)
    return case


def assign(*, case: RecoveryCase, owner, actor) -> RecoveryCase:
    """Give a case to `owner` (None unassigns). Agents may only take unassigned cases for themselves."""
    if owner is not None and not is_agent(owner):
        raise InvalidInput(f"{owner} is not an agent or manager.", field="owner")
    taking_free_case = case.owner_id is None and owner is not None and owner.pk == actor.pk
    if not is_manager(actor) and not taking_free_case:
        raise NotPermitted("Only a manager may reassign a case.")
    previous = case.owner_id
    if previous == (owner.pk if owner else None):
        return case
    case.owner = owner
    case.save()
    events.record(
        case,
        CaseEvent.Kind.ASSIGNED,
        actor=actor,
        message=f"Assigned to {owner}" if owner else "Unassigned",
        data={"from": previous, "to": owner.pk if owner else None},
    )
    return case


def attach_feedback(*, case: RecoveryCase, feedback, severity: str) -> RecoveryCase:
    """Join more feedback from the customer to their open `case`, raising its severity if it is worse.

    Precondition: the caller holds the case's row lock and has saved `feedback` with `case` as its
    case. `cases` records the link on the timeline; it never writes feedback rows.
    """
    events.record(
        case,
        CaseEvent.Kind.FEEDBACK_ATTACHED,
        message=f"More {feedback.get_channel_display().lower()} feedback from the customer.",
        data={"feedback_id": feedback.pk, "severity": severity},
    )
    return raise_severity(case=case, severity=severity, reason=f"Feedback {feedback.pk} is more severe.")
