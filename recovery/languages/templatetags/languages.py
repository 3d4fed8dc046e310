from django import template
from django.utils import translation

from recovery.languages.services import customer_language, language_name

register = template.Library()


@register.filter
def writes_in(customer) -> str:
    """The name of the language Mend writes to `customer` in ("Español")."""
    return language_name(customer_language(customer))


@register.filter
def language_label(code: str) -> str:
    """A language tag as a reader knows it ("es" -> "Spanish" in English), else the tag itself."""
    try:
        return translation.get_language_info(code.split("-")[0].lower())["name_translated"]
    except KeyError:
        return code
