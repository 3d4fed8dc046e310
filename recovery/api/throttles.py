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
A request's two counts (token and address) are read together and written together: two round trips.
"""

import logging

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger(__name__)


def _family(request, view) -> str:
    return "intake" if getattr(view, "intake", False) and request.method == "POST" else "api"


class Rates(SimpleRateThrottle):
    """Counts a request per signed-in caller (token or session) and per client address at once.

    One class for both counts, so their state travels as one read and one write to the cache: with
    Redis, 2 round trips a request instead of 4. Each count refuses on its own, as two DRF throttle
    classes would; a request counts wherever it is allowed.
    """

    def __init__(self):
        self._wait = 0.0  # the scopes, and so the rates, are known only once the request is seen

    def allow_request(self, request, view):
        family = _family(request, view)
        limits = {}  # cache key -> (scope, requests, period)
        for kind, ident in (("token", _caller(request)), ("ip", self.get_ident(request))):
            scope = f"{family}_{kind}"
            limit, period = self.parse_rate(settings.MEND_THROTTLE_RATES[scope])
            if ident is not None and limit is not None and period is not None:
                limits[self.cache_format % {"scope": scope, "ident": ident}] = (scope, limit, period)
        if not limits:
            return True
        try:
            return self._count(self.timer(), limits)
        except Exception as exc:  # the cache (Redis) is down: a rate limit must not take the API with it
            for scope, _limit, _period in limits.values():
                logger.warning("Rate limit %s not checked, its cache failed: %s", scope, type(exc).__name__)
            return True

    def _count(self, now: float, limits: dict[str, tuple[str, int, int]]) -> bool:
        """Count this request under each key whose limit is not reached; whether every key allows it."""
        states = self.cache.get_many(list(limits))
        counted_now, waits = {}, []
        for key, (_scope, limit, period) in limits.items():
            started, counted, before = self._window(states.get(key), now, period)
            covered = 1 - (now - started) / period  # the share of the window before still within `period`
            if before * covered + counted >= limit:
                waits.append(self._until_free(now, started, counted, before, limit=limit, period=period))
            else:
                counted_now[key] = (started, counted + 1, before)
        if counted_now:
            longest = max(limits[key][2] for key in counted_now)
            self.cache.set_many(counted_now, 2 * longest)
        self._wait = max(waits, default=0.0)
        return not waits

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


def _caller(request):
    """Whom a signed-in request counts against; anonymous requests count per address only."""
    return request.user.pk if getattr(request.user, "is_authenticated", False) else None
