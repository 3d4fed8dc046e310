"""The case timeline. `record` is the only place `CaseEvent` rows are created."""

from typing import NamedTuple

from .models import CaseEvent, RecoveryCase


def record(
    case: RecoveryCase,
    kind: str,
    *,
    actor=None,
    message: str = "",
    from_stage: str = "",
    to_stage: str = "",
    data: dict | None = None,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        message=message,
        from_stage=from_stage,
        to_stage=to_stage,
        data=data or {},
    )


class SystemEvent(NamedTuple):
    """A timeline line written by Mend itself (no actor), for `record_many`."""

    case: RecoveryCase
    kind: str
    message: str
    data: dict


def record_many(entries: list[SystemEvent]) -> list[CaseEvent]:
    """`record` for many system events at once: one INSERT, for sweeps that touch hundreds of cases."""
    return CaseEvent.objects.bulk_create(
        CaseEvent(case=e.case, kind=e.kind, message=e.message, data=e.data) for e in entries
    )
