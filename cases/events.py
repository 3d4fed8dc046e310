"""The case timeline. `record` is the only place `CaseEvent` rows are created."""

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
