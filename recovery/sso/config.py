"""The OpenID provider's settings as mozilla-django-oidc asks for them (`get_settings`), with the endpoints
found in the issuer's discovery document when they are not given one by one."""

from functools import lru_cache

import requests
from django.conf import settings
from mozilla_django_oidc.utils import import_from_settings

_DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


class DiscoveryFailed(Exception):
    pass


def enabled() -> bool:
    return bool(settings.MEND_OIDC_ENABLED)


def setting(attr: str, *default):
    value = import_from_settings(attr, *default)
    if attr in _DISCOVERED and not value and settings.MEND_OIDC_ISSUER:
        value = discovery(settings.MEND_OIDC_ISSUER).get(_DISCOVERED[attr])
    return value


@lru_cache(maxsize=4)
def discovery(issuer: str) -> dict:
    """The issuer's `/.well-known/openid-configuration`, read once per process. A failure is not cached:
    the next sign-in asks again."""
    try:
        response = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise DiscoveryFailed(f"{issuer} gave no discovery document: {type(exc).__name__}") from exc
    if document.get("issuer", "").rstrip("/") != issuer:
        # OpenID Connect Discovery 1.0, section 4.3: the document must name the issuer it was read from.
        raise DiscoveryFailed(f"{issuer}'s discovery document names another issuer")
    return document
