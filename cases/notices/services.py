"""Writing notices. A notice belongs to one person; only they read it or mark it read."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from cases import outbox
from cases.models import Notice, RecoveryCase
from cases.notices import preferences
from recovery.errors import NotFound
from recovery.roles import User

TEXT_LENGTH = 500  # Notice.text's max_length


def notify(
    users: Iterable[User],
    *,
    kind: str,
    case: RecoveryCase | None,
    text: str,
    email_template: str = "",
    context: dict[str, Any] | None = None,
    dedupe_prefix: str | None = None,
) -> list[Notice]:
    """Tell each active user `text` in the workspace and, with `email_template`, by email as well to
    those whose preference for `kind` says so (`preferences`: assignments and decisions by default).

    Called inside the transaction of the event it reports: the notices and the outbox rows commit or
    roll back with it, and the emails leave after commit (`cases.outbox`), never inside the request.
    """
    people = [user for user in users if user.is_active]
    text = text if len(text) <= TEXT_LENGTH else text[: TEXT_LENGTH - 1] + "…"
    notices = Notice.objects.bulk_create([Notice(user=u, kind=kind, case=case, text=text) for u in people])
    if email_template:
        outbox.notify_users(
            preferences.emailed(people, kind=kind),
            template=email_template,
            context={"notice": text, **(context or {})},
            case=case,
            dedupe_prefix=dedupe_prefix,
        )
    return notices


@transaction.atomic
def mark_read(*, notice_id: int, user: User) -> Notice:
    """Mark one of `user`'s notices read; marking it again changes nothing. Another's notice is a 404."""
    try:
        notice = Notice.objects.select_for_update().get(pk=notice_id, user=user)
    except Notice.DoesNotExist:
        raise NotFound("No such notice.") from None
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    return notice


def mark_all_read(*, user: User) -> int:
    """Mark every unread notice of `user` read; how many were."""
    return Notice.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
