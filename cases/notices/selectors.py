"""Reading a person's notices: the bell's count and the list."""

from django.db.models import QuerySet

from cases.models import Notice
from recovery.roles import User

# The list shows a person's latest notices; older ones have done their job.
LIST_LENGTH = 50


def unread_count(*, user: User) -> int:
    return Notice.objects.filter(user=user, read_at__isnull=True).count()


def latest(*, user: User) -> QuerySet[Notice]:
    """`user`'s latest notices, newest first, with the case each is about."""
    return (
        Notice.objects.filter(user=user)
        .select_related("case")
        .only("kind", "text", "created_at", "read_at", "case__id", "case__title")
        .order_by("-created_at", "-id")[:LIST_LENGTH]
    )
