"""Response templates: the texts agents start from. Managers write them; anyone working a case fills one in.

A body names only `{customer_name}`, `{reference}` and `{agent_name}`. Anything else in braces is
refused when the template is saved, so filling one in never fails and never leaks a stray brace.

A template's `body` is in the organisation's language (settings.LANGUAGE_CODE); `variants` hold it in
Mend's other languages. Inserting one picks the customer's language (`for_customer`); where that
variant is missing the agent is told so, and the text offered is the organisation's, marked as such.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from cases.models import RecoveryCase, ResponseTemplate
from recovery.errors import InvalidInput, NotPermitted
from recovery.languages.services import customer_language, default_language, language_name
from recovery.roles import is_manager

PLACEHOLDERS = ("customer_name", "reference", "agent_name")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def create(
    *, actor, kind: str, name: str, body: str, variants: dict[str, str] | None = None
) -> ResponseTemplate:
    return _save(ResponseTemplate(), actor=actor, kind=kind, name=name, body=body, variants=variants)


def update(
    *, template_id: int, actor, kind: str, name: str, body: str, variants: dict[str, str] | None = None
) -> ResponseTemplate:
    template = ResponseTemplate.objects.get(pk=template_id)
    return _save(template, actor=actor, kind=kind, name=name, body=body, variants=variants)


def variant_languages() -> list[str]:
    """The languages a template may have a variant in: Mend's, less the organisation's own."""
    return [code for code, _name in settings.LANGUAGES if code != default_language()]


def text_in(template: ResponseTemplate, language: str) -> str | None:
    """The template's text in `language`, or None when it has no variant in it."""
    if language == default_language():
        return template.body
    return (template.variants or {}).get(language) or None


def fill(template: ResponseTemplate, *, case: RecoveryCase, agent, language: str | None = None) -> str:
    """The template's body for this case, as `agent` would send it: in `language` where the template has
    it, else in the organisation's language."""
    text = text_in(template, language) if language else None
    with translation.override(language if text else default_language()):
        nameless = _("customer")  # in the language of the text it goes into
    values = {
        "customer_name": case.customer.name or nameless,
        "reference": case.reference,
        "agent_name": agent.get_full_name() or agent.get_username(),
    }
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text or template.body)


@dataclass(frozen=True)
class Insertable:
    """A template as the case form offers it: in the customer's language, or flagged as missing it."""

    name: str
    text: str
    language: str  # the customer's language
    missing: bool  # no variant in it: `text` is the organisation's language

    @property
    def language_name(self) -> str:
        return language_name(self.language)


def for_customer(template: ResponseTemplate, *, case: RecoveryCase, agent) -> Insertable:
    language = customer_language(case.customer)
    missing = text_in(template, language) is None
    return Insertable(
        template.name, fill(template, case=case, agent=agent, language=language), language, missing
    )


def _save(
    template: ResponseTemplate, *, actor, kind: str, name: str, body: str, variants: dict[str, str] | None
) -> ResponseTemplate:
    if not is_manager(actor):
        raise NotPermitted(_("Only managers write response templates."))
    template.kind, template.name, template.body = kind, (name or "").strip(), (body or "").strip()
    if template.kind not in ResponseTemplate.Kind.values:
        raise InvalidInput(
            _("Kind is one of %(kinds)s.") % {"kinds": ", ".join(ResponseTemplate.Kind.values)}, field="kind"
        )
    if not template.name:
        raise InvalidInput(_("A template needs a name."), field="name")
    if not template.body:
        raise InvalidInput(_("A template needs a text."), field="body")
    check_placeholders(template.body, field="body")
    if variants is not None:
        template.variants = _clean_variants(variants)
    template.updated_by = actor
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError:
        raise InvalidInput(
            _("Another %(kind)s template is already named '%(name)s'.")
            % {"kind": template.get_kind_display().lower(), "name": template.name},
            field="name",
        ) from None
    return template


def _clean_variants(variants: dict[str, str]) -> dict[str, str]:
    """The variants worth keeping (blank ones dropped), each checked like the body."""
    allowed = variant_languages()
    cleaned = {}
    for language, text in variants.items():
        if language not in allowed:
            raise InvalidInput(
                _("Variants are in %(languages)s.") % {"languages": ", ".join(allowed)}, field="variants"
            )
        text = (text or "").strip()
        if text:
            check_placeholders(text, field=f"body_{language}")
            cleaned[language] = text
    return cleaned


def check_placeholders(text: str, *, field: str) -> None:
    """Refuse a text naming anything in braces but the placeholders, so filling it never fails."""
    unknown = [name for name in _PLACEHOLDER.findall(text) if name not in PLACEHOLDERS]
    if unknown:
        allowed = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
        raise InvalidInput(
            _("{%(unknown)s} is not a placeholder; use %(allowed)s.")
            % {"unknown": unknown[0], "allowed": allowed},
            field=field,
        )
