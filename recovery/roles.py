"""Who may do what. Groups are the roles; superusers count as managers."""

from enum import StrEnum
from typing import TYPE_CHECKING

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


# What each role may do in the back office (the Django admin), where agents and managers work cases in
# the browser. Stage actions need no permission of their own there: the workflow checks the role and
# who owns the case, as it does for the API. Kept on the groups by `accounts.grant_back_office_permissions`.
_AGENT_BACK_OFFICE = (
    "cases.add_recoverycase",
    "cases.change_recoverycase",
    "cases.view_recoverycase",
    "cases.view_caseevent",
    "cases.view_gesture",
    "cases.view_followup",
    "cases.view_rootcause",
    "cases.view_slapolicy",
    "cases.view_businesscalendar",
    "cases.view_openinghours",
    "cases.view_holiday",
    "feedback.view_customer",
    "feedback.view_feedback",
)
BACK_OFFICE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.AGENT: _AGENT_BACK_OFFICE,
    Role.MANAGER: (
        *_AGENT_BACK_OFFICE,
        "cases.add_rootcause",
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
    ),
}


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


def may_act_on(case, user) -> bool:
    """Agents work unassigned cases and their own; managers work every case."""
    if is_manager(user):
        return True
    return is_agent(user) and case.owner_id in (None, user.pk)


def require_case_worker(user, *, doing: str = "work recovery cases") -> None:
    """Refuse anyone who is not an agent or a manager: `doing` completes "Only agents and managers ..."."""
    if not is_agent(user):
        raise NotPermitted(f"Only agents and managers {doing}.")


def require_may_act_on(case, user, *, doing: str = "act on it") -> None:
    """Refuse an agent another agent's case: `doing` completes "only a manager may ..."."""
    if not may_act_on(case, user):
        raise NotPermitted(f"{case.reference} belongs to another agent; only a manager may {doing}.")


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
