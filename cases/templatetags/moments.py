"""The one way Mend writes a length of time and a moment, for templates (`{% load moments %}`) and for
Python (emails, timeline sentences, the queue's SLA word), so an agent reads one spelling everywhere:

- a duration: `2 d 4 h`, `1 h 15 min`, `5 min`, `under 1 min` (the two largest units: what a glance needs);
- a moment: `6 Dec 2026, 04:22` in the active time zone (the user's, `settings.TIME_ZONE` unless a
  view activates another), with ` UTC` (the zone's name) added where the reader may be elsewhere, as
  in an email.

`ago` and `countdown` are sentences around a duration. The case screen's countdown is refreshed by the
server (`cases/<ref>/sla/`), so no script spells a duration its own way.
"""

from datetime import date, datetime, timedelta

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def duration(delta: timedelta | None) -> str:
    """The length of `delta`, whatever its sign."""
    if delta is None:
        return ""
    minutes = int(abs(delta).total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min" if minutes else "under 1 min"


@register.filter
def moment(value: datetime | None, zone: bool = False) -> str:
    """`value` in the active time zone; `{{ value|moment:True }}` names the zone too."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    text = f"{local.day} {local:%b %Y, %H:%M}"
    return f"{text} {local.tzname()}" if zone else text


@register.filter
def ago(value: datetime | None) -> str:
    """`1 h 15 min ago`, `just now`, or `in 5 min` for a moment still ahead."""
    if value is None:
        return ""
    delta = timezone.now() - value
    if abs(delta) < timedelta(minutes=1):
        return "just now"
    return f"{duration(delta)} ago" if delta > timedelta(0) else f"in {duration(delta)}"


@register.filter
def since(value: datetime | None) -> str:
    """How long ago `value` was, as a bare duration: what a "Waiting" column shows."""
    return "" if value is None else duration(timezone.now() - value)


@register.filter
def countdown(due: datetime | None) -> str:
    """`due in 1 h 15 min`, or `1 h 15 min over` once `due` has passed."""
    if due is None:
        return ""
    delta = due - timezone.now()
    return f"due in {duration(delta)}" if delta > timedelta(0) else f"{duration(delta)} over"


@register.filter
def day(value: date | datetime | None) -> str:
    """The date part of `moment`: `6 Dec 2026`, for what happened on a day rather than at a minute.
    A date (a report's period, a rate's day) is written as it is; a moment in the active time zone."""
    if value is None:
        return ""
    local = timezone.localtime(value) if isinstance(value, datetime) else value
    return f"{local.day} {local:%b %Y}"


@register.filter
def clock(value: datetime | None) -> str:
    """The time part of `moment`: `04:22`, for a moment of today (a page's refresh, an "as of")."""
    if value is None:
        return ""
    return f"{timezone.localtime(value):%H:%M}"
