"""The SLA sweep: warn, mark breaches and escalate, exactly once per case, target and level.

1. Take the cases whose `SLAAlarm` has rung, through its index, a batch at a time, locked with SKIP
   LOCKED so that a concurrent sweep takes other cases instead of waiting.
2. Claim every passed (target, level) by inserting an `SLAAlert`: the unique constraint drops what
   any sweep sent before, and the INSERT returns the rows this sweep inserted, which nobody else has.
3. For each claimed alert a timeline event; for each person who hears of any, one digest email
   (`cases.sla.digest`) in the outbox.
4. Move each alarm past now (or take it away when nothing is left to alert), so the case leaves the
   query until its next moment comes; raise `escalation_level` where a breach or escalation came.

Every step is one statement per batch, with little Python per case (`recovery.db.bulk`): a sweep's cost
follows the cases due, not the cases open (`bench/sweep`). Only the stage clocks alert here; the
follow-up clock belongs to the follow-up sweep.
"""

import logging
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from cases import events, outbox
from cases.events import SystemEvent
from cases.models import CaseEvent, RecoveryCase, SLAAlarm, SLAAlert, SLAPolicy
from cases.sla import clock as sla
from cases.sla import digest as sla_digest
from cases.sla.alerts import SWEPT_FIELDS, Alert, SweptCase
from recovery.db import bulk
from recovery.logs import record
from recovery.roles import managers

logger = logging.getLogger(__name__)

# Batch sizes were compared in bench/sweep (figures in docs/performance.md): the cost is per case, not
# per round trip, and one huge transaction is slower. 2,500 holds one batch's row locks (and an agent
# acting on one of its cases) for a fraction of a second, and fits a normal minute's due cases in one
# batch: one digest per person per sweep.
SWEEP_BATCH_SIZE = 2500


EVENT_KIND: dict[int, str] = {
    SLAAlert.Level.WARNING: CaseEvent.Kind.SLA_WARNING,
    SLAAlert.Level.BREACHED: CaseEvent.Kind.SLA_BREACHED,
    SLAAlert.Level.ESCALATED: CaseEvent.Kind.ESCALATED,
}
COUNT_NAME: dict[int, str] = {
    SLAAlert.Level.WARNING: "warnings",
    SLAAlert.Level.BREACHED: "breaches",
    SLAAlert.Level.ESCALATED: "escalations",
}


@dataclass
class _Run:
    now: datetime
    sweep_id: uuid.UUID = field(default_factory=uuid.uuid4)
    people: dict = field(default_factory=dict)  # owners met so far, by id

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

    def owners(self, cases: list[SweptCase]) -> dict:
        """The owners of `cases`, each loaded once per sweep (one query for those not met yet)."""
        missing = {case.owner_id for case in cases if case.owner_id} - self.people.keys()
        if missing:
            users = get_user_model().objects.filter(pk__in=missing).only("email", "first_name", "username")
            self.people.update((user.pk, user) for user in users)
        return self.people


def sweep(*, now: datetime) -> dict[str, int]:
    """One sweep up to `now`. Returns how many cases it looked at and what it sent."""
    run = _Run(now=now)
    counts: Counter[str] = Counter()
    while True:
        with transaction.atomic():
            batch = [SweptCase(*row) for row in due_cases(now)[:SWEEP_BATCH_SIZE]]
            counts.update(_handle(batch, run))
        if len(batch) < SWEEP_BATCH_SIZE:
            break
    result = {name: counts[name] for name in ("cases", "warnings", "breaches", "escalations")}
    record(logger, "sla.swept", sweep_id=run.sweep_id.hex, **result)
    return result


def due_cases(now: datetime) -> QuerySet[RecoveryCase, tuple[Any, ...]]:
    """Cases whose alarm has rung, earliest first, row-locked: the case row is what every workflow
    action locks, so a case is never swept while an agent moves it. Closed and held cases have no
    alarm; should one have been left behind, the sweep finds nothing to alert and takes it away."""
    return (
        RecoveryCase.objects.filter(sla_alarm__rings_at__lte=now)
        .values_list(*SWEPT_FIELDS)
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("sla_alarm__rings_at")
    )


