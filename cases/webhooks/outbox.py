"""The webhook outbox: delivery rows written in the transaction of the timeline event they report.

`cases.events` calls `on_event` / `on_system_events` for every timeline line it writes. Each event
kind maps to at most a few webhook event types; every active subscription to a type gets one
`WebhookDelivery` row, written with the event (so it commits or rolls back with it) and handed to the
workers after commit (`register_dispatcher`, as `cases.outbox` does for emails). Nothing is POSTed
inside a request. A resend sweep (`cases.webhooks.tasks`) finds rows whose task never ran.
"""

import logging
import secrets
import time
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from kombu.exceptions import KombuError

from cases.models import CaseEvent, format_reference
from cases.webhooks.models import WebhookDelivery, WebhookSubscription
from recovery.logs import record

logger = logging.getLogger(__name__)

TYPES = (
    "case.opened",
    "case.stage_changed",
    "case.assigned",
    "case.reopened",
    "message.received",
    "sla.warning",
    "sla.breached",
    "gesture.requested",
    "gesture.decided",
    "root_cause.changed",
)

K = CaseEvent.Kind
_BY_KIND: dict[str, tuple[str, ...]] = {
    K.CREATED: ("case.opened",),
    K.ASSIGNED: ("case.assigned",),
    K.SLA_WARNING: ("sla.warning",),
    K.SLA_BREACHED: ("sla.breached",),
    K.ROOT_CAUSE_LINKED: ("root_cause.changed",),
    K.ROOT_CAUSE_UNLINKED: ("root_cause.changed",),
}
# Keys of an event's `data` that quote people (`cases.events._QUOTING_KEYS`): they never leave Mend,
# so a customer's erasure has nothing to chase in other systems.
_NOT_SENT = frozenset({"title", "description"})


def types_for(kind: str, data: dict[str, Any]) -> tuple[str, ...]:
    """The webhook event types a timeline line of `kind` is. A reopening is a stage change too."""
    if kind == K.STAGE_CHANGED:
        return (
            ("case.stage_changed", "case.reopened")
            if data.get("action") == "reopen"
            else ("case.stage_changed",)
        )
    if kind == K.GESTURE:
        # Granted within the agent's limit: asked and decided at once, so a decision.
        return ("gesture.requested",) if data.get("status") == "pending_approval" else ("gesture.decided",)
    return _BY_KIND.get(kind, ())


# Active subscriptions, read at most every CACHE_SECONDS per process: most events have no subscriber,
# and intake must not pay a query for that. A subscription made in another process starts receiving
# within that time; one deleted meanwhile leaves rows its worker drops (the foreign key is not enforced
# by the database for that reason: a stale cache must never fail the event's transaction).
CACHE_SECONDS = 2.0
_cache: tuple[float, list[tuple[int, frozenset[str]]]] | None = None


def forget_subscriptions() -> None:
    """Read the subscriptions afresh on the next event (a subscription changed in this process)."""
    global _cache
    _cache = None


def _subscribers(event_type: str) -> list[int]:
    global _cache
    now = time.monotonic()
    if _cache is None or now - _cache[0] > CACHE_SECONDS:
        rows = WebhookSubscription.objects.filter(active=True).values_list("pk", "events")
        _cache = (now, [(pk, frozenset(events)) for pk, events in rows])
    return [pk for pk, events in _cache[1] if event_type in events]


def new_webhook_id() -> str:
    return f"msg_{secrets.token_urlsafe(18)}"


def _deliveries(
    case_id: int, kind: str, *, actor_id, from_stage, to_stage, data, types: tuple[str, ...] | None = None
) -> list[WebhookDelivery]:
    rows = []
    for event_type in types_for(kind, data) if types is None else types:
        subscribers = _subscribers(event_type)
        if not subscribers:
            continue
        now = timezone.now()
        payload = {
            "type": event_type,
            "timestamp": now.isoformat().replace("+00:00", "Z"),
            "data": {
                "case": {"id": case_id, "reference": format_reference(case_id)},
                "event": kind,
                "actor": actor_id,
                "from_stage": from_stage or None,
                "to_stage": to_stage or None,
                "details": {key: value for key, value in data.items() if key not in _NOT_SENT},
            },
        }
        rows += [
            WebhookDelivery(
                subscription_id=pk, webhook_id=new_webhook_id(), event_type=event_type, payload=payload
            )
            for pk in subscribers
        ]
    return rows


def on_event(case, kind: str, *, actor, from_stage: str, to_stage: str, data: dict) -> None:
    """Write the deliveries of one timeline line (`cases.events.record`), in its transaction."""
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    rows = _deliveries(case.pk, kind, actor_id=actor_id, from_stage=from_stage, to_stage=to_stage, data=data)
    if not rows:
        return
    WebhookDelivery.objects.bulk_create(rows)
    send_after_commit([row.webhook_id for row in rows])


def on_system_events(entries: Iterable) -> None:
    """`on_event` for `cases.events.record_many` (the SLA sweep): one INSERT for all of them."""
    rows = []
    for entry in entries:
        rows += _deliveries(
            entry.case.pk, entry.kind, actor_id=None, from_stage="", to_stage="", data=entry.data
        )
    if rows:
        WebhookDelivery.objects.bulk_create(rows)
        send_after_commit([row.webhook_id for row in rows])


def on_message_received(*, case_id: int, message_id: int) -> None:
    """`message.received`: for the writer of a customer's inbound email to call in its transaction (the
    conversation keeps its messages out of the timeline). The payload names the message by id only."""
    rows = _deliveries(
        case_id,
        "message_received",
        actor_id=None,
        from_stage="",
        to_stage="",
        data={"message": message_id},
        types=("message.received",),
    )
    if rows:
        WebhookDelivery.objects.bulk_create(rows)
        send_after_commit([row.webhook_id for row in rows])


# Hands committed rows' webhook ids to the workers; `cases.webhooks.tasks` registers it.
Dispatcher = Callable[[list[str]], None]
_dispatcher: Dispatcher | None = None


def register_dispatcher(dispatch: Dispatcher) -> None:
    global _dispatcher
    _dispatcher = dispatch


def send_after_commit(webhook_ids: list[str]) -> None:
    if webhook_ids:
        transaction.on_commit(partial(_dispatch, list(webhook_ids)))


def _dispatch(webhook_ids: list[str]) -> None:
    """Best effort, as `cases.outbox._dispatch`: the resend sweep finds rows whose task never ran."""
    if _dispatcher is None:
        record(logger, "webhooks.no_dispatcher", level=logging.WARNING, count=len(webhook_ids))
        return
    try:
        _dispatcher(webhook_ids)
    except (KombuError, OSError) as error:
        record(logger, "webhooks.enqueue_failed", level=logging.WARNING, error=type(error).__name__)
