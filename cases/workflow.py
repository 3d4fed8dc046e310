"""The stage workflow. Every stage change in Mend goes through a function in this module.

Each action locks the case row, checks the caller's version, the actor's right to act and the
transition table, writes the stage and its timestamp, and records a CaseEvent. Emails a step causes
go through the outbox, which sends them after commit.
"""

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cases import events
from cases.at_risk import services as at_risk
from cases.metrics import facts
from cases.models import OPEN_STAGES, STAGE_TIMESTAMP_FIELDS, CaseEvent, FollowUp, RecoveryCase, Stage
from cases.sla import clock as sla
from cases.teams.scope import may_act_on, require_may_act_on, require_may_see
from recovery.errors import (
    Conflict,
    InvalidInput,
    ManagersOnlyTransition,
    StaleCase,
    TransitionNotAllowed,
)
from recovery.roles import User, is_manager, require_case_worker


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    managers_only: bool = False


TRANSITIONS: dict[str, Transition] = {
    "acknowledge": Transition(frozenset({Stage.NEW}), Stage.ACKNOWLEDGED),
    "apologize": Transition(frozenset({Stage.ACKNOWLEDGED}), Stage.APOLOGIZED),
    "resolve": Transition(frozenset({Stage.APOLOGIZED}), Stage.RESOLVED),
    "follow_up": Transition(frozenset({Stage.RESOLVED}), Stage.FOLLOWED_UP),
    "close": Transition(frozenset({Stage.FOLLOWED_UP}), Stage.CLOSED),
    "reopen": Transition(frozenset({Stage.RESOLVED, Stage.FOLLOWED_UP, Stage.CLOSED}), Stage.ACKNOWLEDGED),
    # A manager may close from any open stage (duplicate, no recovery possible...), giving a reason.
    "force_close": Transition(frozenset(OPEN_STAGES), Stage.CLOSED, managers_only=True),
}

# Actions that pause or restart the SLA clocks without moving the stage: allowed in any open stage.
HOLD_ACTIONS = frozenset({"hold", "unhold"})
HOLD_RULE = Transition(frozenset(OPEN_STAGES), target="")
# Stages later than acknowledged; a reopened case has to reach them again.
_REOPEN_CLEARS = (*list(STAGE_TIMESTAMP_FIELDS.values())[1:], "follow_up_due_at")


def allowed_actions(case: RecoveryCase, actor: User) -> list[str]:
    """Actions `actor` may take on `case` now, as the API and the UI name them.

    The manager's override close is reported as `close`, because that is the one button both show.
    """
    if not may_act_on(case, actor):
        return []
    names = []
    for name, transition in TRANSITIONS.items():
        if case.stage in transition.sources and (not transition.managers_only or is_manager(actor)):
            public = "close" if name == "force_close" else name
            if public not in names:
                names.append(public)
    if case.is_open:
        names.append("unhold" if case.on_hold_since else "hold")
    return names


def acknowledge(*, case_id: int, actor: User, version: int | None = None, note: str = "") -> RecoveryCase:
    with transaction.atomic():
        case = _start("acknowledge", case_id=case_id, actor=actor, version=version)
        return _finish(case, "acknowledge", actor=actor, message=note.strip())


def apologize(*, case_id: int, actor: User, note: str, version: int | None = None) -> RecoveryCase:
    """`note` is the apology given, or the channel it was given through: the stage is not a checkbox."""
    note = _required(note, field="note", message="Apologizing needs the apology text or the channel used.")
    with transaction.atomic():
        case = _start("apologize", case_id=case_id, actor=actor, version=version)
        return _finish(case, "apologize", actor=actor, message=note)


def resolve(*, case_id: int, actor: User, resolution: str, version: int | None = None) -> RecoveryCase:
    resolution = _required(
        resolution, field="resolution", message="Resolving a case needs a resolution summary."
    )
    with transaction.atomic():
        case = _start("resolve", case_id=case_id, actor=actor, version=version)
        case.resolution_summary = resolution
        now = timezone.now()
        sla.schedule_follow_up(case, resolved_at=now)
        return _finish(case, "resolve", actor=actor, message=resolution, now=now)


