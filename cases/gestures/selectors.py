"""Reads about gestures for the screens: the managers' approval inbox."""

from django.db.models import QuerySet

from cases.models import Gesture
from cases.teams.scope import case_scope
from recovery.roles import User

# The inbox shows the oldest waiting gestures first; more than this waiting at once is a backlog to
# work down, not a page to scroll.
INBOX_LIMIT = 100


def visible_gestures(*, user: User) -> QuerySet[Gesture]:
    """The gestures on cases `user` may see (`cases.teams.scope`); another team's are not found."""
    return Gesture.objects.filter(case_scope(user, through="case"))


def pending_gestures(*, user: User) -> QuerySet[Gesture]:
    """Gestures waiting for a manager on cases `user` may see, oldest first, with their case, customer
    and requesting agent."""
    return (
        visible_gestures(user=user)
        .filter(status=Gesture.Status.PENDING_APPROVAL)
        .select_related("case__customer", "requested_by", "rule")
        .only(
            "kind",
            "amount",
            "currency",
            "description",
            "status",
            "created_at",
            "base_amount",
            "base_currency",
            "rate_as_of",
            "case__title",
            "case__stage",
            "case__severity",
            "case__customer__name",
            "case__customer__email",
            "case__customer__external_id",
            "requested_by__username",
            "requested_by__first_name",
            "requested_by__last_name",
            "rule__name",
        )
        .order_by("created_at", "id")
    )


def approvers() -> QuerySet:
    """Who may decide a waiting gesture: every active manager (superusers count), by name."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from recovery.roles import Role

    return (
        get_user_model()
        .objects.filter(Q(is_superuser=True) | Q(groups__name=Role.MANAGER), is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "username")
        .only("username", "first_name", "last_name")
    )
