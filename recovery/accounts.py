"""User accounts in their Mend roles: role grants and API tokens for people and REST clients."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from rest_framework.authtoken.models import Token

from recovery.errors import InvalidInput
from recovery.roles import ROLE_PERMISSIONS, STAFF_ROLES, Role, User


def grant_role(*, user: User, role: Role) -> None:
    """Put `user` in the group of `role`; granting a role twice is harmless. Managers become staff: they
    configure SLA policies, calendars and root causes in the Django admin. What anyone may do comes from
    the role (`roles.ROLE_PERMISSIONS`), never from staff status."""
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    user.__dict__.pop("_mend_group_names", None)  # drop the roles cache of `recovery.roles`
    if role in STAFF_ROLES and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


def revoke_role(*, user: User, role: Role) -> None:
    """Take `user` out of the group of `role` (single sign-on does, when the claims no longer grant it).
    Someone left in no staff role stops being staff, unless a superuser."""
    user.groups.remove(*Group.objects.filter(name=role))
    user.__dict__.pop("_mend_group_names", None)
    still_staff = user.is_superuser or user.groups.filter(name__in=STAFF_ROLES).exists()
    if role in STAFF_ROLES and user.is_staff and not still_staff:
        user.is_staff = False
        user.save(update_fields=["is_staff"])


@transaction.atomic
def issue_token(*, username: str, role: Role, create: bool = False, trusted: bool = False) -> str:
    """The API token key of `username` in `role`, creating the user only when `create` is set.

    `trusted` (intake clients) also lets it change a known customer's name, email or phone, or fill
    one that is blank.
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
    if trusted:
        grant_role(user=user, role=Role.TRUSTED_INTAKE)
    token, _ = Token.objects.get_or_create(user=user)
    return token.key


def ensure_role_groups(**_signal: object) -> None:
    """Make sure every role's group exists and carries no stored permissions (they would be ignored:
    `roles.RolePermissionBackend` reads `ROLE_PERMISSIONS`), and that managers are staff.

    Run after every `migrate` (and so after a test database is flushed).
    """
    for role in ROLE_PERMISSIONS:
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.clear()
    get_user_model().objects.filter(groups__name__in=STAFF_ROLES, is_staff=False).update(is_staff=True)
