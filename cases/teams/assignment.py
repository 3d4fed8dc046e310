"""Assignment: the team a new case goes to and the agent inside it who gets it, in the triage
transaction.

The team's row is locked (SELECT ... FOR UPDATE) before its members are counted or its round-robin
cursor read, so concurrent intakes for one team take turns: each sees the case the one before it
assigned, and two never pick the same agent off the same stale count.
"""

from datetime import datetime

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import events
from cases.models import CaseEvent, Notice, RecoveryCase, Stage
from cases.notices.services import notify
from cases.sla import clock as sla
from cases.teams import routing
from cases.teams.models import Team
from feedback.conditions import FeedbackFacts
from recovery.roles import User


def place_new_case(*, case: RecoveryCase, facts: FeedbackFacts) -> None:
    """Route a just-opened `case` to its team and give it to an agent there, as the team's mode says;
    with nobody eligible (or in `manual` mode) it waits in the team's pool. No team: nothing changes,
    and the first agent to act takes the case, as before teams. Precondition: inside the case's
    transaction, with the case saved."""
    destination = routing.route(facts)
    if destination is None:
        return
    team = Team.objects.select_for_update().filter(pk=destination.team_id).first()
    if team is None:  # deleted while this intake ran: the case stays everyone's
        return
    case.team = team
    agent = pick_agent(team, now=timezone.now())
    case.owner = agent
    if team.calendar_id is None:
        case.save(update_fields=["team", "owner", "updated_at"])
    else:  # the team's business calendar counts its SLA time: the clocks start again in it
        sla.start_clock(case, start=case.sla_started_at)
        case.save()
        sla.set_alarm(case)
    events.record(
        case,
        CaseEvent.Kind.TEAM_CHANGED,
        message=_("Routed to %(team)s by %(reason)s.") % {"team": team.name, "reason": destination.reason},
        data={"from": None, "to": team.slug, "rule": destination.rule_id},
    )
    if agent is None:
        return
    if team.assignment == Team.Assignment.ROUND_ROBIN:  # its cursor; the other modes need none
        team.last_assigned = agent
        team.save(update_fields=["last_assigned"])
    mode = team.get_assignment_display().lower()
    events.record(
        case,
        CaseEvent.Kind.ASSIGNED,
        message=_("Assigned to %(agent)s (%(mode)s in %(team)s)")
        % {"agent": agent.get_username(), "mode": mode, "team": team.name},
        data={"from": None, "to": agent.pk, "team": team.slug, "by": team.assignment},
    )
    notify(
        [agent],
        kind=Notice.Kind.ASSIGNED,
        case=case,
        text=_("%(reference)s was assigned to you (%(team)s).")
        % {"reference": case.reference, "team": team.name},
        email_template="case_assignment",
    )


def pick_agent(team: Team, *, now: datetime) -> User | None:
    """The member who gets the team's next case, or None (manual mode, or nobody eligible).

    Eligible: active, not away at `now`, and under the team's cap of open cases when it has one.
    `round_robin` takes the next eligible member after the last one given a case (by id, wrapping
    round); `least_open` the one holding the fewest open cases (the lower id on a tie).
    Precondition: the caller holds the team's row lock.
    """
    if team.assignment == Team.Assignment.MANUAL:
        return None
    candidates = available_members(team, now=now)
    if team.assignment == Team.Assignment.LEAST_OPEN or team.max_open_per_agent is not None:
        counts = open_case_counts([member.pk for member in candidates])
        cap = team.max_open_per_agent
        candidates = [m for m in candidates if cap is None or counts.get(m.pk, 0) < cap]
        if team.assignment == Team.Assignment.LEAST_OPEN:
            return min(candidates, key=lambda m: (counts.get(m.pk, 0), m.pk), default=None)
    if not candidates:
        return None
    after = team.last_assigned_id or 0
    return next((member for member in candidates if member.pk > after), candidates[0])


def available_members(team: Team, *, now: datetime) -> list[User]:
    """`team`'s active members who are not away at `now`, by id: only what a case's owner and its
    timeline line need of them."""
    return list(
        team.members.filter(is_active=True)
        .exclude(agent_status__away_until__gt=now)
        .only("id", "username", "first_name", "last_name", "is_active")
        .order_by("pk")
    )


def open_case_counts(user_ids: list[int]) -> dict[int, int]:
    """How many open cases each of the users owns, in one grouped query over the (owner, stage) index;
    users with none are absent."""
    if not user_ids:
        return {}
    rows = (
        RecoveryCase.objects.filter(owner_id__in=user_ids)
        .exclude(stage=Stage.CLOSED)
        .order_by()
        .values_list("owner_id")
        .annotate(n=Count("pk"))
    )
    return dict(rows)
