"""`{{ feedback.case_id|reference }}`: a case's reference from its id, without loading the case."""

from django import template

from cases.models import format_reference

register = template.Library()


@register.filter
def reference(case_id: int | None) -> str:
    return format_reference(case_id) if case_id else ""
