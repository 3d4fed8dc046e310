"""User accounts in their Mend roles: role grants and API tokens for people and REST clients."""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from rest_framework.authtoken.models import Token

from recovery.errors import InvalidInput
from recovery.roles import BACK_OFFICE_PERMISSIONS, Role, User


def grant_role(*, user: User, role: Role) -> None:
    """Put `user` in the group of `role`; granting a role twice is harmless. Agents and managers work
    cases in the back office, so they become staff (what they may do there comes with their group:
    `roles.BACK_OFFICE_PERMISSIONS`)."""
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    user.__dict__.pop("_mend_group_names", None)  # drop the roles cache of `recovery.roles`
    if role in BACK_OFFICE_PERMISSIONS and not user.is_staff:
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


def grant_back_office_permissions(**_signal: object) -> None:
    """Give each role's group exactly its `BACK_OFFICE_PERMISSIONS`, and make their members staff.

    Run after every `migrate` (and so after a test database is flushed), like Django's own creation
    of permissions, which it first makes sure of: the roles' permissions span two apps.
    """
    for app_label in ("cases", "feedback"):
        create_permissions(apps.get_app_config(app_label), verbosity=0)
    for role, names in BACK_OFFICE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = {tuple(name.split(".")) for name in names}
        permissions = Permission.objects.select_related("content_type").filter(
            content_type__app_label__in={app_label for app_label, _ in wanted}
        )
        group.permissions.set(
            [perm for perm in permissions if (perm.content_type.app_label, perm.codename) in wanted]
        )
    get_user_model().objects.filter(groups__name__in=BACK_OFFICE_PERMISSIONS, is_staff=False).update(
        is_staff=True
    )
