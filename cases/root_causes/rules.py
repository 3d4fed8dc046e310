"""Matching rules: which new cases are recurrences of a fixed root cause, without an agent linking them.

A rule is a touchpoint and words or phrases. Negative feedback at that touchpoint whose comment holds one
of them, as whole words in any case, links the case it opens to the root cause, while the root cause is
under watch (`watch.under_watch`). Managers keep the rules, on the root cause's page.
"""

import re
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from cases.models import RootCause, RootCauseEvent, RootCauseRule
from cases.root_causes import history
from feedback.conditions import contains_any
from recovery.errors import InvalidInput, NotFound
from recovery.roles import User, require_permission

MAX_PHRASES = 20
_SEPARATORS = re.compile(r"[,\n;]")


def parse_phrases(text: str | list[str]) -> list[str]:
    """Words or phrases, lower-cased and de-duplicated in order, from a list or text split at commas,
    semicolons or new lines. Refuses none, and more than MAX_PHRASES."""
    parts = text if isinstance(text, list) else _SEPARATORS.split(text)
    phrases = list(dict.fromkeys(" ".join(str(p).split()).lower() for p in parts if str(p).strip()))
    if not phrases:
        raise InvalidInput(_("A rule needs at least one word or phrase."), field="phrases")
    if len(phrases) > MAX_PHRASES:
        raise InvalidInput(_("A rule holds at most %d words or phrases.") % MAX_PHRASES, field="phrases")
    return phrases


@transaction.atomic
def add(*, root_cause_id: int, actor: User, touchpoint: str, phrases: str | list[str]) -> RootCauseRule:
    _require_manager(actor)
    root_cause = RootCause.objects.select_for_update().get(pk=root_cause_id)
    touchpoint = touchpoint.strip().lower()
    if not touchpoint:
        raise InvalidInput(_("A rule needs a touchpoint."), field="touchpoint")
    rule = RootCauseRule.objects.create(
        root_cause=root_cause, touchpoint=touchpoint, phrases=parse_phrases(phrases), created_by=actor
    )
    history.record(root_cause, RootCauseEvent.Kind.RULE_ADDED, actor=actor, message=str(rule))
    return rule


@transaction.atomic
def remove(*, root_cause_id: int, rule_id: int, actor: User) -> None:
    _require_manager(actor)
    rule = RootCauseRule.objects.filter(pk=rule_id, root_cause_id=root_cause_id).first()
    if rule is None:
        raise NotFound(_("No such rule on this root cause."))
    rule.delete()
    history.record(rule.root_cause, RootCauseEvent.Kind.RULE_REMOVED, actor=actor, message=str(rule))


def matching(*, touchpoint: str, comment: str, now: datetime) -> list[RootCauseRule]:
    """The rules of root causes under watch at `now` that feedback at `touchpoint` saying `comment`
    matches, at most one per root cause. One indexed query; phrases are matched here."""
    touchpoint = touchpoint.strip().lower()
    if not touchpoint or not comment:
        return []
    candidates = RootCauseRule.objects.filter(
        touchpoint=touchpoint,
        root_cause__status=RootCause.Status.FIXED,
        root_cause__fixed_at__lte=now,
        root_cause__watch_until__gte=now,
    ).order_by("root_cause_id", "id")
    found: dict[int, RootCauseRule] = {}
    for rule in candidates:
        if rule.root_cause_id not in found and contains_any(comment, rule.phrases):
            found[rule.root_cause_id] = rule
    return list(found.values())


def _require_manager(actor: User) -> None:
    require_permission(actor, "cases.change_rootcause", message=_("Only managers keep a root cause's rules."))
