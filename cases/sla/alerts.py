"""What the SLA sweep reads and claims: a case as a plain row, and one alert moment that has come."""

from dataclasses import dataclass, fields
from datetime import datetime
from functools import cached_property

from cases.models import SLAAlert, format_reference
from cases.templatetags.moments import moment


@dataclass(slots=True)
class SweptCase:
    """A case as the sweep reads it: its clocks, what its alerts record and what the digests show,
    under the field names of `RecoveryCase`, so `cases.sla.clock` reads it as it reads a case. A plain row
    rather than a model instance: building a sweep's instances took longer than the query that read
    them (bench/sweep)."""

    pk: int
    title: str
    severity: str
    stage: str
    owner_id: int | None
    reopen_count: int
    escalation_level: int
    on_hold_since: datetime | None
    sla_started_at: datetime
    sla_due_at: datetime | None
    sla_warn_at: datetime | None
    acknowledged_at: datetime | None
    apologized_at: datetime | None
    resolved_at: datetime | None
    acknowledge_due_at: datetime | None
    apologize_due_at: datetime | None
    resolve_due_at: datetime | None
    follow_up_due_at: datetime | None
    team_id: int | None  # a team's business calendar replaces the policy's (`clock.policy_of`)

    @property
    def reference(self) -> str:
        return format_reference(self.pk)


SWEPT_FIELDS = tuple(field.name for field in fields(SweptCase))


@dataclass
class Alert:
    """An alert moment that has come: `level` of `target` on `case`. `pk` is its `SLAAlert` row, set
    when this sweep claims it."""

    case: SweptCase
    target: str
    level: int
    moment: datetime
    due_at: datetime
    pk: int | None = None

    @cached_property
    def headline(self) -> str:
        """Worded once for the timeline and the digest: formatting the due moment is not free."""
        target = self.target.replace("_", " ")
        if self.level == SLAAlert.Level.WARNING:
            return f"SLA warning: {target} due {moment(self.due_at, zone=True)}"
        if self.level == SLAAlert.Level.BREACHED:
            return f"SLA breached: {target} was due {moment(self.due_at, zone=True)}"
        return f"Escalated: {target} overdue by twice its target"
