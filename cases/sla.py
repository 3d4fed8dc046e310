"""The SLA clock: when each stage of a case is due, from its severity's policy."""

from datetime import datetime, timedelta

from .models import FollowUp, RecoveryCase, Severity, SLAPolicy, SLAState, Stage

# Targets a fresh installation starts with (acknowledge, apologize, resolve). Managers edit them later.
DEFAULT_TARGETS: dict[str, tuple[timedelta, timedelta, timedelta]] = {
    Severity.CRITICAL: (timedelta(minutes=15), timedelta(minutes=30), timedelta(hours=4)),
    Severity.HIGH: (timedelta(hours=1), timedelta(hours=2), timedelta(hours=24)),
    Severity.MEDIUM: (timedelta(hours=4), timedelta(hours=8), timedelta(hours=72)),
    Severity.LOW: (timedelta(hours=24), timedelta(hours=48), timedelta(days=7)),
}
DEFAULT_FOLLOW_UP_AFTER = timedelta(days=3)


def policy_for(severity: str) -> SLAPolicy:
    """The policy of `severity`, created from the defaults if an operator deleted it."""
    acknowledge, apologize, resolve = DEFAULT_TARGETS[severity]
    policy, _ = SLAPolicy.objects.get_or_create(
        severity=severity,
        defaults={
            "acknowledge_within": acknowledge,
            "apologize_within": apologize,
            "resolve_within": resolve,
            "follow_up_after": DEFAULT_FOLLOW_UP_AFTER,
        },
    )
    return policy


def add_target(policy: SLAPolicy, start: datetime, duration: timedelta) -> datetime:
    """The moment `duration` of SLA time after `start` under `policy`."""
    return start + duration


def start_clock(case: RecoveryCase, *, start: datetime, policy: SLAPolicy | None = None) -> None:
    """Set the due moments of the stages `case` has not reached yet, counted from `start`. Does not save."""
    policy = policy or policy_for(case.severity)
    case.sla_started_at = start
    if case.acknowledged_at is None:
        case.acknowledge_due_at = add_target(policy, start, policy.acknowledge_within)
    if case.apologized_at is None:
        case.apologize_due_at = add_target(policy, start, policy.apologize_within)
    if case.resolved_at is None:
        case.resolve_due_at = add_target(policy, start, policy.resolve_within)
    refresh_running_target(case, policy=policy)


def running_targets(case: RecoveryCase) -> list[tuple[str, datetime]]:
    """(target, due moment) of every clock still running: each stops when its stage is reached."""
    if case.stage == Stage.CLOSED:
        return []
    targets = [
        ("acknowledge", case.acknowledged_at, case.acknowledge_due_at),
        ("apologize", case.apologized_at, case.apologize_due_at),
        ("resolve", case.resolved_at, case.resolve_due_at),
    ]
    running = [(name, due) for name, reached, due in targets if reached is None and due is not None]
    if case.stage == Stage.RESOLVED and case.follow_up_due_at is not None:
        running.append(("follow_up", case.follow_up_due_at))
    return running


def refresh_running_target(case: RecoveryCase, *, policy: SLAPolicy | None = None) -> None:
    """Point `sla_due_at`/`sla_warn_at` at the earliest running target. Does not save.

    The warning comes at the policy's fraction of the time between the clock's start and the target.
    """
    running = running_targets(case)
    if not running:
        case.sla_due_at = case.sla_warn_at = None
        return
    name, due = min(running, key=lambda target: target[1])
    policy = policy or policy_for(case.severity)
    start = case.resolved_at if name == "follow_up" else case.sla_started_at
    case.sla_due_at = due
    case.sla_warn_at = start + (due - start) * float(policy.warn_at_fraction)


def sla_state(case: RecoveryCase, *, now: datetime) -> str:
    if case.sla_due_at is None or now < case.sla_warn_at:
        return SLAState.ON_TRACK
    return SLAState.BREACHED if now >= case.sla_due_at else SLAState.AT_RISK


def schedule_follow_up(case: RecoveryCase, *, resolved_at: datetime) -> FollowUp:
    """Plan the follow-up of a case just resolved; the case's `follow_up_due_at` mirrors it."""
    policy = policy_for(case.severity)
    due_at = add_target(policy, resolved_at, policy.follow_up_after)
    case.follow_up_due_at = due_at
    return FollowUp.objects.create(case=case, due_at=due_at, channel=case.channel)
