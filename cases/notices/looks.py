"""When each agent last looked at their queue, so the queue can mark the cases that arrived since."""

from datetime import datetime

from cases.models import QueueLook
from recovery.roles import User


def look(*, user: User, now: datetime) -> datetime | None:
    """Record that `user` looks at their queue `now`; when they looked before (None the first time)."""
    previous = QueueLook.objects.filter(user=user).values_list("looked_at", flat=True).first()
    # One upsert instead of update_or_create's lock, read and write: the queue is every agent's home page.
    QueueLook.objects.bulk_create(
        [QueueLook(user=user, looked_at=now)],
        update_conflicts=True,
        unique_fields=["user"],
        update_fields=["looked_at"],
    )
    return previous


def last_look(*, user: User) -> datetime | None:
    return QueueLook.objects.filter(user=user).values_list("looked_at", flat=True).first()
