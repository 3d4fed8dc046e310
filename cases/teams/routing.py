"""Routing: which team a new case goes to. Rules are tried by position and the first whose conditions
the feedback meets wins (`feedback.conditions`, the one matcher); no match goes to the default team,
and with no default team the case stays everyone's."""

from collections.abc import Iterable
from dataclasses import dataclass

from cases.teams.models import RoutingRule, Team
from feedback.conditions import FeedbackFacts, matches

# The keys a routing rule may hold; `feedback.conditions.validate` refuses any other.
CONDITION_KEYS = ("touchpoint", "channel", "severity", "segment", "words")


@dataclass(frozen=True)
class Route:
    """Where a case goes and why: `rule` is None when it went to the default team."""

    team: Team
    rule: RoutingRule | None

    @property
    def reason(self) -> str:
        return f"routing rule #{self.rule.position}" if self.rule else "the default team"


def route(facts: FeedbackFacts) -> Route | None:
    """The team `facts` go to, with the rule that sent them; None when no rule matches and no team is
    the default. Two queries at most: the rules with their teams, then the default team."""
    rule = first_match(RoutingRule.objects.select_related("team").order_by("position", "id"), facts)
    if rule is not None:
        return Route(rule.team, rule)
    default = Team.objects.filter(is_default=True).first()
    return Route(default, None) if default else None


def first_match(rules: Iterable[RoutingRule], facts: FeedbackFacts) -> RoutingRule | None:
    """The first of `rules` (in their order) that `facts` meet."""
    return next((rule for rule in rules if matches(rule.conditions, facts)), None)
