"""@mentions in internal notes: who may be named, and telling the named.

A mention is `@` and a username, not preceded by a word character (so `ana@example.com` is no
mention). Only colleagues who may see the case (`cases.teams.scope.may_see`) can be mentioned: naming
anyone else refuses the whole note with the reason, before anything is written.
"""

import re

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext as _

from cases.models import Notice, RecoveryCase
from cases.notices.services import notify
from cases.presence.services import display_name
from cases.teams.scope import may_see
from recovery.errors import InvalidInput
from recovery.roles import User, case_workers

MENTION = re.compile(r"(?<![\w@.+-])@([\w.+-]*\w)")
# The list under the cursor: a handful to pick from while typing, not a directory.
OFFERED = 8


def named(body: str) -> list[str]:
    """The usernames `body` mentions, each once, in order."""
    return list(dict.fromkeys(MENTION.findall(body or "")))


def mentioned(*, case: RecoveryCase, body: str) -> list[User]:
    """The colleagues `body` mentions. InvalidInput (field "body") naming the first who is unknown, or
    who may not see `case`, with the reason."""
    names = named(body)
    if not names:
        return []
    people = {u.get_username().lower(): u for u in get_user_model().objects.filter(username__in=names)}
    found = []
    for name in names:
        user = people.get(name.lower())
        if user is None or not user.is_active:
            raise InvalidInput(_("Nobody at Mend is called @%(name)s.") % {"name": name}, field="body")
        if not case_workers().filter(pk=user.pk).exists() or not may_see(user, case):
            raise InvalidInput(
                _(
                    "@%(name)s may not see %(case)s (it is not one of their teams' cases), "
                    "so cannot be mentioned."
                )
                % {"name": name, "case": case.reference},
                field="body",
            )
        found.append(user)
    return found


def tell_mentioned(people: list[User], *, case: RecoveryCase, actor: User, body: str) -> None:
    """Notify each mentioned colleague but the writer; the email follows their preference."""
    told = [user for user in people if user.pk != actor.pk]
    if not told:
        return
    text = _("%(who)s mentioned you on %(case)s: %(body)s") % {
        "who": display_name(actor),
        "case": case.reference,
        "body": body,
    }
    notify(
        told,
        kind=Notice.Kind.MENTION,
        case=case,
        text=text,
        email_template="mention",
        context={"author": actor, "body": body},
    )


def candidates(*, case: RecoveryCase, user: User, query: str) -> list[User]:
    """Colleagues who may see `case` whose username or name starts with `query`, for the `@` list."""
    query = query.strip().lstrip("@")
    people = case_workers().exclude(pk=user.pk)
    if query:
        people = people.filter(
            Q(username__istartswith=query)
            | Q(first_name__istartswith=query)
            | Q(last_name__istartswith=query)
        )
    offered = []
    for person in people[: OFFERED * 4]:  # some may not see the case: look a little further
        if may_see(person, case):
            offered.append(person)
            if len(offered) == OFFERED:
                break
    return offered
