"""Widget keys: who may create them, which origins each allows, and the shared intake client they post as."""

import secrets
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from feedback.models import WidgetKey
from recovery.errors import InvalidInput, NotFound, NotPermitted
from recovery.roles import Role, User, is_manager

KEY_PREFIX = "wk_"
MAX_ORIGINS = 20
# The intake client every widget post submits as. In the `intake` role only, never `trusted-intake`:
# what a page's visitor types can never change a known customer's contact details.
WIDGET_CLIENT = "mend-widget"
DEMO_KEY_NAME = "Demo widget"


def parse_origin(value: object) -> str:
    """`value` as a browser sends it in `Origin` (lower-case scheme and host, no default port), or
    InvalidInput saying what is wrong with it."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(
            "An origin is a non-empty string such as https://shop.example.com.", field="allowed_origins"
        )
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        raise InvalidInput(
            f"{value!r} is not an origin (its port is not a number).", field="allowed_origins"
        ) from None
    if parts.scheme not in ("http", "https"):
        raise InvalidInput(f"{value!r}: an origin starts with https:// or http://.", field="allowed_origins")
    if not parts.hostname or parts.username is not None or parts.password is not None:
        raise InvalidInput(f"{value!r}: an origin names a host and nothing else.", field="allowed_origins")
    if parts.path or parts.query or parts.fragment:
        raise InvalidInput(
            f"{value!r}: an origin is scheme://host[:port], with no path, query or fragment.",
            field="allowed_origins",
        )
    host = parts.hostname.lower()
    if ":" in host:  # IPv6, bracketed in an origin
        host = f"[{host}]"
    default = {"http": 80, "https": 443}[parts.scheme]
    return f"{parts.scheme}://{host}" if port in (None, default) else f"{parts.scheme}://{host}:{port}"


def parse_origins(values: object) -> list[str]:
    if not isinstance(values, list) or not values:
        raise InvalidInput("Give a list of at least one origin.", field="allowed_origins")
    if len(values) > MAX_ORIGINS:
        raise InvalidInput(f"At most {MAX_ORIGINS} origins per key.", field="allowed_origins")
    origins = [parse_origin(value) for value in values]
    return list(dict.fromkeys(origins))  # each once, in the order given


def _require_manager(actor: User) -> None:
    if not is_manager(actor):
        raise NotPermitted("Only managers manage widget keys.")


def widget_client() -> User:
    """The one intake client of every widget key; made on first use."""
    client, created = get_user_model().objects.get_or_create(username=WIDGET_CLIENT)
    if created:
        client.set_unusable_password()
        client.save(update_fields=["password"])
        client.groups.add(Group.objects.get_or_create(name=Role.INTAKE)[0])
    return client


@transaction.atomic
def create_key(
    *, actor: User | None, name: str, allowed_origins: list[str], touchpoint_prefix: str = "web"
) -> WidgetKey:
    """A new active key. `actor` None only for seed data and the DEBUG demo."""
    if actor is not None:
        _require_manager(actor)
    return WidgetKey.objects.create(
        name=name,
        key=KEY_PREFIX + secrets.token_urlsafe(24),
        allowed_origins=parse_origins(allowed_origins),
        touchpoint_prefix=touchpoint_prefix,
        client=widget_client(),
        created_by=actor,
    )


def change_key(*, actor: User, key_id: int, changes: dict) -> WidgetKey:
    """Rename, change the origins of, deactivate or reactivate a key. The key's text never changes."""
    _require_manager(actor)
    key = find_key(actor=actor, key_id=key_id)
    if "allowed_origins" in changes:
        changes = {**changes, "allowed_origins": parse_origins(changes["allowed_origins"])}
    for name in ("name", "allowed_origins", "touchpoint_prefix", "active"):
        if name in changes:
            setattr(key, name, changes[name])
    key.save(
        update_fields=[
            name for name in ("name", "allowed_origins", "touchpoint_prefix", "active") if name in changes
        ]
    )
    return key


def keys(*, actor: User):
    _require_manager(actor)
    return WidgetKey.objects.all()


def find_key(*, actor: User, key_id: int) -> WidgetKey:
    _require_manager(actor)
    key = WidgetKey.objects.filter(pk=key_id).first()
    if key is None:
        raise NotFound("No widget key with this id.")
    return key


def key_for_post(text: str) -> WidgetKey | None:
    """The key a widget post names, with its client, or None when no key has that text."""
    return WidgetKey.objects.select_related("client").filter(key=text).first()


def origin_allowed_somewhere(origin: str) -> bool:
    """Whether any active key allows `origin`: what CORS asks before the request names its key (a
    preflight carries no custom header). The post itself is then checked against its own key."""
    return WidgetKey.objects.filter(active=True, allowed_origins__contains=[origin]).exists()


def demo_key(origin: str) -> WidgetKey:
    """DEBUG only: the demo page's key, allowing the origin the page is served from."""
    key = WidgetKey.objects.filter(name=DEMO_KEY_NAME, active=True).order_by("pk").first()
    if key is None:
        return create_key(actor=None, name=DEMO_KEY_NAME, allowed_origins=[origin], touchpoint_prefix="demo")
    if origin not in key.allowed_origins:
        key.allowed_origins = [*key.allowed_origins, origin]
        key.save(update_fields=["allowed_origins"])
    return key
