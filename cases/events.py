"""The case timeline. `record` and `record_many` are the only places `CaseEvent` rows are created."""

from typing import Any, NamedTuple, Protocol

from django.utils import timezone

from cases.models import CaseEvent, RecoveryCase
from cases.webhooks import outbox as webhooks
from recovery.db import bulk
from recovery.roles import User


def record(
    case: RecoveryCase,
    kind: str,
    *,
    actor: User | None = None,
    message: str = "",
    from_stage: str = "",
    to_stage: str = "",
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    """One timeline line, written now."""
    event = CaseEvent(
        case=case,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        message=message,
        from_stage=from_stage,
        to_stage=to_stage,
        data=data or {},
    )
    event.save(force_insert=True)
    webhooks.on_event(case, kind, actor=actor, from_stage=from_stage, to_stage=to_stage, data=event.data)
    return event


class HasId(Protocol):
    pk: int


class SystemEvent(NamedTuple):
    """A timeline line written by Mend itself (no actor), for `record_many`."""

    case: HasId  # a RecoveryCase, or the sweep's plain row of one
    kind: str
    message: str
    data: dict


def record_many(entries: list[SystemEvent]) -> int:
    """`record` for many system events at once: one INSERT with little Python per row (`recovery.db.bulk`),
    for sweeps that write thousands of them. Returns how many it wrote."""
    now = timezone.now()
    columns = ("case", "kind", "actor", "from_stage", "to_stage", "message", "data", "created_at")
    bulk.insert(
        CaseEvent, columns, [(e.case.pk, e.kind, None, "", "", e.message, e.data, now) for e in entries]
    )
    webhooks.on_system_events(entries)  # the deliveries of these events, in the same transaction
    return len(entries)


# Keys of an event's `data` that quote people rather than count things: an edit's old and new title and
# description (`cases.services.update_case` writes {field: [old, new]}).
_QUOTING_KEYS = ("title", "description")


def quoted(data: dict) -> list[str]:
    """The texts an event's `data` quotes (for a customer's erasure to find them elsewhere too)."""
    found = []
    for key in _QUOTING_KEYS:
        value = data.get(key)
        found += [text for text in (value if isinstance(value, list) else [value]) if isinstance(text, str)]
    return found


def scrub(*, case_ids: list[int]) -> int:
    """Blank the free text of the cases' timelines (a customer's erasure); kinds, actors and times stay."""
    scrubbed = 0
    for event in CaseEvent.objects.filter(case_id__in=case_ids).only("pk", "data"):
        data = {key: value for key, value in event.data.items() if key not in _QUOTING_KEYS}
        scrubbed += CaseEvent.objects.filter(pk=event.pk).update(message="", data=data)
    return scrubbed
