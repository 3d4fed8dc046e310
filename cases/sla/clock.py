"""The SLA clock: when each stage of a case is due, from its severity's policy.

SLA time is elapsed time, or only a calendar's working time when the policy has one
(`cases.sla.calendar`). While a case is on hold its clocks pause; taking it off hold moves every
running due moment by the SLA time paused. The sweep that warns and escalates is `cases.sla.sweep`.
"""

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from cases import events
from cases.models import (
    STAGE_DUE_FIELDS,
    BusinessCalendar,
    CaseEvent,
    FollowUp,
    Holiday,
    OpeningHours,
    RecoveryCase,
    Severity,
    SLAAlarm,
    SLAAlert,
    SLAPolicy,
    SLAState,
    Stage,
)
from cases.sla.alerts import SweptCase
from cases.sla.calendar import AROUND_THE_CLOCK, AroundTheClock, Schedule, schedule_of
from cases.teams.models import Team
from recovery.roles import User

# Targets a fresh installation starts with (acknowledge, apologize, resolve). Managers edit them later.
DEFAULT_TARGETS: dict[str, tuple[timedelta, timedelta, timedelta]] = {
    Severity.CRITICAL: (timedelta(minutes=15), timedelta(minutes=30), timedelta(hours=4)),
    Severity.HIGH: (timedelta(hours=1), timedelta(hours=2), timedelta(hours=24)),
    Severity.MEDIUM: (timedelta(hours=4), timedelta(hours=8), timedelta(hours=72)),
    Severity.LOW: (timedelta(hours=24), timedelta(hours=48), timedelta(days=7)),
}
DEFAULT_FOLLOW_UP_AFTER = timedelta(days=3)

# What the clock reads: a case, or the sweep's plain row of one (same field names).
CaseClocks = RecoveryCase | SweptCase


# Every case opened, re-targeted or moved needs its policy, and policies change only when an operator
# edits them: each process keeps what it read for this long. An edit (or a calendar's) clears this
# process's copy at once, and reaches the other processes within this time.
POLICY_CACHE_SECONDS = 30
_cached_policies: dict[str, tuple[float, SLAPolicy]] = {}  # severity -> (monotonic time read, policy)


def policy_for(severity: str) -> SLAPolicy:
    """The policy of `severity`, created from the defaults if an operator deleted it. Read-only: the
    instance is shared by everything this process does for up to POLICY_CACHE_SECONDS."""
    read_at, policy = _cached_policies.get(severity, (0.0, None))
    if policy is None or time.monotonic() - read_at >= POLICY_CACHE_SECONDS:
        policy = _read_policy(severity)
        _cached_policies[severity] = (time.monotonic(), policy)
    return policy


def forget_policies(**_signal: object) -> None:
    """Read every policy again on next use: after an edit in this process, and before each test."""
    _cached_policies.clear()
    _cached_team_calendars.clear()
    _cached_variants.clear()


# A team's business calendar replaces its severity policy's for the team's cases (`cases.teams`). Which
# calendar each team has is cached as the policies are, and cleared with them.
_cached_team_calendars: dict[int, tuple[float, int | None]] = {}  # team id -> (time read, calendar id)
_cached_variants: dict[tuple[str, int], SLAPolicy] = {}  # (severity, calendar id) -> the policy in it


def policy_of(case: "CaseClocks") -> SLAPolicy:
    """The policy `case`'s clocks run on: its severity's, counted in its team's business calendar when
    the team has one. Read-only and shared, like `policy_for`'s."""
    policy = policy_for(case.severity)
    team_id = getattr(case, "team_id", None)
    calendar_id = _team_calendar_id(team_id) if team_id is not None else None
    if calendar_id is None or calendar_id == policy.calendar_id:
        return policy
    variant = _cached_variants.get((case.severity, calendar_id))
    if variant is None:
        calendar = BusinessCalendar.objects.filter(pk=calendar_id).first()
        if calendar is None:  # deleted since the team was read
            return policy
        fields = {field.attname: getattr(policy, field.attname) for field in SLAPolicy._meta.concrete_fields}
        variant = SLAPolicy(**{**fields, "calendar_id": calendar.pk})
        variant.calendar = calendar
        _cached_variants[(case.severity, calendar_id)] = variant
    return variant


