"""One address failing across many usernames (password spraying) is slowed down, never locked out.

Failed sign-ins are counted per client address over a sliding `MEND_LOGIN_ADDRESS_WINDOW`, with the
API rate limits' counters (`recovery.api.throttles.count_and_read`). Once an address has failed
`MEND_LOGIN_ADDRESS_FREE_FAILURES` times, each further failure makes it wait before its next attempt:
1 second, then 2, 4, ... up to `MEND_LOGIN_ADDRESS_MAX_DELAY`. An attempt made while it must wait is
refused (the middleware) without reaching a password check or this count, so waiting out the delay
is the only way on; it does not grow the delay. A hard lockout per address would let one guesser
shut out everyone behind the same office or carrier address; a delay costs them seconds.

IPv6 addresses count per /64: one subscriber is routinely given a whole /64 and could otherwise try
from 2^64 addresses.

The time an address must wait is kept as a timestamp, compared with the clock on each attempt, so it
does not depend on the cache's own expiry.
"""

import ipaddress
import logging
import math
import time

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches

from recovery.addresses import client_address
from recovery.api.throttles import count_and_read

logger = logging.getLogger(__name__)


def seconds_to_wait(address: str) -> float:
    """How long `address` must still wait before its next sign-in attempt (0: it may try now)."""
    try:
        until = caches[DEFAULT_CACHE_ALIAS].get(_wait_key(address))
    except Exception as exc:  # the cache (Redis) is down: sign-in must not go down with it
        logger.warning("Sign-in spraying delay not checked, its cache failed: %s", type(exc).__name__)
        return 0.0
    return max(0.0, until - time.time()) if until else 0.0


def record_failure(address: str) -> None:
    """Count one failed sign-in from `address`; past the free failures, make its next attempt wait."""
    now = time.time()
    period = int(settings.MEND_LOGIN_ADDRESS_WINDOW.total_seconds())
    index = int(now // period)
    counter = f"sign-in:failures:{_bucket(address)}"
    try:
        (counted,), (before,) = count_and_read(
            caches[DEFAULT_CACHE_ALIAS], [(f"{counter}:{index}", 2 * period)], [f"{counter}:{index - 1}"]
        )
        # As the API's limits: the window before counts for the share the last `period` still covers.
        failures = counted + math.floor(before * (1 - (now - index * period) / period))
        beyond = failures - settings.MEND_LOGIN_ADDRESS_FREE_FAILURES
        if beyond >= 0:
            longest = settings.MEND_LOGIN_ADDRESS_MAX_DELAY.total_seconds()
            delay = min(longest, 2.0 ** min(beyond, 62))  # the exponent's cap keeps the float finite
            caches[DEFAULT_CACHE_ALIAS].set(_wait_key(address), now + delay, timeout=math.ceil(delay) + 1)
    except Exception as exc:
        logger.warning("Sign-in failure not counted, its cache failed: %s", type(exc).__name__)


def count_failed_sign_in(sender, credentials=None, request=None, **kwargs) -> None:
    """`user_login_failed` receiver: a failure counts for the address it came from, whether the
    password was wrong or a lockout refused it."""
    address = client_address(request) if request is not None else None
    if address is not None:
        record_failure(address)


def _wait_key(address: str) -> str:
    return f"sign-in:wait:{_bucket(address)}"


def _bucket(address: str) -> str:
    parsed = ipaddress.ip_address(address)
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)
