"""The SLA sweep: warn, mark breaches and escalate, exactly once per case, target and level.

1. Take open, running cases whose `sla_next_alert_at` has passed, through its partial index, a batch
   at a time, locked with SKIP LOCKED so that a concurrent sweep takes other cases instead of waiting.
2. Claim every passed (target, level) by inserting an `SLAAlert`: the unique constraint drops what
   any sweep sent before, and this sweep acts only on the rows it inserted (read back by its id).
3. For each claimed alert: a timeline event, outbox emails, and the raised escalation level.
4. Move `sla_next_alert_at` past now, so the case leaves the query until its next moment comes.

Only the stage clocks alert here; the follow-up clock belongs to the follow-up sweep.
"""

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from django.db import connection, transaction

from . import events, notifications, sla
from .events import SystemEvent
from .models import CaseEvent, RecoveryCase, SLAAlert, SLAPolicy, Stage
from .notifications import Email
from .roles import managers

# 1 % of a million open cases (10,000) is then 20 round trips, while one batch's transaction (its row
# locks, three bulk INSERTs and one UPDATE) stays well under a second and a few MB of memory.
SWEEP_BATCH_SIZE = 500

EVENT_KIND = {
    SLAAlert.Level.WARNING: CaseEvent.Kind.SLA_WARNING,
    SLAAlert.Level.BREACHED: CaseEvent.Kind.SLA_BREACHED,
    SLAAlert.Level.ESCALATED: CaseEvent.Kind.ESCALATED,
}
COUNT_NAME = {
    SLAAlert.Level.WARNING: "warnings",
    SLAAlert.Level.BREACHED: "breaches",
    SLAAlert.Level.ESCALATED: "escalations",
}


@dataclass(frozen=True)
class Passed:
    """An alert moment that has come: `level` of `target` on `case`."""

    case: RecoveryCase
    target: str
    level: int
    moment: datetime
    due_at: datetime


@dataclass
class _Run:
    now: datetime
    sweep_id: uuid.UUID = field(default_factory=uuid.uuid4)

    @cached_property
    def policies(self) -> dict[str, SLAPolicy]:
        # Loaded once per sweep, with their calendars, so each calendar's hours are read once too.
        return {policy.severity: policy for policy in SLAPolicy.objects.select_related("calendar")}

    def policy(self, severity: str) -> SLAPolicy:
        if severity not in self.policies:
            self.policies[severity] = sla.policy_for(severity)
        return self.policies[severity]

    @cached_property
    def managers(self) -> list:
        return list(managers())


def sweep(*, now: datetime) -> dict[str, int]:
    """One sweep up to `now`. Returns how many cases it looked at and what it sent."""
    run = _Run(now=now)
    counts: Counter[str] = Counter()
    while True:
        with transaction.atomic():
            batch = list(due_cases(now)[:SWEEP_BATCH_SIZE])
            counts.update(_handle(batch, run))
        if len(batch) < SWEEP_BATCH_SIZE:
            break
    return {name: counts[name] for name in ("cases", "warnings", "breaches", "escalations")}


def due_cases(now: datetime):
    return (
        RecoveryCase.objects.filter(sla_next_alert_at__lte=now, on_hold_since__isnull=True)
        .exclude(stage=Stage.CLOSED)
        .select_related("owner", "customer")  # the emails name both
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("sla_next_alert_at")
    )


def _handle(batch: list[RecoveryCase], run: _Run) -> Counter[str]:
    """Claim and act on every alert moment of `batch` that has passed. Precondition: rows locked."""
    counts: Counter[str] = Counter(cases=len(batch))
    if not batch:
        return counts
    claimed = _claim([passed for case in batch for passed in _passed(case, run)], run)
    entries, emails = [], []
    for alert in claimed:
        if alert.level >= SLAAlert.Level.BREACHED:
            alert.case.escalation_level = max(alert.case.escalation_level, alert.level)
        entries.append(_event(alert, run.now))
        emails += _emails(alert, run)
        counts[COUNT_NAME[alert.level]] += 1
    events.record_many(entries)
    notifications.queue_many(emails)
    for case in batch:
        case.sla_next_alert_at = sla.next_alert_at(case, run.policy(case.severity), after=run.now)
    _save_progress(batch)
    return counts


