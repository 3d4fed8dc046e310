"""`Idempotency-Key` semantics shared by feedback intake and the case API (IETF
draft-ietf-httpapi-idempotency-key-header): scoped to the client, the same body replays the stored
answer with `Idempotent-Replayed: true`, a different body is refused (422), a request still in flight
is waited for (PostgreSQL) or refused (409), and a key is released after the window."""

import hashlib
import json
from datetime import timedelta

from django.conf import settings

from recovery.errors import Conflict, IdempotencyKeyReused, InvalidInput

KEY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255


def check_key(key: str | None) -> None:
    if key is None:
        return
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable():
        raise InvalidInput(f"{KEY_HEADER} is 1 to {MAX_KEY_LENGTH} printable characters.", field=KEY_HEADER)


def fingerprint(value) -> str:
    """sha256 of the canonical JSON of `value`: key order and spacing do not make two bodies differ."""
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def window() -> timedelta:
    return timedelta(hours=settings.MEND_INTAKE_IDEMPOTENCY_HOURS)


def reused_with_another_body() -> IdempotencyKeyReused:
    return IdempotencyKeyReused(
        f"This {KEY_HEADER} was already used with a different request body. "
        "Send the same body to get the original answer, or use a new key."
    )


def in_flight() -> Conflict:
    return Conflict(f"Another request is reusing this {KEY_HEADER} right now. Retry it in a moment.")
