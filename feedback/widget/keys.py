"""Widget keys: who may create them, which origins each allows, and the shared intake client they post as."""

import math
import secrets
import time
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import F

from feedback.models import WidgetKey
from recovery.errors import InvalidInput, NotFound, NotPermitted
from recovery.roles import Role, User, is_manager, preload_group_names

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
    forget_origins(on_commit=True)
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
    forget_origins(on_commit=True)
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
    """The key a widget post names, with its client and the client's roles, in one query; or None when
    no key has that text."""
    rows = list(
        WidgetKey.objects.select_related("client")
        .annotate(group_name=F("client__groups__name"))
        .filter(key=text)
    )
    if not rows:
        return None
    key = rows[0]
    preload_group_names(key.client, [row.group_name for row in rows if row.group_name is not None])
    return key


# Every active key's origins, as this process last read them: (read at, origins).
_origins: tuple[float, frozenset[str]] = (-math.inf, frozenset())
ORIGINS_FOR = 10.0  # seconds


def origin_allowed_somewhere(origin: str) -> bool:
    """Whether any active key allows `origin`: what CORS asks before the request names its key (a
    preflight carries no custom header).

    Read at most every ORIGINS_FOR seconds per process, not on every post. Safe to be that stale:
    CORS only decides whether a browser may read the answer; the post itself is checked against its
    own key as stored (`intake.check_origin`), so a key deactivated a moment ago is refused anyway, and
    a new key's origin works within seconds (at once in the process that made it).
    """
    global _origins
    read_at, origins = _origins
    now = time.monotonic()
    if now - read_at > ORIGINS_FOR:
        rows = WidgetKey.objects.filter(active=True).values_list("allowed_origins", flat=True)
        origins = frozenset(origin for allowed in rows for origin in allowed)
        _origins = (now, origins)
    return origin in origins


def forget_origins(*, on_commit: bool = False) -> None:
    """Read the origins again on the next CORS check; with `on_commit`, also once the change commits
    (a check in between would otherwise keep what it read before the commit)."""
    global _origins
    _origins = (-math.inf, frozenset())
    if on_commit:
        transaction.on_commit(forget_origins)


def demo_key(origin: str) -> WidgetKey:
    """DEBUG only: the demo page's key, allowing the origin the page is served from."""
    key = WidgetKey.objects.filter(name=DEMO_KEY_NAME, active=True).order_by("pk").first()
    if key is None:
        return create_key(actor=None, name=DEMO_KEY_NAME, allowed_origins=[origin], touchpoint_prefix="demo")
    if origin not in key.allowed_origins:
        key.allowed_origins = [*key.allowed_origins, origin]
        forget_origins(on_commit=True)
        key.save(update_fields=["allowed_origins"])
    return key
