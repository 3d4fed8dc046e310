"""Routing: which team a new case goes to. Rules are tried by position and the first whose conditions
the feedback meets wins (`feedback.conditions`, the one matcher); no match goes to the default team,
and with no default team the case stays everyone's."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from cases.teams.models import RoutingRule, Team
from feedback.conditions import FeedbackFacts, matches

# The keys a routing rule may hold; `feedback.conditions.validate` refuses any other.
CONDITION_KEYS = ("touchpoint", "channel", "severity", "segment", "words")


@dataclass(frozen=True)
class Route:
    """Where a case goes and why: `rule_id` (and its position) None when it went to the default team."""

    team_id: int
    rule_id: int | None = None
    position: int | None = None

    @property
    def reason(self) -> str:
        if self.rule_id is None:
            return _("the default team")
        return _("routing rule #%(position)s") % {"position": self.position}


def route(facts: FeedbackFacts) -> Route | None:
    """The team `facts` go to, with the rule that sent them; None when no rule matches and no team is
    the default. Two small queries at most, of plain values: this runs in every intake that opens a
    case, and the team itself is read (and locked) by whoever acts on the answer."""
    rules = RoutingRule.objects.order_by("position", "id").values_list(
        "id", "position", "team_id", "conditions"
    )
    rule = first_match(rules, facts)
    if rule is not None:
        rule_id, position, team_id, _conditions = rule
        return Route(team_id, rule_id, position)
    default = Team.objects.filter(is_default=True).values_list("id", flat=True).first()
    return Route(default) if default is not None else None


def first_match(
    rules: Iterable[tuple[int, int, int, Mapping[str, Any]]], facts: FeedbackFacts
) -> tuple[int, int, int, Mapping[str, Any]] | None:
    """The first of `rules` ((id, position, team id, conditions), in their order) that `facts` meet."""
    return next((rule for rule in rules if matches(rule[3], facts)), None)
