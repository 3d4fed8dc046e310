"""Which cases a person may see and act on. The one place the rule is written: the queue, every case
page and endpoint, mentions and exports filter through it, and a case outside it answers 404.

- While no team exists, everyone sees every case (one shared pool).
- Admins, and managers who belong to or lead no team, see everything.
- Everyone else sees the cases of the teams they belong to or lead, the cases with no team, and the
  cases they own.

The rule has two renderings side by side below, kept in step: `case_scope` (a filter, for lists and
lookups) and `may_see` (a check of one loaded case, for the services' guards, costing no query).
"""

from django.db.models import Exists, OuterRef, Q

from cases.teams.models import Team
from recovery.errors import NotFound, NotPermitted
from recovery.roles import User, is_agent, is_manager

EVERYTHING = Q()


def case_scope(user: User, *, through: str = "") -> Q:
    """A filter for what `user` may see (`EVERYTHING` when unrestricted): on `RecoveryCase`, or with
    `through` (e.g. "case") on a model that reaches a case by that relation."""
    teams = _team_ids(user)
    if teams is None:
        return EVERYTHING
    prefix = f"{through}__" if through else ""
    scope = Q(**{f"{prefix}team__isnull": True}) | Q(**{f"{prefix}owner_id": user.pk})
    if teams:
        scope |= Q(**{f"{prefix}team_id__in": sorted(teams)})
    return scope


def sees_everything(user: User) -> bool:
    """Whether `case_scope(user)` is `EVERYTHING`: no team exists, or `user` is an admin or a manager
    who belongs to and leads no team."""
    return _team_ids(user) is None


def may_see(user: User, case) -> bool:
    """Whether `user` may see `case` (a `RecoveryCase` with its `team_id` and `owner_id` loaded), by
    the same rule as `case_scope`."""
    teams = _team_ids(user)
    if teams is None:
        return True
    return case.team_id is None or case.owner_id == user.pk or case.team_id in teams


def _team_ids(user: User) -> frozenset[int] | None:
    """The teams `user` belongs to or leads; None when they may see everything.

    One query on the (small) team table answers both "do teams exist?" and "which are theirs?". Cached
    on the user object, as `recovery.roles.group_names` is: a request asks many times, and pays once.
    """
    if getattr(user, "is_superuser", False):
        return None
    cached = getattr(user, "_mend_case_teams", False)
    if cached is not False:
        return cached
    membership = Team.members.through.objects.filter(team_id=OuterRef("pk"), user_id=user.pk)
    leading = Team.leads.through.objects.filter(team_id=OuterRef("pk"), user_id=user.pk)
    rows = list(
        Team.objects.order_by()
        .annotate(member=Exists(membership), lead=Exists(leading))
        .values_list("pk", "member", "lead")
    )
    mine = frozenset(pk for pk, member, lead in rows if member or lead)
    teams = None if not rows or (not mine and is_manager(user)) else mine
    user._mend_case_teams = teams
    return teams


# Acting on a case: within what one may see, agents work unassigned cases and their own, managers every case.
def may_act_on(case, user) -> bool:
    """Agents work unassigned cases and their own; managers work every case; both only within what
    they may see (`cases.teams.scope`)."""
    if not may_see(user, case):
        return False
    if is_manager(user):
        return True
    return is_agent(user) and case.owner_id in (None, user.pk)


def require_may_act_on(case, user, *, doing: str = "act on it") -> None:
    """Refuse an agent another agent's case: `doing` completes "only a manager may ...". A case
    outside the user's teams is not found (`require_may_see`)."""
    require_may_see(case, user)
    if not may_act_on(case, user):
        owner = case.owner.get_full_name() or case.owner.get_username()  # only an owned case is refused
        raise NotPermitted(
            f"{case.reference} belongs to another agent ({owner}); only a manager may {doing}."
        )


def require_may_see(case, user) -> None:
    """A case outside what `user` may see is not found, as on every page and endpoint: a service asks
    this before any other check, so no refusal tells of another team's case (its stage, its owner)."""
    if not may_see(user, case):
        raise NotFound(f"No case {case.reference}.")
