"""Who may do what. Groups are the roles; superusers count as managers."""

from enum import StrEnum
from typing import TYPE_CHECKING

from django.contrib.auth.backends import ModelBackend

from recovery.errors import NotPermitted

# Who acts, in a service's signature. Mend runs on Django's own user model (AUTH_USER_MODEL is not
# swapped); at run time the name only has to exist, so it is the abstract base, importable early.
if TYPE_CHECKING:
    from django.contrib.auth.models import User
else:
    from django.contrib.auth.models import AbstractUser

    User = AbstractUser


class Role(StrEnum):
    AGENT = "agents"
    MANAGER = "managers"
    INTAKE = "intake"
    # An intake client whose word is trusted about a known customer's contact details: it may change
    # an existing name, email or phone. Granted by `issue_token --trusted` or, in the admin, this group.
    TRUSTED_INTAKE = "trusted-intake"


# The one table of who may do what. `RolePermissionBackend` answers `user.has_perm(...)` from it, so the
# services (through `require_permission`), the API and the Django admin ask the same question and get the
# same answer; group permissions stored in the database are not consulted. Superusers may do anything.
# Stage actions need no permission of their own: the workflow checks the role and who owns the case.
_AGENT = frozenset(
    {
        "cases.add_recoverycase",
        "cases.change_recoverycase",
        "cases.view_recoverycase",
        "cases.view_caseevent",
        "cases.view_gesture",
        "cases.view_followup",
        # Agents name a root cause as they find one and link their cases to it; what is done about it
        # (status, owner, corrective action, verification) is a manager's call.
        "cases.view_rootcause",
        "cases.add_rootcause",
        "cases.link_rootcause",
        "cases.view_slapolicy",
        "cases.view_businesscalendar",
        "cases.view_openinghours",
        "cases.view_holiday",
        "cases.view_exchangerate",
        "feedback.add_feedback",
        "feedback.view_customer",
        "feedback.view_feedback",
    }
)
_MANAGER = _AGENT | {
    "cases.change_rootcause",
    "cases.change_slapolicy",
    "cases.add_businesscalendar",
    "cases.change_businesscalendar",
    "cases.add_openinghours",
    "cases.change_openinghours",
    "cases.delete_openinghours",
    "cases.add_holiday",
    "cases.change_holiday",
    "cases.delete_holiday",
    "cases.view_notification",
    "cases.view_slaalert",
    # The rates that price gestures in other currencies against the agents' limit.
    "cases.add_exchangerate",
    "cases.change_exchangerate",
    "cases.delete_exchangerate",
    # The data subject's rights: export everything about a customer, or erase them.
    "feedback.export_customer",
    "feedback.erase_customer",
    "feedback.view_datasubjectrequest",
}
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.AGENT: _AGENT,
    Role.MANAGER: _MANAGER,
    Role.INTAKE: frozenset({"feedback.add_feedback"}),
    Role.TRUSTED_INTAKE: frozenset({"feedback.add_feedback", "feedback.change_customer_contact"}),
}
# Managers configure SLA policies, calendars and root causes in the Django admin, so they are staff;
# agents work in the workspace and never need the admin.
STAFF_ROLES = frozenset({Role.MANAGER})


class RolePermissionBackend(ModelBackend):
    """Django's password authentication; permissions from `ROLE_PERMISSIONS` and the user's groups.

    The group names are read once per request (or with the API token, `preload_group_names`), so a
    permission check costs no query.
    """

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or obj is not None:
            return set()
        return set().union(*(ROLE_PERMISSIONS.get(name, ()) for name in group_names(user_obj)))

    def get_all_permissions(self, user_obj, obj=None):
        # Not ModelBackend's: for a superuser it reads every permission from the database, and
        # `User.has_perm` answers True for an active superuser before asking any backend anyway.
        return self.get_group_permissions(user_obj, obj)


def require_permission(user, permission: str, *, message: str) -> None:
    """The one way a service refuses for want of a permission: `message` is what the person is told."""
    if user is None or not user.has_perm(permission):
        raise NotPermitted(message)


def group_names(user) -> frozenset[str]:
    # Cached on the user object: one query per request, however many checks a request makes.
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_mend_group_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._mend_group_names = cached
    return cached


def is_manager(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or Role.MANAGER in group_names(user)


def is_agent(user) -> bool:
    """Agents and managers work cases."""
    return is_manager(user) or Role.AGENT in group_names(user)


def require_case_worker(user, *, doing: str = "work recovery cases") -> None:
    """Refuse anyone who is not an agent or a manager: `doing` completes "Only agents and managers ..."."""
    if not is_agent(user):
        raise NotPermitted(f"Only agents and managers {doing}.")


def may_submit_feedback(user) -> bool:
    return is_agent(user) or Role.INTAKE in group_names(user)


def managers():
    """Active managers with an email address: who hears of SLA breaches and escalations."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    return (
        get_user_model()
        .objects.filter(Q(is_superuser=True) | Q(groups__name=Role.MANAGER), is_active=True)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def preload_group_names(user, names) -> None:
    """Give the role checks `user`'s group names read along with the user, sparing them a query."""
    user._mend_group_names = frozenset(names)


def case_workers():
    """Active agents and managers, by name: who may own a case or a root cause."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    return (
        get_user_model()
        .objects.filter(Q(is_superuser=True) | Q(groups__name__in=[Role.AGENT, Role.MANAGER]), is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