def follow_up(
    *, case_id: int, actor: User, outcome: str, satisfaction: int | None = None, version: int | None = None
) -> RecoveryCase:
    outcome = _required(outcome, field="outcome", message="Following up needs the outcome of the follow-up.")
    if satisfaction is not None and not (isinstance(satisfaction, int) and 1 <= satisfaction <= 5):
        raise InvalidInput("Satisfaction is a whole number from 1 to 5.", field="satisfaction")
    with transaction.atomic():
        facts.hold_customer_of(case_id)
        case = _start("follow_up", case_id=case_id, actor=actor, version=version)
        now = timezone.now()
        # The customer may have answered the survey already: the agent completes that follow-up
        # (keeping the customer's score unless they recorded another) rather than starting a second.
        pending = (
            case.follow_ups.filter(Q(done_at__isnull=True) | Q(answered_at__isnull=False, outcome=""))
            .order_by("due_at")
            .first()
        )
        if pending is None:
            pending = FollowUp(case=case, due_at=now, channel=case.channel)
        pending.done_at = pending.done_at or now
        pending.outcome = outcome
        if satisfaction is not None:
            pending.satisfaction = satisfaction
        pending.save()
        facts.answer_recorded(pending)
        return _finish(
            case, "follow_up", actor=actor, message=outcome, now=now, data={"satisfaction": satisfaction}
        )


def close(*, case_id: int, actor: User, reason: str = "", version: int | None = None) -> RecoveryCase:
    """Close a followed-up case; or, for a manager with a reason, close a case from any open stage."""
    reason = (reason or "").strip()
    with transaction.atomic():
        case = _lock(case_id)
        action = "close" if case.stage == Stage.FOLLOWED_UP else "force_close"
        if action == "force_close" and is_manager(actor) and case.is_open and not reason:
            raise InvalidInput(
                "Closing a case before its follow-up needs a reason (duplicate, no recovery possible...).",
                field="reason",
            )
        _check(case, action, actor=actor, version=version)
        case.close_reason = reason
        return _finish(case, action, actor=actor, message=reason, data={"override": action == "force_close"})


def reopen(*, case_id: int, actor: User, reason: str, version: int | None = None) -> RecoveryCase:
    """Back to acknowledged: the later stages must be done again, on fresh SLA targets."""
    reason = _required(reason, field="reason", message="Reopening a case needs a reason.")
    with transaction.atomic():
        case = _start("reopen", case_id=case_id, actor=actor, version=version)
        return _reopen(case, actor=actor, reason=reason)


def reopen_for_customer(*, case_id: int, reason: str, via: str = "survey") -> RecoveryCase:
    """Reopen on the customer's word (a poor follow-up survey answer, or `via` "email": their reply to a
    closed case). No agent acts: the timeline
    records the system as the actor, and only the stage is checked (TransitionNotAllowed if the case
    is not resolved, followed up or closed). The case is flagged "Customer unhappy" until it is
    resolved again or closed."""
    reason = _required(reason, field="reason", message="Reopening a case needs a reason.")
    with transaction.atomic():
        case = _lock(case_id)
        if case.stage not in TRANSITIONS["reopen"].sources:
            raise TransitionNotAllowed(stage=case.stage, action="reopen", allowed=[])
        case.customer_unhappy_at = timezone.now()
        data = {"by": "customer"} if via == "survey" else {"by": "customer", "via": via}
        return _reopen(case, actor=None, reason=reason, data=data)


def _reopen(
    case: RecoveryCase, *, actor: User | None, reason: str, data: dict[str, Any] | None = None
) -> RecoveryCase:
    now = timezone.now()
    for field in _REOPEN_CLEARS:
        setattr(case, field, None)
    case.reopen_count += 1
    case.follow_ups.filter(done_at__isnull=True).delete()  # the pending follow-up is moot now
    sla.start_clock(case, start=now)
    return _finish(case, "reopen", actor=actor, message=reason, now=now, data=data)


def hold(*, case_id: int, actor: User, reason: str, version: int | None = None) -> RecoveryCase:
    """Put an open case on hold while it waits on the customer: its SLA clocks pause. The stage stays."""
    reason = _required(reason, field="reason", message="Putting a case on hold needs a reason.")
    with transaction.atomic():
        case = _lock(case_id)
        _check(case, "hold", actor=actor, version=version)
        if case.on_hold_since is not None:
            raise Conflict(f"{case.reference} is already on hold ({case.hold_reason}).")
        sla.pause(case, reason=reason, actor=actor, now=timezone.now())
        return _save_version(case)


def unhold(*, case_id: int, actor: User, version: int | None = None) -> RecoveryCase:
    """Take a case off hold: its clocks run again, every running due moment moved by the time paused."""
    with transaction.atomic():
        case = _lock(case_id)
        _check(case, "unhold", actor=actor, version=version)
        if case.on_hold_since is None:
            raise Conflict(f"{case.reference} is not on hold.")
        sla.resume(case, actor=actor, now=timezone.now())
        return _save_version(case)


