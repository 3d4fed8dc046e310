"""Conditions on a piece of feedback, shared by every rule that reacts to one: routing rules (teams),
automatic gesture rules and root causes' recurrence rules.

A condition set maps keys to lists of accepted values. A list accepts a fact when any of its values
matches; a set accepts feedback when every key in it does. Values compare without regard to case.
`words` accepts a comment containing any of its words or phrases as whole words. The keys a kind of
rule may use are its own; `validate` refuses the others, and an empty set, with a message naming them.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError

LIST_KEYS = ("touchpoint", "channel", "severity", "segment")
WORDS = "words"


@dataclass(frozen=True)
class FeedbackFacts:
    """What a rule may look at: the feedback, its customer's segment, and the case's severity."""

    touchpoint: str = ""
    channel: str = ""
    severity: str = ""
    segment: str = ""
    comment: str = ""
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, feedback, *, severity: str = "") -> "FeedbackFacts":
        """The facts of a saved or unsaved `Feedback` whose customer is loaded."""
        return cls(
            touchpoint=feedback.touchpoint,
            channel=feedback.channel,
            severity=severity,
            segment=feedback.customer.segment if feedback.customer_id else "",
            comment=feedback.comment,
            metadata=feedback.metadata if isinstance(feedback.metadata, dict) else {},
        )


def matches(conditions: Mapping[str, Any], facts: FeedbackFacts) -> bool:
    """Whether `facts` meet every list condition and the `words` condition of `conditions`.

    Keys this module does not know (such as gesture rules' `metadata`) are left to their own matcher.
    """
    for key in LIST_KEYS:
        accepted = conditions.get(key)
        if accepted and getattr(facts, key).casefold() not in {str(value).casefold() for value in accepted}:
            return False
    words = conditions.get(WORDS)
    return not words or contains_any(facts.comment, words)


def contains_any(text: str, words: Iterable[str]) -> bool:
    """Whether `text` holds any of `words` (words or phrases) as whole words, ignoring case."""
    pattern = _words_pattern(tuple(sorted({w.strip().casefold() for w in words if w and w.strip()})))
    return pattern is not None and pattern.search(text) is not None


def validate(conditions: Any, *, allowed: Iterable[str]) -> dict[str, Any]:
    """Check a condition set from a client; return it cleaned (empty lists dropped, strings stripped).

    Raises `ValidationError` naming what is wrong: not an object, a key that is not `allowed`, a list
    condition that is not a list of non-empty strings, or nothing left to match on. Keys of a rule's
    own (gesture rules' `metadata`) pass through unchanged, for that rule to check.
    """
    allowed = tuple(allowed)
    keys = ", ".join(allowed)
    if not isinstance(conditions, dict):
        raise ValidationError(f"Conditions must be an object whose keys are among: {keys}.")
    unknown = ", ".join(map(repr, sorted(set(conditions) - set(allowed))))
    if unknown:
        raise ValidationError(f"Unknown condition {unknown}; the conditions are: {keys}.")
    cleaned: dict[str, Any] = {}
    for key, values in conditions.items():
        if key not in LIST_KEYS and key != WORDS:
            if values:
                cleaned[key] = values
            continue
        if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
            raise ValidationError(f"The condition {key!r} must be a list of non-empty strings.")
        if values:
            cleaned[key] = [v.strip() for v in values]
    if not cleaned:
        raise ValidationError("A rule needs at least one condition; an empty rule would match everything.")
    return cleaned


@lru_cache(maxsize=1024)
def _words_pattern(words: tuple[str, ...]) -> re.Pattern | None:
    if not words:
        return None
    alternatives = "|".join(r"\s+".join(map(re.escape, word.split())) for word in words)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
