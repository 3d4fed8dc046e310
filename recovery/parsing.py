"""Reading values from text that came from outside: one place, so every door refuses the same way.

`str.isdigit()` is true for `²` and `٣`, which `int()` then refuses or PostgreSQL cannot compare: a 500
from a query string. Only ASCII digits are numbers here.
"""

from datetime import datetime, timedelta

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


def has_null_character(text: str) -> bool:
    """PostgreSQL text and jsonb cannot hold U+0000."""
    return "\x00" in text