def _handle(batch: list[SweptCase], run: _Run) -> Counter[str]:
    """Claim and act on every alert moment of `batch` that has passed. Precondition: rows locked."""
    counts: Counter[str] = Counter(cases=len(batch))
    if not batch:
        return counts
    passed, next_alarms = [], {}
    for case in batch:
        alerts, next_alarms[case.pk] = _passed(case, run)
        passed += alerts
    claimed = _claim(passed, run)
    entries, escalated = [], {}
    for alert in claimed:  # in order, so each event tells the escalation level as it was then
        case = alert.case
        if alert.level > case.escalation_level:
            case.escalation_level = escalated[case.pk] = alert.level
        entries.append(_event(alert, run.now))
        counts[COUNT_NAME[alert.level]] += 1
    if claimed:
        events.record_many(entries)
        owners = run.owners([alert.case for alert in claimed])
        outbox.queue_many(sla_digest.digests(claimed, owners=owners, managers=run.managers))
    _save_progress(next_alarms, escalated)
    for case_id, level in escalated.items():
        record(logger, "sla.escalated", case_id=case_id, level=level, sweep_id=run.sweep_id.hex)
    return counts


def _save_progress(next_alarms: dict[int, datetime | None], escalated: dict[int, int]) -> None:
    """Move the batch's alarms on (or take away those with nothing left to alert), and raise the
    escalation levels that rose: one statement each. Only a breach or an escalation rewrites the
    wide case row; a warning moves the narrow alarm alone."""
    bulk.update(SLAAlarm, "case", ("rings_at",), [(pk, at) for pk, at in next_alarms.items() if at])
    silenced = [pk for pk, at in next_alarms.items() if at is None]
    if silenced:
        SLAAlarm.objects.filter(case_id__in=silenced).delete()
    bulk.update(RecoveryCase, "id", ("escalation_level",), escalated.items())


def _passed(case: SweptCase, run: _Run) -> tuple[list[Alert], datetime | None]:
    """The alert moments of `case` that have passed, and the first one still to come (its next alarm;
    None when there is none): what `sla.next_alert_at` says, from the moments computed here anyway."""
    if case.on_hold_since is not None:  # paused clocks alert nothing (holding a case takes its alarm away)
        return [], None
    policy = run.policy(case.severity) if case.team_id is None else sla.policy_of(case)
    passed, upcoming = [], []
    for clock in sla.alerted_clocks(case, policy):
        for level, moment in sla.alert_moments(clock, policy):
            if moment > run.now:
                upcoming.append(moment)
                break  # the clock's later moments come later still
            passed.append(Alert(case, clock.target, level, moment, clock.due_at))
    return passed, min(upcoming, default=None)


def _claim(passed: list[Alert], run: _Run) -> list[Alert]:
    """Insert an alert per passed moment; keep those this sweep inserted, which nobody else can have."""
    created_at = timezone.now()
    inserted = bulk.insert(
        SLAAlert,
        ("case", "target", "level", "cycle", "moment", "owner", "sweep_id", "created_at"),
        [
            (
                a.case.pk,
                a.target,
                a.level,
                a.case.reopen_count,
                a.moment,
                a.case.owner_id,
                run.sweep_id,
                created_at,
            )
            for a in passed
        ],
        skip_conflicts=True,
        returning=("id", "case", "target", "level"),
    )
    mine = {(case_id, target, level): pk for pk, case_id, target, level in inserted}
    for alert in passed:
        alert.pk = mine.get((alert.case.pk, alert.target, alert.level))
    return [alert for alert in passed if alert.pk is not None]


def _event(alert: Alert, now: datetime) -> SystemEvent:
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
    return SystemEvent(case, EVENT_KIND[alert.level], alert.headline, data)
