"""Subscriptions: the rules for making, changing and deleting them, and resending a delivery.

The API and the workspace both call these; each check is written here once. Values arrive as the
caller parsed them (JSON or form), and anything that does not fit is an `InvalidInput` naming its field,
with nothing stored.
"""

from typing import Any

from django.db import transaction
from django.utils import timezone

from cases.webhooks import delivery as delivery_module
from cases.webhooks import outbox, signing, ssrf
from cases.webhooks.models import WebhookDelivery, WebhookSubscription
from recovery.errors import InvalidInput, NotFound, NotPermitted
from recovery.roles import User, is_manager

URL_LENGTH = 2000
DESCRIPTION_LENGTH = 200
FIELDS = ("url", "events", "active", "description")


def _require_manager(actor: User) -> None:
    if not is_manager(actor):
        raise NotPermitted("Only managers manage webhooks.")


def _url(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(
            "The url is required: the http:// or https:// address to POST events to.", field="url"
        )
    value = value.strip()
    if len(value) > URL_LENGTH:
        raise InvalidInput(f"The url is at most {URL_LENGTH} characters.", field="url")
    ssrf.resolve(value)  # http(s) only, and to a public address (unless MEND_WEBHOOKS_ALLOW_PRIVATE)
    return value


def _events(value: Any) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(name, str) for name in value):
        raise InvalidInput("The events are a list of one or more event type names.", field="events")
    unknown = [name for name in value if name not in outbox.TYPES]
    if unknown:
        raise InvalidInput(
            f"Unknown event type {unknown[0]!r}. Known: {', '.join(outbox.TYPES)}.", field="events"
        )
    return [name for name in outbox.TYPES if name in value]  # each once, in the documented order


def _active(value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput("Active is true or false.", field="active")
    return value


def _description(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidInput("The description is text.", field="description")
    if len(value) > DESCRIPTION_LENGTH:
        raise InvalidInput(
            f"The description is at most {DESCRIPTION_LENGTH} characters.", field="description"
        )
    return value.strip()


_PARSERS = {"url": _url, "events": _events, "active": _active, "description": _description}


def _parsed(values: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    unknown = [name for name in values if name not in FIELDS]
    if unknown:
        raise InvalidInput(
            f"Unknown field {unknown[0]!r}; a webhook has {', '.join(FIELDS)}.", field=unknown[0]
        )
    if not partial:
        for required in ("url", "events"):
            if required not in values:
                _PARSERS[required](None)  # raises the field's own "required" message
    return {name: _PARSERS[name](value) for name, value in values.items()}


def create(*, actor: User, values: dict[str, Any]) -> WebhookSubscription:
    """A new subscription with a fresh signing secret (shown to its maker once)."""
    _require_manager(actor)
    fields = _parsed(values, partial=False)
    subscription = WebhookSubscription.objects.create(
        secret=signing.new_secret(), created_by=actor if actor.is_authenticated else None, **fields
    )
    outbox.forget_subscriptions()
    return subscription


def get(*, actor: User, subscription_id: int) -> WebhookSubscription:
    _require_manager(actor)
    subscription = WebhookSubscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        raise NotFound("No such webhook.")
    return subscription


def listed(*, actor: User):
    _require_manager(actor)
    return WebhookSubscription.objects.order_by("id")


@transaction.atomic
def update(*, actor: User, subscription_id: int, values: dict[str, Any]) -> WebhookSubscription:
    """Change some fields. Turning a subscription back on forgets its run of failures."""
    _require_manager(actor)
    fields = _parsed(values, partial=True)
    subscription = WebhookSubscription.objects.select_for_update().filter(pk=subscription_id).first()
    if subscription is None:
        raise NotFound("No such webhook.")
    if fields.get("active") and not subscription.active:
        fields |= {"failing_since": None, "disabled_at": None}
    for name, value in fields.items():
        setattr(subscription, name, value)
    subscription.save()
    transaction.on_commit(outbox.forget_subscriptions)
    return subscription


def delete(*, actor: User, subscription_id: int) -> None:
    subscription = get(actor=actor, subscription_id=subscription_id)
    subscription.delete()  # its deliveries and their attempts go with it
    outbox.forget_subscriptions()


def deliveries(*, actor: User, subscription_id: int, limit: int = 50) -> list[WebhookDelivery]:
    """The newest deliveries of a subscription, each with its attempts (the delivery log)."""
    subscription = get(actor=actor, subscription_id=subscription_id)
    return list(
        subscription.deliveries.prefetch_related("attempt_log").order_by("-created_at", "-id")[:limit]
    )


def resend(*, actor: User, subscription_id: int, delivery_id: int) -> WebhookDelivery:
    """Send one delivery again now, with the same webhook-id (receivers dedupe by it). A delivery being
    sent right now stays with the worker sending it."""
    _require_manager(actor)
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .filter(pk=delivery_id, subscription_id=subscription_id)
            .first()
        )
        if delivery is None:
            raise NotFound("No such delivery.")
        in_flight = delivery.attempt_log.filter(
            finished_at__isnull=True, started_at__gt=timezone.now() - delivery_module.lease()
        ).exists()
        if not in_flight:
            delivery.status = WebhookDelivery.Status.PENDING
            delivery.claimed_until = None
            delivery.save(update_fields=["status", "claimed_until"])
        outbox.send_after_commit([delivery.webhook_id])
    return delivery
