"""Which cases a person may see and act on. The one place the rule is written: the queue, every case
page and endpoint, mentions and exports filter through it, and a case outside it answers 404.

- While no team exists, everyone sees every case (one shared pool).
- Admins, and managers who belong to or lead no team, see everything.
- Everyone else sees the cases of the teams they belong to or lead, the cases with no team, and the
  cases they own.
"""

from django.db.models import Q

from cases.teams.models import Team
from recovery.roles import User, is_manager

EVERYTHING = Q()


def case_scope(user: User) -> Q:
    """A filter on `RecoveryCase` for what `user` may see (`EVERYTHING` when unrestricted)."""
    if user.is_superuser:
        return EVERYTHING
    teams = Team.objects.filter(Q(members=user) | Q(leads=user))
    team_ids = list(teams.values_list("id", flat=True).distinct())
    if not team_ids and (is_manager(user) or not Team.objects.exists()):
        return EVERYTHING
    return Q(team__isnull=True) | Q(team_id__in=team_ids) | Q(owner_id=user.pk)


def may_see(user: User, case) -> bool:
    """Whether `user` may see `case` (a `RecoveryCase`), by the same rule as `case_scope`."""
    scope = case_scope(user)
    if scope is EVERYTHING:
        return True
    return type(case).objects.filter(scope, pk=case.pk).exists()
