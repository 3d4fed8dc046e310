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
from recovery.roles import User, is_manager

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
