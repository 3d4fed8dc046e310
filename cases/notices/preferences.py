"""Who wants which notices by email as well. Every notice shows in the workspace; the email is each
person's choice per kind, read once per `notify` call (`services.notify`) so no caller can forget it.

Assignments, reassignments, gesture decisions and the customer reopening a case are emailed unless the
person turned them off; customer replies and @mentions arrive often and are emailed only when asked for.
"""

from collections.abc import Iterable, Mapping

from django.db import transaction

from cases.models import Notice, NoticePreference
from recovery.roles import User

EMAIL_OFF_BY_DEFAULT = frozenset({Notice.Kind.CUSTOMER_REPLY, Notice.Kind.MENTION})


def email_by_default(kind: str) -> bool:
    return kind not in EMAIL_OFF_BY_DEFAULT


def emailed(users: Iterable[User], *, kind: str) -> list[User]:
    """The people among `users` who want `kind` by email (one query)."""
    people = list(users)
    chosen = dict(
        NoticePreference.objects.filter(user__in=[u.pk for u in people], kind=kind).values_list(
            "user_id", "email"
        )
    )
    default = email_by_default(kind)
    return [user for user in people if chosen.get(user.pk, default)]


def email_choices(*, user: User) -> dict[str, bool]:
    """Every notice kind mapped to whether `user` gets it by email too."""
    chosen = dict(NoticePreference.objects.filter(user=user).values_list("kind", "email"))
    return {kind: chosen.get(kind, email_by_default(kind)) for kind in Notice.Kind.values}


@transaction.atomic
def set_email_choices(*, user: User, choices: Mapping[str, bool]) -> dict[str, bool]:
    """Store `user`'s email choice for each kind named in `choices`; unknown kinds are ignored."""
    for kind, email in choices.items():
        if kind in Notice.Kind.values:
            NoticePreference.objects.update_or_create(user=user, kind=kind, defaults={"email": email})
    return email_choices(user=user)