def _team_calendar_id(team_id: int) -> int | None:
    read_at, calendar_id = _cached_team_calendars.get(team_id, (0.0, None))
    if not read_at or time.monotonic() - read_at >= POLICY_CACHE_SECONDS:
        calendar_id = Team.objects.filter(pk=team_id).values_list("calendar_id", flat=True).first()
        _cached_team_calendars[team_id] = (time.monotonic(), calendar_id)
    return calendar_id


def _forget_policies_now_and_on_commit(**_signal: object) -> None:
    # Now, so this transaction reads its own edit; on commit, for what another thread of this process
    # read between the edit and the commit.
    forget_policies()
    transaction.on_commit(forget_policies)


for _model in (SLAPolicy, BusinessCalendar, OpeningHours, Holiday, Team):
    for _signal in (post_save, post_delete):
        _signal.connect(_forget_policies_now_and_on_commit, sender=_model, dispatch_uid="sla-policies")


def _read_policy(severity: str) -> SLAPolicy:
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


def sla_time(policy: SLAPolicy) -> Schedule | AroundTheClock:
    """How `policy` counts time: its calendar's working time, or around the clock."""
    if policy.calendar_id is None or policy.calendar is None:  # the id first: no query for no calendar
        return AROUND_THE_CLOCK
    return schedule_of(policy.calendar)


def add_target(policy: SLAPolicy, start: datetime, duration: timedelta) -> datetime:
    """The moment `duration` of SLA time after `start` under `policy`."""
    return sla_time(policy).add(start, duration)


# target -> (the stage timestamp that stops its clock, its due-moment field, the policy's duration field)
STAGE_CLOCKS = {
    "acknowledge": ("acknowledged_at", STAGE_DUE_FIELDS["acknowledge"], "acknowledge_within"),
    "apologize": ("apologized_at", STAGE_DUE_FIELDS["apologize"], "apologize_within"),
    "resolve": ("resolved_at", STAGE_DUE_FIELDS["resolve"], "resolve_within"),
}


# stage moment -> the field that keeps how long the case took to reach it from opening, in SLA time
TIME_TO_STAGE = {"acknowledged_at": "time_to_acknowledge", "resolved_at": "time_to_resolve"}


def measure_time_to_stages(case: RecoveryCase, *, policy: SLAPolicy | None = None) -> None:
    """Set how long the case took from opening to each stage moment it has, in its policy's SLA time
    (a calendar's working time, or elapsed), hold time included; None for a stage not reached. Does
    not save. Called whenever a stage is reached, so a later resolution replaces an earlier one."""
    time = sla_time(policy or policy_of(case))
    for moment_field, duration_field in TIME_TO_STAGE.items():
        moment = getattr(case, moment_field)
        setattr(case, duration_field, None if moment is None else time.between(case.created_at, moment))


@dataclass(frozen=True)
class Clock:
    """One running target: counted from `started_at`, `length` of SLA time long, due at `due_at`
    (later than `started_at + length` by whatever time it spent paused)."""

    target: str
    started_at: datetime
    length: timedelta
    due_at: datetime


def start_clock(case: RecoveryCase, *, start: datetime, policy: SLAPolicy | None = None) -> None:
    """Set the due moments of the stages `case` has not reached yet, counted from `start`. Does not save.

    Restarting from a new start (opening, reopening) forgets earlier pauses; recomputing from the same
    start (a severity change) keeps them, so a hold is never lost by re-targeting.
    """
    policy = policy or policy_of(case)
    if start != case.sla_started_at:
        case.sla_paused = timedelta(0)
    case.sla_started_at = start
    for reached_field, due_field, length_field in STAGE_CLOCKS.values():
        if getattr(case, reached_field) is None:
            length = getattr(policy, length_field) + case.sla_paused
            setattr(case, due_field, add_target(policy, start, length))
    refresh_running_target(case, policy=policy)


