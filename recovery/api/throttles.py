"""API rate limits: per token and per client address, intake apart from the rest of the API.

Intake answers at volume for many customers through one token, so its rates are higher than the
rest of the API's. Rates come from `settings.MEND_THROTTLE_RATES`, read on every request (DRF reads its
own setting once at import, which no test or deployment could change afterwards). Throttled requests
answer 429 with Retry-After (DRF's exception handler adds the header).
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
        try:
            return super().allow_request(request, view)
        except Exception as exc:  # the cache (Redis) is down: a rate limit must not take the API with it
            logger.warning("Rate limit %s not checked, its cache failed: %s", self.scope, type(exc).__name__)
            return True


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
