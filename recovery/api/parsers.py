"""The one JSON parser of every API endpoint: what PostgreSQL and Python can hold, or a clear 4xx.

Refused before anything is stored, each with a message naming the problem:
- a body over the endpoint's limit (413), judged on the declared length and on what is read;
- nesting deeper than MAX_DEPTH, measured on the text before `json` or DRF recurse into it (a
  RecursionError at a few hundred levels was a 500);
- numbers JSON allows but jsonb refuses (`1e400` overflows to Infinity) and NaN/Infinity literals;
- U+0000 or a lone surrogate anywhere in a string or key (`recovery.parsing.unreadable`), judged on
  what the body decodes to in its declared charset: `\u0000` in UTF-16 is no `\u0000` in bytes.
"""

import json
import math
import re

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

from recovery.errors import InvalidInput
from recovery.parsing import unreadable_in, whole_number

MAX_DEPTH = 32

# A JSON string literal, so brackets inside strings are not counted as nesting.
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]")


class BodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "body_too_large"


class BoundedJSONParser(JSONParser):
    """JSONParser with the limits above. A view may set `max_body_bytes`; the default is
    `MEND_MAX_BODY_BYTES` (64 KiB), the limit workspace forms keep too (`recovery.text_limit`).

    Django's DATA_UPLOAD_MAX_MEMORY_SIZE only guards `request.body` and form parsing; DRF reads the
    stream itself, so the size limit is enforced here.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        limit = _limit(parser_context)
        # The declared length refuses a large body unread; the bounded read catches one that lies.
        if _declared_length(parser_context) > limit or len(body := stream.read(limit + 1)) > limit:
            raise BodyTooLarge(f"The request body is larger than {limit} bytes.")
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = body.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        if _depth(text) > MAX_DEPTH:
            raise ParseError(f"JSON nested deeper than {MAX_DEPTH} levels.")
        try:
            data = json.loads(text, parse_float=_finite, parse_constant=_no_constant)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        if found := unreadable_in(data):
            raise ParseError(_per_field(*found))
        return data


def _per_field(path: tuple[str, ...], problem: str) -> dict:
    """The API's body for a refused field (`recovery.api.errors`): the message under its field (nested
    as the serializers nest theirs), and as `detail`."""
    body: dict = {}
    errors: object = [problem]
    for key in reversed(path):
        errors = {key: errors}
    if isinstance(errors, dict):
        body.update(errors)
    return {**body, "detail": problem}


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"number {text[:40]} is out of range")
    return number


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _depth(body: str) -> int:
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", body))
    depth = deepest = 0
    for bracket in brackets:
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _limit(parser_context: dict | None) -> int:
    view = (parser_context or {}).get("view")
    return getattr(view, "max_body_bytes", None) or settings.MEND_MAX_BODY_BYTES


def _declared_length(parser_context: dict | None) -> int:
    request = (parser_context or {}).get("request")
    declared = request.META.get("CONTENT_LENGTH", "") if request is not None else ""
    return whole_number(declared) or 0


def json_object(request) -> dict:
    """The request's parsed body, which must be one JSON object: a list or a bare value is refused."""
    if not isinstance(request.data, dict):
        raise InvalidInput("Send a JSON object.")
    return dict(request.data)
