"""The client's address: one rule for every limit that counts per address (the API's rate limits,
sign-in lockouts and the sign-in spraying delays).

Behind `MEND_PROXY_COUNT` proxies that each append the address they saw to X-Forwarded-For, the client
is the entry the outermost of them appended: the `MEND_PROXY_COUNT`-th from the right. Whatever a
client writes into the header itself sits to the left of it and is never read. With no proxy (0) the
header is not read at all: anyone can send it, and trusting it would let each request pick its own
address (DRF's own rule does that when it is told of no proxies).
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address, normalised (IPv6 compressed), or None when there is none to read."""
    peer = request.META.get("REMOTE_ADDR")
    proxies = settings.MEND_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "") if proxies else ""
    entries = [entry.strip() for entry in forwarded.split(",")] if forwarded else []
    # Fewer entries than proxies: a proxy did not append (misconfigured); the leftmost is the best left.
    candidate = entries[-min(proxies, len(entries))] if entries else peer
    return _normalised(candidate) or _normalised(peer)


def _normalised(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(value or ""))
    except ValueError:  # not an address (a hostname, "unknown", a port appended): not this one
        return None
