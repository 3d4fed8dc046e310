"""Small helpers of the case screen's markup. Times are written by `moments` (one spelling)."""

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def email_breaks(address: str) -> SafeString:
    """An email address that a narrow panel wraps before its `@` or a dot, never inside a word."""
    escaped = escape(address or "")
    return mark_safe(escaped.replace("@", "<wbr>@").replace(".", "<wbr>."))  # escaped above
