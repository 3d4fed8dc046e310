"""Which addresses a webhook may be sent to: public ones only, unless MEND_WEBHOOKS_ALLOW_PRIVATE.

The check is on the addresses the host name resolves to, not on the name (a public name can point at
127.0.0.1), and the POST then connects to the very address checked (`cases.webhooks.delivery`), so a
second DNS answer cannot swap in a private one between check and use (DNS rebinding).
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

from recovery.errors import InvalidInput

# Cloud metadata services outside the link-local range (169.254.169.254 is link-local already).
METADATA = {ipaddress.ip_address("fd00:ec2::254"), ipaddress.ip_address("100.100.100.200")}


class Refused(InvalidInput):
    """The URL's host resolves to an address webhooks may not reach (or does not resolve)."""


def _forbidden(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return (
        address in METADATA
        or address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
        or not address.is_global
    )


def parse(url: str) -> tuple[str, str, int]:
    """Scheme, host and port of an http(s) URL; InvalidInput otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise InvalidInput("The url is not a valid URL.", field="url") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("The url must be an http:// or https:// URL.", field="url")
    if parts.username or parts.password:
        raise InvalidInput("The url must not carry a user name or password.", field="url")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def resolve(url: str) -> tuple[str, str, int, str]:
    """Scheme, host, port and the one address to connect to; `Refused` when it may not be reached."""
    scheme, host, port = parse(url)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise Refused(f"The url's host {host} does not resolve.", field="url") from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]
    if not settings.MEND_WEBHOOKS_ALLOW_PRIVATE:
        # Every address the name has must be public: the one used must not be chosen by luck.
        refused = [str(address) for address in addresses if _forbidden(address)]
        if refused:
            raise Refused(
                f"The url's host resolves to {refused[0]}, a loopback, private, link-local or metadata "
                "address; webhooks go to public addresses only.",
                field="url",
            )
    return scheme, host, port, str(addresses[0])
