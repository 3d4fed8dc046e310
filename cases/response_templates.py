"""Response templates: the texts agents start from. Managers write them; anyone working a case fills one in.

A body names only `{customer_name}`, `{reference}` and `{agent_name}`. Anything else in braces is
refused when the template is saved, so filling one in never fails and never leaks a stray brace.
"""

import re

from django.db import IntegrityError, transaction

from cases.models import RecoveryCase, ResponseTemplate
from recovery.errors import InvalidInput, NotPermitted
from recovery.roles import is_manager

PLACEHOLDERS = ("customer_name", "reference", "agent_name")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def create(*, actor, kind: str, name: str, body: str) -> ResponseTemplate:
    return _save(ResponseTemplate(), actor=actor, kind=kind, name=name, body=body)


def update(*, template_id: int, actor, kind: str, name: str, body: str) -> ResponseTemplate:
    template = ResponseTemplate.objects.get(pk=template_id)
    return _save(template, actor=actor, kind=kind, name=name, body=body)


def fill(template: ResponseTemplate, *, case: RecoveryCase, agent) -> str:
    """The template's body for this case, as `agent` would send it."""
    values = {
        "customer_name": case.customer.name or "customer",
        "reference": case.reference,
        "agent_name": agent.get_full_name() or agent.get_username(),
    }
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), template.body)


def check_placeholders(body: str, *, field: str) -> None:
    """Refuse a text naming anything in braces but the placeholders, so filling it never fails."""
    unknown = [name for name in _PLACEHOLDER.findall(body) if name not in PLACEHOLDERS]
    if unknown:
        allowed = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
        raise InvalidInput(f"{{{unknown[0]}}} is not a placeholder; use {allowed}.", field=field)


def _save(template: ResponseTemplate, *, actor, kind: str, name: str, body: str) -> ResponseTemplate:
    if not is_manager(actor):
        raise NotPermitted("Only managers write response templates.")
    template.kind, template.name, template.body = kind, (name or "").strip(), (body or "").strip()
    if template.kind not in ResponseTemplate.Kind.values:
        raise InvalidInput(f"Kind is one of {', '.join(ResponseTemplate.Kind.values)}.", field="kind")
    if not template.name:
        raise InvalidInput("A template needs a name.", field="name")
    if not template.body:
        raise InvalidInput("A template needs a text.", field="body")
    check_placeholders(template.body, field="body")
    template.updated_by = actor
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError:
        raise InvalidInput(
            f"Another {template.get_kind_display().lower()} template is already named '{template.name}'.",
            field="name",
        ) from None
    return template
