"""Reading a person's notices: the bell's count and the list."""

from django.db.models import QuerySet

from cases.models import Notice
from cases.teams.scope import case_scope
from recovery.roles import User

# The list shows a person's latest notices; older ones have done their job.
LIST_LENGTH = 50


def _theirs(user: User) -> QuerySet[Notice]:
    """`user`'s notices, but for those about a case they may no longer see (it moved to another team):
    a notice never links to a case that answers 404."""
    return Notice.objects.filter(case_scope(user, through="case"), user=user)


def unread_count(*, user: User) -> int:
    return _theirs(user).filter(read_at__isnull=True).count()


def latest(*, user: User) -> QuerySet[Notice]:
    """`user`'s latest notices, newest first, with the case each is about."""
    return (
        _theirs(user)
        .select_related("case")
        .only("kind", "text", "created_at", "read_at", "case__id", "case__title")
        .order_by("-created_at", "-id")[:LIST_LENGTH]
    )
