import re
from dataclasses import dataclass
from datetime import datetime

from rest_framework.authtoken.models import Token

from recovery.errors import NotFound
from recovery.roles import User

PREFIX_LENGTH = 8  # enough to tell a person's tokens apart; the rest of the key is never shown again
_PREFIX = re.compile(rf"[0-9a-f]{{{PREFIX_LENGTH}}}")


@dataclass(frozen=True)
class TokenRow:
    prefix: str
    created: datetime


def tokens_of(user: User) -> list[TokenRow]:
    return [
        TokenRow(prefix=key[:PREFIX_LENGTH], created=created)
        for key, created in Token.objects.filter(user=user).order_by("created").values_list("key", "created")
    ]


def find(*, user: User, prefix: str) -> TokenRow:
    """`user`'s token starting with `prefix`; NotFound for anyone else's, or for a prefix that is not one."""
    for row in tokens_of(user) if _PREFIX.fullmatch(prefix or "") else ():
        if row.prefix == prefix:
            return row
    raise NotFound("No such token: it may have been revoked already.")


def revoke(*, user: User, prefix: str) -> None:
    """Delete `user`'s token starting with `prefix`: API requests with it answer 401 from now on."""
    find(user=user, prefix=prefix)
    Token.objects.filter(user=user, key__startswith=prefix).delete()
