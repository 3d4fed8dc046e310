"""User accounts in their Mend roles: role grants and API tokens for people and REST clients."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from rest_framework.authtoken.models import Token

from .errors import InvalidInput
from .roles import Role


def grant_role(*, user, role: Role) -> None:
    """Put `user` in the group of `role`; granting a role twice is harmless. Agents and managers work
    cases in the back office, so they become staff (what they may do there comes with their group,
    migration `cases.0015`)."""
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    user.__dict__.pop("_mend_group_names", None)  # drop the roles cache of `cases.roles`
    if role in (Role.AGENT, Role.MANAGER) and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


@transaction.atomic
def issue_token(*, username: str, role: Role, create: bool = False) -> str:
    """The API token key of `username` in `role`, creating the user only when `create` is set.

    Issuing again returns the same key: a client configured with it keeps working.
    """
    username = (username or "").strip()
    if not username:
        raise InvalidInput("A username is required.", field="username")
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        if not create:
            raise InvalidInput(f"No user named '{username}'; pass --create to create it.", field="username")
        user = User.objects.create_user(username=username)  # no password: it signs in by token only
    grant_role(user=user, role=role)
    token, _ = Token.objects.get_or_create(user=user)
    return token.key
