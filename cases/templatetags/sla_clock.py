"""`{% sla_clock case now as clock %}`: a case's running SLA target as a row shows it, a state (for the
colour class) and a word with the time left or overdue, so colour never carries meaning alone.

`{% case_rows cases now user as rows %}`: what each row of a case table shows, as plain dicts. The
template language looks a name up in a dict first: on a model instance or a dataclass that lookup
fails with an exception before the attribute is tried, and a table of fifty rows made some 1,500 such
lookups, most of the queue page's rendering time."""

from dataclasses import dataclass
from datetime import datetime

from django import template

from cases.models import RecoveryCase, SLAState
from cases.sla import clock as sla
from cases.templatetags.moments import duration, moment
from cases.views.timeline import actor_name

register = template.Library()


@dataclass(frozen=True)
class Clock:
    state: str  # an SLAState value, or "none" when no target runs
    label: str
    due_at: datetime | None = None

    # Formatted here rather than with the `date` filter: a page has fifty of them, and the filter is slow.
    @property
    def iso(self) -> str:
        return self.due_at.isoformat() if self.due_at else ""

    @property
    def exact(self) -> str:
        return moment(self.due_at)


@register.simple_tag
def sla_clock(case: RecoveryCase, now: datetime) -> Clock:
    state = sla.sla_state(case, now=now)
    due = case.sla_due_at
    if state == SLAState.PAUSED:
        return Clock(state, "Paused")
    if due is None:
        return Clock("none", "No target running")
    if state == SLAState.BREACHED:
        return Clock(state, f"Breached {duration(now - due)} ago", due)
    word = "At risk: due in" if state == SLAState.AT_RISK else "On track: due in"
    return Clock(state, f"{word} {duration(due - now)}", due)


@register.simple_tag
def case_rows(cases, now: datetime, user) -> list[dict]:
    """A dict per case with what `case_table.html` shows of it."""
    rows = []
    for case in cases:
        clock = sla_clock(case, now)
        customer = case.customer
        rows.append(
            {
                "reference": case.reference,
                "customer": customer.name or customer.external_id,
                "title": case.title,
                "unhappy": case.customer_unhappy_at is not None,
                "repeat": case.is_repeat,
                "severity": case.severity,
                "severity_label": case.get_severity_display(),
                "stage_label": case.get_stage_display(),
                "sla_state": clock.state,
                "sla_label": clock.label,
                "sla_iso": clock.iso,
                "sla_exact": clock.exact,
                "owner": _owner(case, user),
                "unassigned": case.owner_id is None,
                "created_at": case.created_at,
            }
        )
    return rows


def _owner(case: RecoveryCase, user) -> str:
    if case.owner_id is None:
        return "Unassigned"
    if case.owner_id == user.pk:
        return "You"
    return actor_name(case.owner)