def running_targets(case: CaseClocks) -> list[tuple[str, datetime]]:
    """(target, due moment) of every clock still running: each stops when its stage is reached."""
    if case.stage == Stage.CLOSED:
        return []
    targets = [
        (name, getattr(case, reached), getattr(case, due)) for name, (reached, due, _) in STAGE_CLOCKS.items()
    ]
    running = [(name, due) for name, reached, due in targets if reached is None and due is not None]
    if case.stage == Stage.RESOLVED and case.follow_up_due_at is not None:
        running.append(("follow_up", case.follow_up_due_at))
    return running


def running_clocks(case: CaseClocks, policy: SLAPolicy) -> list[Clock]:
    """The clocks of `running_targets`, with what the sweep and the warning moments need."""
    clocks = []
    for target, due in running_targets(case):
        if target == "follow_up":
            assert case.resolved_at is not None  # the follow-up clock runs only on a resolved case
            clocks.append(Clock(target, case.resolved_at, policy.follow_up_after, due))
        else:
            length = getattr(policy, STAGE_CLOCKS[target][2])
            clocks.append(Clock(target, case.sla_started_at, length, due))
    return clocks


def warning_moment(clock: Clock, policy: SLAPolicy) -> datetime:
    """When `clock` warns: at the policy's fraction of its SLA time, pushed back by the time it spent
    paused."""
    time = sla_time(policy)
    paused = max(time.between(clock.started_at, clock.due_at) - clock.length, timedelta(0))
    return time.add(clock.started_at, clock.length * float(policy.warn_at_fraction) + paused)


def alert_moments(clock: Clock, policy: SLAPolicy) -> Iterator[tuple[int, datetime]]:
    """(level, moment) of when `clock` warns, breaches, and escalates (twice its length), in that
    order. No moment comes before the one yielded ahead of it, so a caller looking for the first moment
    still to come can stop there."""
    yield SLAAlert.Level.WARNING, warning_moment(clock, policy)
    yield SLAAlert.Level.BREACHED, clock.due_at
    yield SLAAlert.Level.ESCALATED, sla_time(policy).add(clock.due_at, clock.length)


def alerted_clocks(case: CaseClocks, policy: SLAPolicy) -> list[Clock]:
    """The clocks the SLA sweep alerts on: the stage clocks. The follow-up clock is left to the
    follow-up sweep, which reminds and escalates follow-ups by its own rules; alerting here as well
    would send every follow-up email twice."""
    return [clock for clock in running_clocks(case, policy) if clock.target in STAGE_CLOCKS]


def next_alert_at(case: RecoveryCase, policy: SLAPolicy) -> datetime | None:
    """The earliest alert moment of the case's alerted clocks, their earliest warning (each clock warns
    before it breaches); None when on hold, since paused clocks alert nothing."""
    if case.on_hold_since is not None:
        return None
    return min((warning_moment(clock, policy) for clock in alerted_clocks(case, policy)), default=None)


def refresh_running_target(case: RecoveryCase, *, policy: SLAPolicy | None = None) -> None:
    """Point `sla_due_at`/`sla_warn_at` at the earliest running target. Does not save.

    The warning comes at the policy's fraction of the target's SLA time.
    """
    policy = policy or policy_of(case)
    clocks = running_clocks(case, policy)
    if not clocks:
        case.sla_due_at = case.sla_warn_at = None
        return
    earliest = min(clocks, key=lambda clock: clock.due_at)
    case.sla_due_at = earliest.due_at
    case.sla_warn_at = warning_moment(earliest, policy)


def set_alarm(case: RecoveryCase, *, new_case: bool = False) -> None:
    """Point the case's SLA alarm at its earliest alert moment, or take it away when no stage clock
    runs or the case is on hold. One statement. A `new_case` has no alarm to replace, so a plain
    INSERT does.

    The earliest moment, passed or not: after a change the sweep looks at the case once more, skips
    what it already sent (its alerts are unique) and moves the alarm on to the next moment.

    Precondition: `case` is saved, with its clocks set, and the caller holds its row lock.
    """
    moment = next_alert_at(case, policy_of(case))
    if moment is None:
        if not new_case:
            SLAAlarm.objects.filter(case_id=case.pk).delete()
        return
    if new_case:
        SLAAlarm(case_id=case.pk, rings_at=moment).save(force_insert=True)
        return
    SLAAlarm.objects.bulk_create(
        [SLAAlarm(case_id=case.pk, rings_at=moment)],
        update_conflicts=True,
        unique_fields=["case"],
        update_fields=["rings_at"],
    )


