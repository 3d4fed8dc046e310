"""SLA digests: each person hears of the alerts of one sweep batch in one email.

One email per recipient listing every case that crossed a threshold, with its target and a link,
instead of one per case and person: a sweep that finds 10,000 cases due would otherwise send 10,000
emails in a minute (and render each). Who hears of what:

    warning    the owner (the managers if nobody owns the case)
    breached   the owner and the managers
    escalated  the managers

A digest's dedupe key names its recipient and its first alert. Every alert is claimed by exactly one
sweep batch (`SLAAlert` is unique), so no two digests can share a key, and none is written twice.
"""

from collections import defaultdict

from django.conf import settings
from django.utils.translation import ngettext

from cases.models import SLAAlert
from cases.outbox import Email
from cases.sla.alerts import Alert
from recovery.roles import User

# Most urgent first; the digest's sections and its subject follow this order.
SECTIONS: dict[int, str] = {
    SLAAlert.Level.ESCALATED: "Escalated to level 2: still overdue at twice the target",
    SLAAlert.Level.BREACHED: "Breached: the target was missed, the managers are told (level 1)",
    SLAAlert.Level.WARNING: "At risk: the target will be missed unless the case moves on soon",
}
SUBJECT_WORD: dict[int, str] = {
    SLAAlert.Level.ESCALATED: "escalated",
    SLAAlert.Level.BREACHED: "breached",
    SLAAlert.Level.WARNING: "at risk",
}


def digests(alerts: list[Alert], *, owners: dict, managers: list) -> list[Email]:
    """One email per person who hears of any of `alerts` (claimed, in claim order). `owners` maps
    the cases' owner ids to users; `managers` are the users who hear of breaches and escalations."""
    heard: dict[int, list[Alert]] = defaultdict(list)
    people = {manager.pk: manager for manager in managers} | owners
    for alert in alerts:
        for person in _recipients(alert, managers):
            heard[person].append(alert)
    return [_digest(people[person], alerts_heard) for person, alerts_heard in heard.items()]


def _recipients(alert: Alert, managers: list) -> list[int]:
    owner = [alert.case.owner_id] if alert.case.owner_id else []
    if alert.level == SLAAlert.Level.WARNING:
        return owner or [manager.pk for manager in managers]
    if alert.level == SLAAlert.Level.BREACHED:
        return owner + [manager.pk for manager in managers if manager.pk != alert.case.owner_id]
    return [manager.pk for manager in managers]


def _digest(recipient: User, alerts: list[Alert]) -> Email:
    by_level: dict[int, list[str]] = {level: [] for level in SECTIONS}
    for alert in alerts:
        by_level[alert.level].append(_entry(alert))
    # Each section's entries joined here rather than looped over in the template: a digest can list
    # thousands of entries, and a template loop costs several times more per entry than a join.
    sections = [
        {"title": SECTIONS[level], "text": "\n".join(entries)}
        for level, entries in by_level.items()
        if entries
    ]
    cases = {alert.case.pk for alert in alerts}
    context = {
        "recipient": recipient,
        "subject": _subject(alerts, by_level, len(cases)),
        "sections": sections,
    }
    only_case = next(iter(cases)) if len(cases) == 1 else None
    key = f"sla-digest:{alerts[0].pk}:user:{recipient.pk}"
    return Email(recipient.email, "sla_digest", context, only_case, key)


def _subject(alerts: list[Alert], by_level: dict[int, list[str]], case_count: int) -> str:
    if case_count == 1:  # the case's most urgent news, as a single alert's email would say it
        worst = max(alerts, key=lambda alert: alert.level)
        more = f" (+{len(alerts) - 1} more)" if len(alerts) > 1 else ""
        return f"{worst.case.reference}: {worst.headline}{more}"
    counts = ", ".join(
        f"{len(entries)} {SUBJECT_WORD[level]}" for level, entries in by_level.items() if entries
    )
    on = ngettext("%(count)d case", "%(count)d cases", case_count) % {"count": case_count}
    return f"SLA digest: {counts} on {on}"


def _entry(alert: Alert) -> str:
    reference = alert.case.reference
    return (
        f"{reference}  {alert.case.title}\n    {alert.headline}\n    {settings.SITE_URL}/cases/{reference}/"
    )
