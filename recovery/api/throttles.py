"""API rate limits: per token and per client address, intake apart from the rest of the API.

Intake answers at volume for many customers through one token, so its rates are higher than the
rest of the API's. Rates come from `settings.MEND_THROTTLE_RATES`, read on every request (DRF reads its
own setting once at import, which no test or deployment could change afterwards). Throttled requests
answer 429 with Retry-After (DRF's exception handler adds the header).

Counting: DRF's throttles keep every request's timestamp of the last period in one cache value, read
and written whole on each request: at 6,000 intake posts a minute that is 6,000 floats pickled both
ways and, with Redis, 50 KB over the wire twice per request, per throttle (575 us each, measured); the
busier the API, the slower each request. Here a key holds three numbers instead: when its window
began, the requests counted in it and those of the window before. The count is a sliding window's,
approximated: the previous window is weighted by how much of it the last `duration` still covers.
Like DRF's, a read and a write that are not atomic: two requests at the same moment may count once.
"""

import logging

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger(__name__)


def _family(request, view) -> str:
    return "intake" if getattr(view, "intake", False) and request.method == "POST" else "api"


class _MendThrottle(SimpleRateThrottle):
    kind = ""

    def __init__(self):
        pass  # the scope, and so the rate, is known only once the request is seen

    def allow_request(self, request, view):
        self.scope = f"{_family(request, view)}_{self.kind}"
        self.rate = settings.MEND_THROTTLE_RATES[self.scope]
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.key = self.get_cache_key(request, view)
        if self.key is None or self.num_requests is None or self.duration is None:
            return True
        try:
            return self._count(self.timer(), limit=self.num_requests, period=self.duration)
        except Exception as exc:  # the cache (Redis) is down: a rate limit must not take the API with it
            logger.warning("Rate limit %s not checked, its cache failed: %s", self.scope, type(exc).__name__)
            return True

    def _count(self, now: float, *, limit: int, period: int) -> bool:
        """Count this request unless `limit` requests in `period` seconds are reached; whether it may go."""
        started, counted, before = self._window(self.cache.get(self.key), now, period)
        covered = 1 - (now - started) / period  # the share of the window before still within `period`
        if before * covered + counted >= limit:
            self._wait = self._until_free(now, started, counted, before, limit=limit, period=period)
            return False
        self.cache.set(self.key, (started, counted + 1, before), 2 * period)
        return True

    @staticmethod
    def _window(state, now: float, period: int) -> tuple[float, int, int]:
        """(start, count, count of the window before) of the window `now` falls in. Windows follow
        each other from a key's first request, so a fresh key's first window is a whole period."""
        if state is None:
            return now, 0, 0
        started, counted, before = state
        elapsed = int((now - started) // period)
        if elapsed == 0:
            return started, counted, before
        return started + elapsed * period, 0, counted if elapsed == 1 else 0

    @staticmethod
    def _until_free(
        now: float, started: float, counted: int, before: int, *, limit: int, period: int
    ) -> float:
        """Seconds until the count falls below `limit`, with no further requests."""
        if before and counted < limit:  # within this window, as the window before fades
            return started + period * (1 - (limit - counted) / before) - now
        if not counted:  # a limit of 0: never free
            return period
        # In the next window this one is the window before, fading from its full count.
        return started + period * (2 - limit / counted) - now

    def wait(self):
        return max(self._wait, 1)


class PerToken(_MendThrottle):
    """Counts a signed-in caller's requests (token or session); anonymous ones count per address only."""

    kind = "token"

    def get_cache_key(self, request, view):
        if not getattr(request.user, "is_authenticated", False):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class PerAddress(_MendThrottle):
    """Counts every request from one client address, whichever tokens it uses."""

    kind = "ip"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
