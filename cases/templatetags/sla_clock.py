"""`{% sla_clock case now as clock %}`: a case's running SLA target as a row shows it, a state (for the
colour class) and a word with the time left or overdue, so colour never carries meaning alone.

`{% case_rows cases now user as rows %}`: what each row of a case table shows, as plain dicts. The
template language looks a name up in a dict first: on a model instance or a dataclass that lookup
fails with an exception before the attribute is tried, and a table of fifty rows made some 1,500 such
lookups, most of the queue page's rendering time."""

from dataclasses import dataclass
from datetime import datetime

from django import template
from django.utils.translation import gettext as _

from cases.models import RecoveryCase, Severity, SLAState, Stage
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
        return Clock(state, _("Paused"))
    if due is None:
        return Clock("none", _("No target running"))
    if state == SLAState.BREACHED:
        return Clock(state, _("Breached %(duration)s ago") % {"duration": duration(now - due)}, due)
    if state == SLAState.AT_RISK:
        return Clock(state, _("At risk: due in %(duration)s") % {"duration": duration(due - now)}, due)
    return Clock(state, _("On track: due in %(duration)s") % {"duration": duration(due - now)}, due)


@register.simple_tag
def case_rows(cases, now: datetime, user) -> list[dict]:
    """A dict per case with what `case_table.html` shows of it. The words every row repeats are
    translated once per table (`words`), not once per row: `get_FOO_display` hashes every choice's lazy
    label on each call, and fifty rows of translate tags made a thousand catalogue lookups a page."""
    severities = {value: str(label) for value, label in Severity.choices}
    stages = {value: str(label) for value, label in Stage.choices}
    words = {
        "customer": _("Customer"),
        "stage": _("Stage"),
        "owner": _("Owner"),
        "new": _("New"),
        "since_you_looked": _("since you last looked"),
        "unhappy": _("Customer unhappy"),
        "repeat": _("Repeat"),
    }
    rows = []
    for case in cases:
        clock = sla_clock(case, now)
        rows.append(
            {
                "reference": case.reference,
                "select_label": _("Select %(reference)s") % {"reference": case.reference},
                "customer": case.customer.display_name,
                "title": case.title,
                "unhappy": case.customer_unhappy_at is not None,
                "repeat": case.is_repeat,
                "severity": case.severity,
                "severity_label": severities.get(case.severity, case.severity),
                "stage_label": stages.get(case.stage, case.stage),
                "sla_state": clock.state,
                "sla_label": clock.label,
                "sla_iso": clock.iso,
                "sla_title": _("Due %(due)s") % {"due": clock.exact} if clock.due_at else "",
                "owner": _owner(case, user),
                "unassigned": case.owner_id is None,
                "created_at": case.created_at,
                "words": words,
            }
        )
    return rows


def _owner(case: RecoveryCase, user) -> str:
    if case.owner_id is None:
        return _("Unassigned")
    if case.owner_id == user.pk:
        return _("You")
    return actor_name(case.owner)
