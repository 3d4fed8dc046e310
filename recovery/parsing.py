"""Reading values from text that came from outside: one place, so every door refuses the same way.

`str.isdigit()` is true for `²` and `٣`, which `int()` then refuses or PostgreSQL cannot compare: a 500
from a query string. Only ASCII digits are numbers here, and decimals are plain ASCII notation (`1e400`
overflows `quantize`). Text holding U+0000 or a lone surrogate is refused wherever it comes in: every
query parameter and form field (`ReadableInputMiddleware`) and every JSON string and key
(`recovery.api.parsers`), so no view needs its own check.
"""

import re
from datetime import datetime, timedelta
from decimal import Decimal

from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.html import escape
from django_guid import get_guid

# PostgreSQL's bigint holds 19 digits; 18 keeps every accepted number inside it.
MAX_DIGITS = 18
# PostgreSQL refuses a UTC offset beyond ±15:59 ("time zone displacement out of range").
MAX_UTC_OFFSET = timedelta(hours=15, minutes=59)


def whole_number(text) -> int | None:
    """The non-negative integer `text` spells in ASCII digits (at most MAX_DIGITS), else None."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text if 0 <= text < 10**MAX_DIGITS else None
    text = str(text).strip() if text is not None else ""
    if not (0 < len(text) <= MAX_DIGITS and text.isascii() and text.isdecimal()):
        return None
    return int(text)


def has_storable_offset(moment: datetime) -> bool:
    """False for a moment whose UTC offset PostgreSQL cannot store (Python allows up to ±23:59)."""
    offset = moment.utcoffset()
    return offset is None or abs(offset) <= MAX_UTC_OFFSET


NUL_MESSAGE = "Null characters (\\u0000) are not allowed in text."


def unreadable(text: str) -> str | None:
    """Why `text` cannot be stored or compared (PostgreSQL refuses U+0000; UTF-8 cannot encode a lone
    surrogate, which JSON's `\\ud800` escape produces), or None when it can."""
    if "\x00" in text:
        return NUL_MESSAGE
    try:
        text.encode()
    except UnicodeEncodeError as error:
        # DRF's words for it, which API clients already met on text fields.
        return f"Surrogate characters are not allowed: U+{ord(text[error.start]):X}."
    return None


def unreadable_in(value, path: tuple[str, ...] = ()) -> tuple[tuple[str, ...], str] | None:
    """`unreadable` for every string of a decoded JSON value, keys included: (where, why) of the first
    refused one, `where` being the keys down to it (to the object holding a refused key, to a list
    holding a refused item), or None when all are fine."""
    if isinstance(value, str):
        problem = unreadable(value)
        return (path, problem) if problem else None
    if isinstance(value, dict):
        for key, item in value.items():
            if problem := unreadable(key):
                return path, problem
            if found := unreadable_in(item, (*path, key)):
                return found
    elif isinstance(value, list):
        for item in value:
            if found := unreadable_in(item, path):
                return found
    return None


# Plain notation only: `1e400` is a decimal to Python (and overflows `quantize`), `٣` a digit to
# `Decimal`. Neither is how anyone writes an amount.
_DECIMAL = re.compile(rf"[+-]?[0-9]{{1,{MAX_DIGITS}}}(?:\.[0-9]{{1,{MAX_DIGITS}}})?")


def decimal_number(text) -> Decimal | None:
    """The decimal `text` spells in ASCII digits with an optional sign and point (at most MAX_DIGITS
    before and after it), else None. A Decimal is taken as it is when finite and that short."""
    if isinstance(text, Decimal):
        return text if text.is_finite() and abs(text.adjusted()) < MAX_DIGITS else None
    if not isinstance(text, str):
        return None
    text = text.strip()
    return Decimal(text) if _DECIMAL.fullmatch(text) else None


class ReadableInputMiddleware:
    """The one door every query parameter and form field passes, HTML and API alike: a name or value
    that `unreadable` refuses is a 400 naming the parameter, before any view reads it. (Values are
    read as ASCII numbers and ids where they are parsed: `whole_number`, `decimal_number` and the
    fields of `recovery.filter_fields`; JSON bodies are checked by `recovery.api.parsers`.)

    Runs as a view hook after the sign-in check, so an anonymous visitor is still sent to sign in.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # request.POST is read only where the CSRF check has read it already: a view exempt from that
        # check reads its own body (the API's JSON parser, a mail provider's webhook, which needs the
        # raw stream), and reading the form here would consume it.
        forms = request.method == "POST" and not getattr(view_func, "csrf_exempt", False)
        for source in (request.GET, request.POST) if forms else (request.GET,):
            for name, values in source.lists():
                problem = unreadable(name) or next(filter(None, map(unreadable, values)), None)
                if problem:
                    return _refusal(request, name, problem)
        return None


def _refusal(request, name: str, problem: str) -> HttpResponse:
    # The name is shown as Python writes it, so a NUL in it reads as \x00.
    shown = repr(name) if unreadable(name) else f"'{name}'"
    message = f"{shown}: {problem}"
    if request.path.startswith("/api/"):
        # The API's shape of a refused field (`recovery.api.errors`): its name, then the message.
        body = {name: [problem], "detail": message, "request_id": get_guid()}
        return JsonResponse(body, status=400)
    return HttpResponseBadRequest(
        f"<!doctype html><title>Bad request</title><h1>Bad request</h1><p>{escape(message)}</p>"
    )
