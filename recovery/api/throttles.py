"""API rate limits: per token and per client address, intake apart from the rest of the API.

Intake answers at volume for many customers through one token, so its rates are higher than the
rest of the API's. Rates come from `settings.MEND_THROTTLE_RATES`, read on every request (DRF reads its
own setting once at import, which no test or deployment could change afterwards). Throttled requests
answer 429 with Retry-After (DRF's exception handler adds the header).

Counting: DRF's throttles keep every request's timestamp of the last period in one cache value, read
and written whole on each request: at 6,000 intake posts a minute that is 6,000 floats pickled both
ways and, with Redis, 50 KB over the wire twice per request, per throttle; the busier the API, the
slower each request. Here each key counts per window of one period (windows start
at multiples of the period), and the count is a sliding window's, approximated: the window before
is weighted by how much of it the last `duration` still covers. A request adds itself to its
window's counter and reads the window before in the same step (Redis: INCR and GET in one round trip
for both of a request's keys), so two requests at the same moment both count. A refused request
takes itself back off every counter: refused by its token's limit, it must not spend the budget of
the other tokens at the same address (nor, refused by the address's, its token's).
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django_redis.cache import RedisCache
from rest_framework.throttling import SimpleRateThrottle

from recovery.addresses import client_address

logger = logging.getLogger(__name__)


def _family(request, view) -> str:
    return "intake" if getattr(view, "intake", False) and request.method == "POST" else "api"


@dataclass(frozen=True)
class _Window:
    scope: str
    key: str  # this window's counter
    key_before: str  # the window before's counter
    started: float
    limit: int
    period: int


class Rates(SimpleRateThrottle):
    """Counts a request per signed-in caller (token or session) and per client address at once.

    One class for both counts, so they travel to the cache together. Each count refuses on its own,
    as two DRF throttle classes would; a request counts only where it is allowed everywhere.
    """

    def __init__(self):
        self._wait = 0.0  # the scopes, and so the rates, are known only once the request is seen

    def allow_request(self, request, view):
        family = self.family(request, view)
        now = self.timer()
        windows = []
        for kind, ident in (("token", self.caller(request)), ("ip", self.get_ident(request))):
            scope = f"{family}_{kind}"
            limit, period = self.parse_rate(settings.MEND_THROTTLE_RATES[scope])
            if ident is not None and limit is not None and period is not None:
                key = self.cache_format % {"scope": scope, "ident": ident}
                index = int(now // period)
                windows.append(
                    _Window(scope, f"{key}:{index}", f"{key}:{index - 1}", index * period, limit, period)
                )
        if not windows:
            return True
        try:
            return self._count(now, windows)
        except Exception as exc:  # the cache (Redis) is down: a rate limit must not take the API with it
            for window in windows:
                logger.warning(
                    "Rate limit %s not checked, its cache failed: %s", window.scope, type(exc).__name__
                )
            return True

    def _count(self, now: float, windows: list[_Window]) -> bool:
        """Count this request in each window; take it back where the limit was already reached.
        Whether every window allows it."""
        # The configured cache itself, not DRF's proxy to it: `count_and_read` asks which backend it is.
        cache = caches[DEFAULT_CACHE_ALIAS]
        counts, befores = count_and_read(
            cache, [(w.key, 2 * w.period) for w in windows], [w.key_before for w in windows]
        )
        waits = []
        for window, with_this, before in zip(windows, counts, befores, strict=True):
            counted = with_this - 1
            # The share of the window before that the last `period` still covers.
            covered = 1 - (now - window.started) / window.period
            if before * covered + counted >= window.limit:
                waits.append(
                    self._until_free(
                        now, window.started, counted, before, limit=window.limit, period=window.period
                    )
                )
        if waits:  # refused: it counts nowhere, or one noisy token would spend its neighbours' address
            for window in windows:
                cache.decr(window.key)
        self._wait = max(waits, default=0.0)
        return not waits

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

    def family(self, request, view) -> str:
        """Which rates apply: "intake" or "api" (`MEND_THROTTLE_RATES`, `<family>_token`/`<family>_ip`)."""
        return _family(request, view)

    def caller(self, request):
        """Whom the `<family>_token` rate counts; None: the address only."""
        return _caller(request)

    def get_ident(self, request):
        """The client's address by Mend's one rule (`MEND_PROXY_COUNT`), which sign-in shares."""
        return client_address(request)

    def wait(self):
        return max(self._wait, 1)


def count_and_read(cache, counted: list[tuple[str, int]], read: list[str]) -> tuple[list[int], list[int]]:
    """Add one to each counter of `counted` (key, timeout in seconds) and read the counters `read`
    (0 where there is none). On Redis (django-redis) in one round trip, as one pipeline: INCR is atomic,
    so concurrent requests all count. Any other cache in steps."""
    if isinstance(cache, RedisCache):
        # django-redis stores integers as plain Redis integers, which its own get() and decr() read.
        steps = cache.client.get_client(write=True).pipeline(transaction=False)
        for key, timeout in counted:
            name = cache.make_and_validate_key(key)
            steps.incr(name)
            steps.expire(name, timeout)
        for key in read:
            steps.get(cache.make_and_validate_key(key))
        results = steps.execute()
        counts = [int(count) for count in results[0 : 2 * len(counted) : 2]]
        return counts, [int(value or 0) for value in results[2 * len(counted) :]]
    counts = []
    for key, timeout in counted:
        cache.add(key, 0, timeout)
        counts.append(cache.incr(key))
    values = cache.get_many(read)
    return counts, [values.get(key, 0) for key in read]


def _caller(request):
    """Whom a signed-in request counts against; anonymous requests count per address only."""
    return request.user.pk if getattr(request.user, "is_authenticated", False) else None
