"""A root cause's own history. `record` is the only place `RootCauseEvent` rows are created."""

from typing import Any

from django.utils import timezone

from cases.models import RootCause, RootCauseEvent
from recovery.roles import User


def record(
    root_cause: RootCause,
    kind: str,
    *,
    actor: User | None = None,
    message: str = "",
    data: dict[str, Any] | None = None,
) -> RootCauseEvent:
    """One history line, written now. `actor` None (or anonymous) is the system."""
    return RootCauseEvent.objects.create(
        root_cause=root_cause,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        message=message,
        data=data or {},
        created_at=timezone.now(),
    )