def _save_progress(batch: list[RecoveryCase]) -> None:
    """Write each case's escalation level and next alert moment in one statement. On PostgreSQL that is
    an UPDATE from arrays: bulk_update's CASE WHEN costs milliseconds of Python per row, which at
    thousands of due cases would be most of the sweep."""
    if connection.vendor != "postgresql":
        RecoveryCase.objects.bulk_update(batch, ["escalation_level", "sla_next_alert_at"])
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {RecoveryCase._meta.db_table} AS c"
            " SET escalation_level = v.level, sla_next_alert_at = v.next_at"
            " FROM unnest(%s::bigint[], %s::smallint[], %s::timestamptz[]) AS v(id, level, next_at)"
            " WHERE c.id = v.id",
            [
                [case.pk for case in batch],
                [case.escalation_level for case in batch],
                [case.sla_next_alert_at for case in batch],
            ],
        )


def _passed(case: RecoveryCase, run: _Run) -> list[Passed]:
    policy = run.policy(case.severity)
    return [
        Passed(case, clock.target, level, moment, clock.due_at)
        for clock in sla.alerted_clocks(case, policy)
        for level, moment in sla.alert_moments(clock, policy).items()
        if moment <= run.now
    ]


def _claim(passed: list[Passed], run: _Run) -> list[Passed]:
    """Insert an alert per passed moment; keep those this sweep inserted, which nobody else can have."""
    SLAAlert.objects.bulk_create(
        [
            SLAAlert(
                case=p.case,
                target=p.target,
                level=p.level,
                cycle=p.case.reopen_count,
                moment=p.moment,
                owner_id=p.case.owner_id,
                sweep_id=run.sweep_id,
            )
            for p in passed
        ],
        ignore_conflicts=True,
    )
    mine = set(
        SLAAlert.objects.filter(sweep_id=run.sweep_id, case_id__in={p.case.pk for p in passed}).values_list(
            "case_id", "target", "level"
        )
    )
    return [p for p in passed if (p.case.pk, p.target, p.level) in mine]


def _event(alert: Passed, now: datetime) -> SystemEvent:
    case = alert.case
    data = {
        "target": alert.target,
        "level": alert.level,
        "moment": alert.moment.isoformat(),
        "due_at": alert.due_at.isoformat(),
        "escalation_level": case.escalation_level,
        "sla_state": sla.sla_state(case, now=now),
        "owner": case.owner_id,  # who held the case when it happened
    }
    return SystemEvent(case, EVENT_KIND[alert.level], _headline(alert), data)


def _emails(alert: Passed, run: _Run) -> list[Email]:
    """Warning: the owner (the managers if nobody owns the case). Breach: owner and managers.
    Level 2: the managers."""
    owner = [alert.case.owner] if alert.case.owner_id else []
    if alert.level == SLAAlert.Level.WARNING:
        recipients = owner or run.managers
    elif alert.level == SLAAlert.Level.BREACHED:
        recipients = owner + [m for m in run.managers if m.pk != alert.case.owner_id]
    else:
        recipients = run.managers
    key = f"sla:{alert.case.pk}:{alert.case.reopen_count}:{alert.target}:{alert.level}"
    context = {"headline": _headline(alert), "message": _message(alert)}
    return [
        Email(user.email, "case_update", {"recipient": user, **context}, alert.case, f"{key}:user:{user.pk}")
        for user in recipients
    ]


def _headline(alert: Passed) -> str:
    target = alert.target.replace("_", " ")
    if alert.level == SLAAlert.Level.WARNING:
        return f"SLA warning: {target} due {alert.due_at:%Y-%m-%d %H:%M %Z}"
    if alert.level == SLAAlert.Level.BREACHED:
        return f"SLA breached: {target} was due {alert.due_at:%Y-%m-%d %H:%M %Z}"
    return f"Escalated: {target} overdue by twice its target"


def _message(alert: Passed) -> str:
    if alert.level == SLAAlert.Level.WARNING:
        return "This case will miss its target unless it moves on soon."
    if alert.level == SLAAlert.Level.BREACHED:
        return "This case missed its target and is escalated to the managers (level 1)."
    return "This case is still overdue at twice its target: escalation level 2."
