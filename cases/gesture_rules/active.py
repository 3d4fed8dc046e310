"""The active rules' conditions, kept per process for a moment: triage reads them on every new case.

A cache at most `CACHE_SECONDS` old, like the webhooks' subscriptions: a rule made or changed in another
process applies to new cases a moment later, and one turned off or deleted is dropped when triage
locks it (`automatic.grant_for_new_case` matches again on the locked row), so staleness never grants.
"""

import time
from typing import Any

from cases.gesture_rules.models import GestureRule

CACHE_SECONDS = 2.0
_cache: tuple[float, list[tuple[int, dict[str, Any]]]] | None = None


def forget() -> None:
    """Read the rules afresh on the next case (a rule changed in this process)."""
    global _cache
    _cache = None


def conditions() -> list[tuple[int, dict[str, Any]]]:
    """(id, conditions) of every active rule, by id."""
    global _cache
    now = time.monotonic()
    if _cache is None or now - _cache[0] > CACHE_SECONDS:
        rows = GestureRule.objects.filter(active=True).order_by("pk").values_list("pk", "conditions")
        _cache = (now, list(rows))
    return _cache[1]
