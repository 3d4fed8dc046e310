"""Which language Mend speaks to whom, in one place.

An agent reads the workspace in the language they chose (stored in `AgentPreferences`, copied into the
session when they sign in), else the one their browser asks for. A customer is written to in
`Customer.language` when Mend speaks it (or its base language: "es-MX" is written to in Spanish), else in
the organisation's default, settings.LANGUAGE_CODE. Everything that renders words for a customer does so
inside `speaking(customer)`.
"""

import re
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from recovery.errors import InvalidInput
from recovery.languages.models import AgentPreferences

# The session keys the middleware reads, so a request costs no query for the agent's preferences.
SESSION_LANGUAGE = "mend_language"
SESSION_TIME_ZONE = "mend_time_zone"

# RFC 5646 "langtag" (well-formed, not registry-checked): language[-extlang][-script][-region]
# (-variant)*(-extension)*[-privateuse], or a private-use tag alone. Case-insensitive. The language is
# 2 or 3 letters: the 4-letter form is reserved and no 5-8 letter one is registered, so "spanish" is
# refused rather than stored as a tag no one can use.
_BCP47 = re.compile(
    r"""^(?:
        (?P<language>[a-z]{2,3}(?:-[a-z]{3}){0,3})
        (?:-(?P<script>[a-z]{4}))?
        (?:-(?P<region>[a-z]{2}|[0-9]{3}))?
        (?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*
        (?:-[0-9a-wy-z](?:-[a-z0-9]{2,8})+)*
        (?:-x(?:-[a-z0-9]{1,8})+)?
      |x(?:-[a-z0-9]{1,8})+
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
MAX_TAG_LENGTH = 35


def normalise_tag(value: Any, *, field: str = "language") -> str:
    """A BCP 47 language tag in its conventional case ("pt-BR", "zh-Hant-TW"); "" for none.

    Raises InvalidInput naming `field` for anything that is not a well-formed tag.
    """
    if value is None or value == "":
        return ""
    text = value.strip() if isinstance(value, str) else None
    match = _BCP47.match(text) if text and len(text) <= MAX_TAG_LENGTH else None
    if text is None or match is None:
        raise InvalidInput(
            _("Give a BCP 47 language tag such as “en”, “de” or “es-MX”."),
            field=field,
        )
    parts = text.replace("_", "-").split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha() and len(out) >= 1:
            out.append(part.title())
        elif len(part) == 2 and part.isalpha():
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


def supported(tag: str) -> str | None:
    """The language of settings.LANGUAGES that `tag` is written in ("es-MX" -> "es"), or None."""
    if not tag:
        return None
    try:
        return translation.get_supported_language_variant(tag.lower())
    except LookupError:
        return None


def default_language() -> str:
    return supported(settings.LANGUAGE_CODE) or settings.LANGUAGE_CODE


def customer_language(customer: Any) -> str:
    """The language an email or page for this customer is written in."""
    return supported(getattr(customer, "language", "") or "") or default_language()


def language_name(code: str) -> str:
    """The language's own name ("Deutsch", "Español"): what a speaker of it recognises."""
    return translation.get_language_info(code)["name_local"]


@contextmanager
def speaking(customer: Any) -> Iterator[str]:
    """Render inside this to write to `customer` in their language; yields the language code."""
    language = customer_language(customer)
    with translation.override(language):
        yield language


@cache
def time_zones() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


def save_preferences(*, user: Any, language: str, time_zone: str) -> AgentPreferences:
    """Remember the agent's language and time zone ("" for either: follow the browser / Mend's default)."""
    language = (language or "").strip()
    time_zone = (time_zone or "").strip()
    if language and language not in dict(settings.LANGUAGES):
        raise InvalidInput(_("Choose one of the languages listed."), field="language")
    if time_zone and time_zone not in time_zones():
        raise InvalidInput(_("Choose one of the time zones listed."), field="time_zone")
    preferences, _created = AgentPreferences.objects.update_or_create(
        user=user, defaults={"language": language, "time_zone": time_zone}
    )
    return preferences


def preferences_of(user: Any) -> AgentPreferences | None:
    return AgentPreferences.objects.filter(user=user).first()


def remember_in_session(session: Any, preferences: AgentPreferences | None) -> None:
    """Copy the agent's choices into their session, where the middleware finds them without a query."""
    for key, value in (
        (SESSION_LANGUAGE, preferences.language if preferences else ""),
        (SESSION_TIME_ZONE, preferences.time_zone if preferences else ""),
    ):
        if value:
            session[key] = value
        else:
            session.pop(key, None)
