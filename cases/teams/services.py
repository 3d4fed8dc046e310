"""Teams, routing rules and away status: the rules for making, changing and deleting them.

The API and the workspace both call these; every check is written here once. Values arrive as the
caller parsed them (JSON or form), and anything that does not fit is an `InvalidInput` naming its field,
with nothing stored.
"""

from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import events
from cases.metrics import facts
from cases.models import BusinessCalendar, CaseEvent, Notice, RecoveryCase, Stage
from cases.notices.services import notify
from cases.teams import routing
from cases.teams.models import AgentStatus, RoutingRule, Team
from feedback import conditions
from recovery.errors import InvalidInput, NotFound, NotPermitted
from recovery.roles import User, is_agent, is_manager

TEAM_FIELDS = ("name", "slug", "members", "leads", "assignment", "max_open_per_agent", "default", "calendar")
RULE_FIELDS = ("position", "team", "conditions")
NAME_LENGTH = 100
SLUG_LENGTH = 50


def require_manager(actor: User) -> None:
    if not is_manager(actor):
        raise NotPermitted(_("Only managers run teams and routing rules."))


# Teams ----------------------------------------------------------------------------------------------


def teams_listed() -> QuerySet[Team]:
    """Every team by name, with its members, leads and their away status in one query each."""
    return Team.objects.prefetch_related("members__agent_status", "leads", "routing_rules").select_related(
        "calendar"
    )


def team_named(slug: str) -> Team:
    team = teams_listed().filter(slug=slug).first()
    if team is None:
        raise NotFound(_("No team has the slug '%(slug)s'.") % {"slug": slug})
    return team


@transaction.atomic
def create_team(*, actor: User, values: dict[str, Any]) -> Team:
    """A new team. Without `leads` the manager who makes it leads it: a team has at least one lead."""
    require_manager(actor)
    values = _parsed_team(values, partial=False)
    values.setdefault("leads", [actor])
    return _save_team(Team(), values)


@transaction.atomic
def update_team(*, actor: User, slug: str, values: dict[str, Any]) -> Team:
    require_manager(actor)
    team = _locked_team(slug)
    return _save_team(team, _parsed_team(values, partial=True, team=team))


@transaction.atomic
def delete_team(*, actor: User, slug: str) -> int:
    """Delete a team and its routing rules. Its cases go to no team (everyone's), each with an event on
    its timeline; the owners keep them. How many cases moved. Once no team is left, Mend is one pool."""
    require_manager(actor)
    team = _locked_team(slug)  # an intake routing to it waits, then finds it gone (no team)
    moved = list(RecoveryCase.objects.select_for_update().filter(team=team).order_by("pk"))
    RecoveryCase.objects.filter(pk__in=[case.pk for case in moved]).update(
        team=None, updated_at=timezone.now()
    )
    message = _("Team %(team)s was deleted; the case belongs to no team now.") % {"team": team.name}
    for case in moved:
        events.record(
            case,
            CaseEvent.Kind.TEAM_CHANGED,
            actor=actor,
            message=message,
            data={"from": team.slug, "to": None},
        )
    team.delete()
    return len(moved)


def _locked_team(slug: str) -> Team:
    team = Team.objects.select_for_update().filter(slug=slug).first()
    if team is None:
        raise NotFound(_("No team has the slug '%(slug)s'.") % {"slug": slug})
    return team


def _save_team(team: Team, values: dict[str, Any]) -> Team:
    people = {name: values.pop(name) for name in ("members", "leads") if name in values}
    if "default" in values:
        values["is_default"] = values.pop("default")
    if values.get("is_default") and Team.objects.filter(is_default=True).exclude(pk=team.pk).exists():
        raise InvalidInput(_("Another team is the default already; only one team can be."), field="default")
    for name, value in values.items():
        setattr(team, name, value)
    try:
        with transaction.atomic():  # a savepoint: a clash must leave the caller's transaction usable
            team.save()
    except IntegrityError:
        raise _clash(team) from None
    for name, users in people.items():
        getattr(team, name).set(users)
    return team_named(team.slug)


def _clash(team: Team) -> InvalidInput:
    if Team.objects.filter(slug=team.slug).exclude(pk=team.pk).exists():
        return InvalidInput(_("Another team has the slug '%(slug)s'.") % {"slug": team.slug}, field="slug")
    if Team.objects.filter(name=team.name).exclude(pk=team.pk).exists():
        return InvalidInput(_("Another team has the name '%(name)s'.") % {"name": team.name}, field="name")
    return InvalidInput(_("Another team is the default already; only one team can be."), field="default")


def _parsed_team(values: dict[str, Any], *, partial: bool, team: Team | None = None) -> dict[str, Any]:
    _refuse_unknown(values, TEAM_FIELDS, what=_("a team"))
    if not partial:
        for required in ("name", "slug"):
            if required not in values:
                _TEAM_PARSERS[required](None)  # raises the field's own "required" message
    parsed = {name: _TEAM_PARSERS[name](value) for name, value in values.items()}
    if "leads" in parsed and not parsed["leads"]:
        raise InvalidInput(_("A team needs at least one lead manager."), field="leads")
    return parsed