def at_risk_horizon(severity: str, *, now: datetime) -> datetime:
    """The latest due moment a case of `severity` that is at risk at `now` can have.

    A clock warns at the policy's fraction of its SLA time and is due the rest of that time later
    (pauses move both moments alike), so a warning at or before `now` means a due moment no later than
    the longest remainder counted from `now`. A case re-targeted under an older, longer policy can lie
    beyond it; the queue then sorts it with the cases on track, never loses it.
    """
    policy = policy_for(severity)
    share = 1 - float(policy.warn_at_fraction)
    lengths = (
        policy.acknowledge_within,
        policy.apologize_within,
        policy.resolve_within,
        policy.follow_up_after,
    )
    # A second of slack for the float arithmetic of the warning moments.
    return add_target(policy, now, max(lengths) * share) + timedelta(seconds=1)


def sla_state(case: CaseClocks, *, now: datetime) -> str:
    if case.on_hold_since is not None:
        return SLAState.PAUSED
    if case.sla_due_at is None or (case.sla_warn_at is not None and now < case.sla_warn_at):
        return SLAState.ON_TRACK
    return SLAState.BREACHED if now >= case.sla_due_at else SLAState.AT_RISK


def pause(case: RecoveryCase, *, reason: str, actor: User, now: datetime) -> None:
    """Stop the running clocks while the case waits on the customer. Does not save (nor `set_alarm`).

    Precondition: the caller holds the case's row lock (`cases.workflow.hold`).
    """
    before = sla_state(case, now=now)
    case.on_hold_since = now
    case.hold_reason = reason
    events.record(
        case, CaseEvent.Kind.SLA_PAUSED, actor=actor, message=reason, data=_state_change(case, before, now)
    )


def resume(case: RecoveryCase, *, actor: User | None, now: datetime) -> None:
    """Restart the clocks: every running due moment moves by the SLA time it spent paused. Does not save.

    Precondition: the caller holds the case's row lock (`cases.workflow.unhold`, `close`).
    """
    since = case.on_hold_since
    assert since is not None, "only a held case resumes"
    policy = policy_of(case)
    time = sla_time(policy)
    for clock in running_clocks(case, policy):
        paused = time.between(max(since, clock.started_at), now)
        if clock.target == "follow_up":
            case.follow_up_due_at = time.add(clock.due_at, paused)
            case.follow_ups.filter(done_at__isnull=True).update(due_at=case.follow_up_due_at)
        else:
            setattr(case, STAGE_CLOCKS[clock.target][1], time.add(clock.due_at, paused))
    case.sla_paused += time.between(max(since, case.sla_started_at), now)
    case.paused_total += now - since
    case.on_hold_since = None
    case.hold_reason = ""
    refresh_running_target(case, policy=policy)
    data = {**_state_change(case, SLAState.PAUSED, now), "paused_seconds": int((now - since).total_seconds())}
    events.record(case, CaseEvent.Kind.SLA_RESUMED, actor=actor, data=data)


def state_change(case: RecoveryCase, before: str, now: datetime) -> dict:
    """What the timeline keeps when a case's SLA state changes (empty when it did not): the states and
    who owned the case, so its SLA history can be audited afterwards."""
    after = sla_state(case, now=now)
    return {} if after == before else _state_change(case, before, now)


def _state_change(case: RecoveryCase, before: str, now: datetime) -> dict:
    return {"sla_state": {"from": before, "to": sla_state(case, now=now)}, "owner": case.owner_id}


def schedule_follow_up(case: RecoveryCase, *, resolved_at: datetime) -> FollowUp:
    """Plan the follow-up of a case just resolved; the case's `follow_up_due_at` mirrors it."""
    policy = policy_of(case)
    due_at = add_target(policy, resolved_at, policy.follow_up_after)
    case.follow_up_due_at = due_at
    return FollowUp.objects.create(case=case, due_at=due_at, channel=case.channel)
