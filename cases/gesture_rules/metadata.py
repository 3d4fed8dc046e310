"""Gesture rules' tests on a feedback's metadata: `{"key": "delay_minutes", "op": ">", "value": 180}`.

The list conditions (touchpoint, channel, severity, segment) are `feedback.conditions`'; this module adds
only the metadata operators. Matching never raises: a metadata value of the wrong type for its
operator (`"abc" > 180`, a missing key, `null`) simply does not match, so a rule never breaks intake
and never grants money on a guess. Types are strict: a number is a JSON number (never a boolean, never
a numeric string); texts compare without regard to case, as the list conditions do.

    =, !=        both numbers, both texts or both booleans; any other pair matches neither
    >, >=, <, <= both numbers
    in           equal (as `=`) to one of the rule's list of values
    contains     a text holding the rule's text, or a list holding a value equal (as `=`) to the rule's
"""

import math
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _

OPERATORS = ("=", "!=", ">", ">=", "<", "<=", "in", "contains")
ORDERING = {
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}
MAX_CONDITIONS = 20
KEY_LENGTH = 100


class MetadataConditionError(ValueError):
    """A metadata condition a rule may not keep; the message says which and why."""


def matches(tests: Iterable[Mapping[str, Any]], metadata: Mapping[str, Any]) -> bool:
    """Whether `metadata` passes every test (an empty list passes). Never raises on any metadata."""
    return all(_passes(test, metadata) for test in tests)


def _passes(test: Mapping[str, Any], metadata: Mapping[str, Any]) -> bool:
    if not isinstance(test, Mapping) or not isinstance(metadata, Mapping):
        return False
    key, op, expected = test.get("key"), test.get("op"), test.get("value")
    if not isinstance(key, str) or key not in metadata:
        return False
    fact = metadata[key]
    if op in ORDERING:
        return _is_number(fact) and _is_number(expected) and ORDERING[op](fact, expected)
    if op == "=":
        return _equal(fact, expected) is True
    if op == "!=":
        return _equal(fact, expected) is False
    if op == "in":
        return isinstance(expected, list) and any(_equal(fact, item) is True for item in expected)
    if op == "contains":
        if isinstance(fact, str) and isinstance(expected, str):
            return expected.casefold() in fact.casefold()
        return isinstance(fact, list) and any(_equal(item, expected) is True for item in fact)
    return False  # an operator saved before it was refused: not a reason to stop intake


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _equal(fact: Any, expected: Any) -> bool | None:
    """Equal or not; None when the two are not of one comparable type."""
    if _is_number(fact) and _is_number(expected):
        return fact == expected
    if isinstance(fact, str) and isinstance(expected, str):
        return fact.casefold() == expected.casefold()
    if isinstance(fact, bool) and isinstance(expected, bool):
        return fact == expected
    return None


def _is_scalar(value: Any) -> bool:
    return _is_number(value) or isinstance(value, str | bool)


def validate(tests: Any) -> list[dict[str, Any]]:
    """Check a rule's metadata tests from a client; return them cleaned (keys stripped).

    Raises `MetadataConditionError` naming the test (by its position, from 1) and what is wrong: an
    unknown operator, a value of the wrong type for its operator, a missing or extra part.
    """
    if not isinstance(tests, list):
        raise MetadataConditionError(_('metadata is a list of {"key", "op", "value"} objects.'))
    if len(tests) > MAX_CONDITIONS:
        raise MetadataConditionError(
            _("A rule has at most %(n)d metadata conditions.") % {"n": MAX_CONDITIONS}
        )
    return [_valid_test(test, position) for position, test in enumerate(tests, start=1)]


def _valid_test(test: Any, position: int) -> dict[str, Any]:
    where = _("metadata condition %(n)d") % {"n": position}
    if not isinstance(test, dict) or set(test) != {"key", "op", "value"}:
        raise MetadataConditionError(
            _('%(where)s must be an object with exactly "key", "op" and "value".') % {"where": where}
        )
    key, op, value = test["key"], test["op"], test["value"]
    if not isinstance(key, str) or not key.strip() or len(key.strip()) > KEY_LENGTH:
        raise MetadataConditionError(
            _("%(where)s: the key is a name of 1 to %(n)d characters.") % {"where": where, "n": KEY_LENGTH}
        )
    if op not in OPERATORS:
        raise MetadataConditionError(
            _("%(where)s: unknown operator %(op)s; the operators are %(operators)s.")
            % {"where": where, "op": repr(op), "operators": " ".join(OPERATORS)}
        )
    if op in ORDERING and not _is_number(value):
        raise MetadataConditionError(
            _("%(where)s: %(op)s compares numbers, so its value is a number.") % {"where": where, "op": op}
        )
    if op == "in" and not (isinstance(value, list) and value and all(_is_scalar(item) for item in value)):
        raise MetadataConditionError(
            _("%(where)s: in takes a list of one or more texts, numbers or booleans.") % {"where": where}
        )
    if op in ("=", "!=", "contains") and not _is_scalar(value):
        raise MetadataConditionError(
            _("%(where)s: %(op)s takes a text, a number or a boolean.") % {"where": where, "op": op}
        )
    return {"key": key.strip(), "op": op, "value": value}
