"""Reads for the teams page: who is in each team and whether they are away, and how many recent cases
each routing rule would have matched."""

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from cases.models import RecoveryCase
from cases.teams import assignment
from cases.teams.models import RoutingRule
from feedback.conditions import FeedbackFacts, matches

RECENT_DAYS = 30
# The rule counts read this many of the most recent cases at most: a page must answer in a moment, and a
# count of tens of thousands tells a manager no more than "very many".
RECENT_LIMIT = 20_000


def recent_facts(*, now: datetime | None = None) -> list[FeedbackFacts]:
    """What routing would have seen of each case opened in the last RECENT_DAYS days (newest first)."""
    since = (now or timezone.now()) - timedelta(days=RECENT_DAYS)
    rows = (
        RecoveryCase.objects.filter(created_at__gte=since)
        .order_by("-created_at")
        .values_list(
            "severity",
            "channel",
            "customer__segment",
            "originating_feedback__touchpoint",
            "originating_feedback__channel",
            "originating_feedback__comment",
        )[:RECENT_LIMIT]
    )
    return [
        FeedbackFacts(
            touchpoint=touchpoint or "",
            channel=feedback_channel or channel or "",
            severity=severity,
            segment=segment or "",
            comment=comment or "",
        )
        for severity, channel, segment, touchpoint, feedback_channel, comment in rows
    ]


def match_counts(conditions: Iterable[Mapping[str, Any]], facts: list[FeedbackFacts]) -> list[int]:
    """For each condition set, how many of `facts` it matches on its own (earlier rules aside)."""
    return [sum(1 for fact in facts if matches(each, fact)) for each in conditions]


def rules_with_counts() -> list[tuple[RoutingRule, int]]:
    """Every rule in the order tried, with how many of the last RECENT_DAYS days' cases it matches on
    its own."""
    rules = list(RoutingRule.objects.select_related("team").order_by("position", "id"))
    return list(zip(rules, match_counts([rule.conditions for rule in rules], recent_facts()), strict=True))


def open_case_counts(user_ids: Iterable[int]) -> dict[int, int]:
    """How many open cases each of the users holds (absent: none), in one query."""
    return assignment.open_case_counts(list(user_ids))
