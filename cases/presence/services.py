"""Who has a case open, kept in the cache with a short expiry (Redis when configured, the process's
memory on the embedded defaults). Nothing here is stored in the database: presence is worth seconds.

Each open case page says "still here" every `MEND_PRESENCE_POLL_SECONDS`; a person whose page stops
saying it (closed, crashed, offline) drops off after `MEND_PRESENCE_SECONDS` without anyone clearing it.
Per case, one key per person (expiring) and a roster of who was seen (so the cache API alone can find
them, without listing keys). Two pages adding themselves to the roster at once may lose one entry; the
loser's next poll adds it again, so the roster is right within one poll.
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache

from recovery.roles import User

# The roster outlives its people a little, so a quiet case forgets it without a sweep.
ROSTER_LIFETIMES = 4


@dataclass(frozen=True)
class Colleague:
    user_id: int
    name: str
    writing: bool


def _key(case_id: int, user_id: int) -> str:
    return f"presence:{case_id}:{user_id}"


def _roster_key(case_id: int) -> str:
    return f"presence:{case_id}"


def display_name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def here(*, case_id: int, user: User, writing: bool = False) -> None:
    """`user` has the case open now (and, with `writing`, text in one of its action forms)."""
    expiry = settings.MEND_PRESENCE_SECONDS
    cache.set(_key(case_id, user.pk), {"name": display_name(user), "writing": writing}, timeout=expiry)
    roster: list[int] = cache.get(_roster_key(case_id)) or []
    if user.pk not in roster:
        roster = [*roster, user.pk]
    cache.set(_roster_key(case_id), roster, timeout=expiry * ROSTER_LIFETIMES)


def gone(*, case_id: int, user: User) -> None:
    """`user` left the case page: they drop off at once instead of at the expiry."""
    cache.delete(_key(case_id, user.pk))


def others(*, case_id: int, user: User) -> list[Colleague]:
    """Everyone but `user` who has the case open now, writers first, then by name."""
    roster: list[int] = cache.get(_roster_key(case_id)) or []
    keys = {_key(case_id, pk): pk for pk in roster if pk != user.pk}
    found: dict[str, Any] = cache.get_many(list(keys)) if keys else {}
    people = [Colleague(keys[key], value["name"], bool(value["writing"])) for key, value in found.items()]
    return sorted(people, key=lambda p: (not p.writing, p.name.lower(), p.user_id))
