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
from django.utils import formats, timezone
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def duration(delta: timedelta | None) -> str:
    """The length of `delta`, whatever its sign, in the active language."""
    if delta is None:
        return ""
    minutes = int(abs(delta).total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        if hours:
            return _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
        return _("%(days)s d") % {"days": days}
    if hours:
        if minutes:
            return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
        return _("%(hours)s h") % {"hours": hours}
    return _("%(minutes)s min") % {"minutes": minutes} if minutes else _("under 1 min")


@register.filter
def moment(value: datetime | None, zone: bool = False) -> str:
    """`value` in the active time zone, in the active language's format; `{{ value|moment:True }}`
    names the zone too."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    text = formats.date_format(local, "DATETIME_FORMAT")
    return f"{text} {local.tzname()}" if zone else text


@register.filter
def ago(value: datetime | None) -> str:
    """`1 h 15 min ago`, `just now`, or `in 5 min` for a moment still ahead."""
    if value is None:
        return ""
    delta = timezone.now() - value
    if abs(delta) < timedelta(minutes=1):
        return _("just now")
    if delta > timedelta(0):
        return _("%(duration)s ago") % {"duration": duration(delta)}
    return _("in %(duration)s") % {"duration": duration(delta)}


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
    if delta > timedelta(0):
        return _("due in %(duration)s") % {"duration": duration(delta)}
    return _("%(duration)s over") % {"duration": duration(delta)}


@register.filter
def day(value: date | datetime | None) -> str:
    """The date part of `moment`: `6 Dec 2026`, for what happened on a day rather than at a minute.
    A date (a report's period, a rate's day) is written as it is; a moment in the active time zone."""
    if value is None:
        return ""
    local = timezone.localtime(value) if isinstance(value, datetime) else value
    return formats.date_format(local, "DATE_FORMAT")


@register.filter
def clock(value: datetime | None) -> str:
    """The time part of `moment`: `04:22`, for a moment of today (a page's refresh, an "as of")."""
    if value is None:
        return ""
    return formats.time_format(timezone.localtime(value), "TIME_FORMAT")
