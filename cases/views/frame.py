"""The counts the workspace's frame shows beside its links (a context processor). They are callables,
so only pages that draw them query them."""

from django.http import HttpRequest

from cases.gestures import selectors as gestures
from cases.notices import selectors as notices
from recovery.roles import is_agent, is_manager


def counts(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)

    def pending_approvals() -> int:
        return gestures.pending_gestures(user=user).count()  # type: ignore[arg-type]  # a manager

    def unread_notices() -> int:
        return notices.unread_count(user=user)  # type: ignore[arg-type]  # only offered to a case worker

    return {
        "pending_approvals": pending_approvals if user and is_manager(user) else 0,
        "unread_notices": unread_notices if user and is_agent(user) else 0,
    }
