"""Times as an agent reads them: "5 min ago", "due in 3 h 02 min", "2 h 10 min over"."""

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _span(delta: timedelta) -> str:
    minutes = int(abs(delta).total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min"


@register.filter
def ago(moment: datetime | None) -> str:
    if moment is None:
        return ""
    delta = timezone.now() - moment
    if delta < timedelta(minutes=1):
        return "just now"
    return f"{_span(delta)} ago" if delta > timedelta(0) else f"in {_span(delta)}"


@register.filter
def countdown(due: datetime | None) -> str:
    """How long until `due`, or how long past it."""
    if due is None:
        return ""
    delta = due - timezone.now()
    return f"due in {_span(delta)}" if delta > timedelta(0) else f"{_span(delta)} over"


@register.filter
def email_breaks(address: str) -> SafeString:
    """An email address that a narrow panel wraps before its `@` or a dot, never inside a word."""
    escaped = escape(address or "")
    return mark_safe(escaped.replace("@", "<wbr>@").replace(".", "<wbr>."))  # escaped above