ACTIONS: dict[str, Callable[..., RecoveryCase]] = {
    "acknowledge": acknowledge,
    "apologize": apologize,
    "resolve": resolve,
    "follow_up": follow_up,
    "close": close,
    "reopen": reopen,
    "hold": hold,
    "unhold": unhold,
}


def perform(action: str, *, case_id: int, actor: User, **payload: Any) -> RecoveryCase:
    """Dispatch a named action for the API and HTML views. Unknown actions are an InvalidInput.

    Passes on only the payload fields the action takes, so one form or request body can serve every
    action; a field the action needs and the payload lacks is an InvalidInput naming it.
    """
    try:
        function = ACTIONS[action]
    except KeyError:
        raise InvalidInput(
            f"Unknown action '{action}'. Actions: {', '.join(ACTIONS)}.", field="action"
        ) from None
    parameters = action_parameters(action)
    for name, required in parameters.items():
        if required and payload.get(name) is None:
            raise InvalidInput(f"{action.replace('_', ' ').capitalize()} needs '{name}'.", field=name)
    taken = {name: value for name, value in payload.items() if name in parameters}
    return function(case_id=case_id, actor=actor, **taken)


def action_parameters(action: str) -> dict[str, bool]:
    """The payload fields `action` takes (beyond case, actor and version), each mapped to "required"."""
    signature = inspect.signature(ACTIONS[action])
    return {
        name: parameter.default is inspect.Parameter.empty
        for name, parameter in signature.parameters.items()
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY and name not in ("case_id", "actor")
    }


def _required(value: str | None, *, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(message, field=field)
    return value


def _lock(case_id: int) -> RecoveryCase:
    # Lock first, then check: a second agent waits here and then sees the new stage and version.
    return RecoveryCase.objects.select_for_update().get(pk=case_id)


def _check(case: RecoveryCase, action: str, *, actor: User, version: int | None) -> None:
    require_may_see(case, actor)
    if version is not None and version != case.version:
        raise StaleCase(expected=version, actual=case.version)
    require_case_worker(actor)
    # The stage is checked before ownership so that of two agents racing for a free case, the loser
    # hears that it has moved on (a conflict), not that they lack a right they had a moment ago.
    transition = HOLD_RULE if action in HOLD_ACTIONS else TRANSITIONS[action]
    public = "close" if action == "force_close" else action
    if case.stage not in transition.sources:
        raise TransitionNotAllowed(stage=case.stage, action=public, allowed=allowed_actions(case, actor))
    if transition.managers_only and not is_manager(actor):
        raise ManagersOnlyTransition(stage=case.stage, action=public, allowed=allowed_actions(case, actor))
    require_may_act_on(case, actor)


def _save_version(case: RecoveryCase) -> RecoveryCase:
    """Save an action's changes: a new version (what a client loaded no longer describes the case),
    and the SLA alarm moved to what the action left running."""
    case.version += 1
    case.save()
    sla.set_alarm(case)
    return case


def _start(action: str, *, case_id: int, actor: User, version: int | None) -> RecoveryCase:
    case = _lock(case_id)
    _check(case, action, actor=actor, version=version)
    return case


def _finish(
    case: RecoveryCase,
    action: str,
    *,
    actor: User | None,
    message: str = "",
    now: datetime | None = None,
    data: dict[str, Any] | None = None,
) -> RecoveryCase:
    now = now or timezone.now()
    previous = case.stage
    sla_before = sla.sla_state(case, now=now)
    case.stage = TRANSITIONS[action].target
    setattr(case, STAGE_TIMESTAMP_FIELDS[case.stage], now)
    if case.stage in (Stage.RESOLVED, Stage.CLOSED):
        case.customer_unhappy_at = None  # put right again (or given up on): no longer top of the queue
    if case.stage == Stage.CLOSED and case.on_hold_since is not None:
        sla.resume(case, actor=actor, now=now)  # a closed case waits on nobody
    sla.refresh_running_target(case)  # reaching a stage stops its clock
    sla.measure_time_to_stages(case)
    data = {"action": action, **(data or {}), **sla.state_change(case, sla_before, now)}
    if case.owner_id is None and actor is not None:
        case.owner = actor  # acting on an unassigned case takes it; the event below says so
        data["taken_by"] = actor.pk
    facts.stage_reached(case, actor)
    _save_version(case)
    events.record(
        case,
        CaseEvent.Kind.STAGE_CHANGED,
        actor=actor,
        from_stage=previous,
        to_stage=case.stage,
        message=message,
        data=data,
    )
    at_risk.refresh(customer_id=case.customer_id, now=now)
    return case