def _refuse_unknown(values: dict[str, Any], known: tuple[str, ...], *, what: str) -> None:
    unknown = [name for name in values if name not in known]
    if unknown:
        raise InvalidInput(
            _("Unknown field %(field)r; %(what)s has %(fields)s.")
            % {"field": unknown[0], "what": what, "fields": ", ".join(known)},
            field=unknown[0],
        )


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(_("A team needs a name."), field="name")
    if len(value.strip()) > NAME_LENGTH:
        raise InvalidInput(_("A team's name is at most %(n)d characters.") % {"n": NAME_LENGTH}, field="name")
    return value.strip()


def _slug(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(_("A team needs a slug (letters, digits, - and _)."), field="slug")
    value = value.strip()
    if (
        len(value) > SLUG_LENGTH
        or value == "none"  # the case list's `?team=none` means the cases of no team
        or not all(c.isascii() and (c.isalnum() or c in "-_") for c in value)
    ):
        raise InvalidInput(
            _("A slug is up to %(n)d letters, digits, hyphens or underscores.") % {"n": SLUG_LENGTH},
            field="slug",
        )
    return value


def _users(field: str, *, managers_only: bool = False):
    def parse(value: Any) -> list[User]:
        if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
            raise InvalidInput(
                _("%(field)s is a list of usernames.") % {"field": field.capitalize()}, field=field
            )
        found = {user.get_username(): user for user in get_user_model().objects.filter(username__in=value)}
        unknown = [name for name in value if name not in found]
        if unknown:
            raise InvalidInput(
                _("Unknown username %(names)s in %(field)s.")
                % {"names": ", ".join(map(repr, unknown)), "field": field},
                field=field,
            )
        check, role = (
            (is_manager, _("a manager")) if managers_only else (is_agent, _("an agent or a manager"))
        )
        refused = [name for name, user in found.items() if not user.is_active or not check(user)]
        if refused:
            raise InvalidInput(
                _("%(names)s in %(field)s is not an active %(role)s.")
                % {"names": ", ".join(map(repr, refused)), "field": field, "role": role},
                field=field,
            )
        return list(found.values())

    return parse


def _assignment(value: Any) -> str:
    if value not in Team.Assignment.values:
        raise InvalidInput(
            _("Assignment is one of %(modes)s.") % {"modes": ", ".join(Team.Assignment.values)},
            field="assignment",
        )
    return value


def _cap(value: Any) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise InvalidInput(
            _("The cap is a whole number of at least 1, or null for none."), field="max_open_per_agent"
        )
    return value


def _default(value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(_("Default is true or false."), field="default")
    return value


def _calendar(value: Any) -> BusinessCalendar | None:
    if value is None:
        return None
    calendar = BusinessCalendar.objects.filter(pk=value).first() if isinstance(value, int) else None
    if calendar is None:
        raise InvalidInput(_("No business calendar has this id."), field="calendar")
    return calendar


_TEAM_PARSERS = {
    "name": _name,
    "slug": _slug,
    "members": _users("members"),
    "leads": _users("leads", managers_only=True),
    "assignment": _assignment,
    "max_open_per_agent": _cap,
    "default": _default,
    "calendar": _calendar,
}


# Routing rules --------------------------------------------------------------------------------------


def rules_listed() -> QuerySet[RoutingRule]:
    return RoutingRule.objects.select_related("team").order_by("position", "id")


def rule_numbered(rule_id: int) -> RoutingRule:
    rule = rules_listed().filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(_("No routing rule has the id %(id)s.") % {"id": rule_id})
    return rule


@transaction.atomic
def create_rule(*, actor: User, values: dict[str, Any]) -> RoutingRule:
    """A new rule; without a position it goes last (tried after every other)."""
    require_manager(actor)
    parsed = _parsed_rule(values, partial=False)
    if "position" not in parsed:
        last = RoutingRule.objects.aggregate(last=Max("position"))["last"]
        parsed["position"] = 1 if last is None else last + 1
    rule = RoutingRule(**parsed)
    rule.save(force_insert=True)
    return rule


@transaction.atomic
def update_rule(*, actor: User, rule_id: int, values: dict[str, Any]) -> RoutingRule:
    require_manager(actor)
    rule = RoutingRule.objects.select_for_update().filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(_("No routing rule has the id %(id)s.") % {"id": rule_id})
    for name, value in _parsed_rule(values, partial=True).items():
        setattr(rule, name, value)
    rule.save()
    return rule


@transaction.atomic
def move_rule(*, actor: User, rule_id: int, step: int) -> RoutingRule:
    """Swap a rule with its neighbour in the order rules are tried (`step` -1: earlier, 1: later), then
    number every rule 1, 2, 3... so that equal positions set through the API become a plain order. At
    either end the order stays. Every rule is locked: two managers moving rules at once take turns."""
    require_manager(actor)
    rules = list(RoutingRule.objects.select_for_update().order_by("position", "id"))
    index = next((n for n, rule in enumerate(rules) if rule.pk == rule_id), None)
    if index is None:
        raise NotFound(_("No routing rule has the id %(id)s.") % {"id": rule_id})
    other = index + step
    if 0 <= other < len(rules):
        rules[index], rules[other] = rules[other], rules[index]
    changed = []
    for position, rule in enumerate(rules, start=1):
        if rule.position != position:
            rule.position = position
            changed.append(rule)
    RoutingRule.objects.bulk_update(changed, ["position"])
    return next(rule for rule in rules if rule.pk == rule_id)


@transaction.atomic
def delete_rule(*, actor: User, rule_id: int) -> None:
    require_manager(actor)
    if not RoutingRule.objects.filter(pk=rule_id).delete()[0]:
        raise NotFound(_("No routing rule has the id %(id)s.") % {"id": rule_id})


def _parsed_rule(values: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    _refuse_unknown(values, RULE_FIELDS, what=_("a routing rule"))
    if not partial:
        for required in ("team", "conditions"):
            if required not in values:
                _RULE_PARSERS[required](None)
    return {name: _RULE_PARSERS[name](value) for name, value in values.items()}


def _position(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 2_147_483_647:
        raise InvalidInput(
            _("The position is a whole number, 0 or more; lower goes first."), field="position"
        )
    return value


def _rule_team(value: Any) -> Team:
    team = Team.objects.filter(slug=value).first() if isinstance(value, str) else None
    if team is None:
        raise InvalidInput(_("The team is the slug of an existing team."), field="team")
    return team


def _conditions(value: Any) -> dict[str, Any]:
    try:
        return conditions.validate(value, allowed=routing.CONDITION_KEYS)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), field="conditions") from None


_RULE_PARSERS = {"position": _position, "team": _rule_team, "conditions": _conditions}


# Away status ----------------------------------------------------------------------------------------


@transaction.atomic
def set_away(*, actor: User, username: str, away_until: datetime | None) -> AgentStatus:
    """Mark `username` away until `away_until` (None: back now). Only they or a manager may.

    Going away hands their untouched new cases (still `new`, nobody but Mend has written on them since)
    back to their team's pool, each with an event, so a colleague picks them up.
    """
    user = get_user_model().objects.filter(username=username).first()
    if user is None or not is_agent(user):
        raise NotFound(_("No agent has the username '%(username)s'.") % {"username": username})
    if actor.pk != user.pk and not is_manager(actor):
        raise NotPermitted(_("Only the agent themself or a manager may change their away status."))
    status, _created = AgentStatus.objects.select_for_update().get_or_create(user=user)
    status.away_until = away_until
    status.save()
    if away_until is not None and away_until > timezone.now():
        _return_untouched_cases(user, actor=actor)
    return status


def _return_untouched_cases(agent: User, *, actor: User) -> int:
    cases = (
        RecoveryCase.objects.select_for_update()
        .filter(owner=agent, stage=Stage.NEW, team__isnull=False)
        .exclude(events__actor=agent)
        .order_by("pk")
    )
    returned = 0
    for case in cases:
        facts.owner_changing(case, previous_owner_id=case.owner_id)
        case.owner = None
        case.version += 1
        case.save(update_fields=["owner", "reassigned", "version", "updated_at"])
        events.record(
            case,
            CaseEvent.Kind.ASSIGNED,
            actor=actor,
            message=_("Back to the team's pool: %(agent)s is away") % {"agent": agent.get_username()},
            data={"from": agent.pk, "to": None, "by": "away"},
        )
        returned += 1
    return returned


def announce_owner_change(
    *, case: RecoveryCase, previous: User | None, owner: User | None, actor: User
) -> None:
    """Tell the new owner a case is theirs and the previous one it went to someone else, unless they
    did it themselves. Called inside the transaction that changed the owner."""
    if owner is not None and owner.pk != actor.pk:
        notify(
            [owner],
            kind=Notice.Kind.ASSIGNED,
            case=case,
            text=_("%(actor)s assigned %(reference)s to you.")
            % {"actor": _person(actor), "reference": case.reference},
            email_template="case_assignment",
        )
    if previous is not None and previous.pk != actor.pk and previous.pk != getattr(owner, "pk", None):
        notify(
            [previous],
            kind=Notice.Kind.REASSIGNED,
            case=case,
            text=_("%(actor)s reassigned your case %(reference)s to %(owner)s.")
            % {
                "actor": _person(actor),
                "reference": case.reference,
                "owner": _person(owner) if owner else _("the pool"),
            },
            email_template="case_assignment",
        )


def _person(user: User) -> str:
    # As the workspace names people: their name, or their username when they have none.
    return user.get_full_name() or user.get_username()
