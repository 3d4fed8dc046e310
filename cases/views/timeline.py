"""Timeline events as sentences a person reads: who did what, and the words they wrote."""

import contextlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils import formats
from django.utils.translation import gettext_lazy as _

from cases.models import CaseEvent, Gesture, Severity
from cases.templatetags.moments import moment

K = CaseEvent.Kind

# stage reached -> (what the actor did, what happened to the case)
_STAGE = {
    "acknowledged": (_("acknowledged the case"), _("acknowledged")),
    "apologized": (_("apologized"), _("apologized for")),
    "resolved": (_("resolved the case"), _("resolved")),
    "followed_up": (_("recorded the follow-up"), _("followed up")),
    "closed": (_("closed the case"), _("closed")),
}
# kind -> (what the actor did, what happened to the case)
_KIND = {
    K.CREATED: (_("opened the case"), _("opened")),
    K.NOTE: (_("added a note"), _("given a note")),
    K.ASSIGNED: (_("changed the owner"), _("reassigned")),
    K.SEVERITY_CHANGED: (_("changed the severity"), _("given another severity")),
    K.UPDATED: (_("edited the case"), _("edited")),
    K.GESTURE: (_("recorded a gesture"), _("given a gesture")),
    K.FEEDBACK_ATTACHED: (_("attached more feedback"), _("joined by more feedback")),
    K.ROOT_CAUSE_LINKED: (_("linked a root cause"), _("linked to a root cause")),
    K.ROOT_CAUSE_UNLINKED: (_("unlinked a root cause"), _("unlinked from a root cause")),
    K.SLA_WARNING: (_("warned that an SLA target is near"), _("flagged at risk")),
    K.SLA_BREACHED: (_("marked an SLA target as missed"), _("marked breached")),
    K.ESCALATED: (_("escalated the case to managers"), _("escalated")),
    K.REMINDER: (_("reminded the owner of the follow-up"), _("given a reminder")),
    K.FOLLOW_UP: (_("recorded a survey answer"), _("answered by the customer")),
    K.SLA_PAUSED: (_("put the case on hold"), _("put on hold")),
    K.SLA_RESUMED: (_("resumed the case"), _("resumed")),
    K.MESSAGE_RECEIVED: (_("wrote by email"), _("written to by the customer")),
    K.MESSAGE_BOUNCED: (_("could not deliver an email"), _("bounced an email")),
    K.TEAM_CHANGED: (_("moved the case to another team"), _("moved to another team")),
}


@dataclass(frozen=True)
class Entry:
    event: CaseEvent
    who: str
    what: str
    text: str = ""
    score: int | None = None
    link: str = ""
    tone: str = ""  # a CSS hint: "stage", "gesture", "alert", "customer"
    changes: tuple = ()  # (field label, old, new) for an edit of the case's details
    rule: str = ""  # the automatic gesture rule that granted (or asked for) a gesture, shown emphasised


def actor_name(user) -> str:
    if user is None:
        return "Mend"
    return user.get_full_name() or user.get_username()


def entry(event: CaseEvent) -> Entry:
    who = actor_name(event.actor)
    data = event.data or {}
    if event.kind == K.STAGE_CHANGED:
        if data.get("action") == "reopen":
            if data.get("by") == "customer" and data.get("via") == "email":
                return Entry(
                    event, _("The customer"), _("reopened the case by email"), event.message, tone="customer"
                )
            if data.get("by") == "customer":
                return Entry(
                    event,
                    _("The customer"),
                    _("reopened the case with a poor survey answer"),
                    event.message,
                    tone="customer",
                )
            return Entry(event, who, _("reopened the case"), event.message, tone="stage")
        what = _STAGE.get(event.to_stage, (_("moved the case"), _("")))[0]
        if data.get("override"):
            what = _("closed the case before its follow-up")
        score = data.get("satisfaction")
        return Entry(event, who, what, event.message, score=score, tone="stage")
    if event.kind == K.FOLLOW_UP and data.get("by") == "customer":
        return Entry(
            event,
            _("The customer"),
            _("answered the survey"),
            event.message,
            data.get("satisfaction"),
            tone="customer",
        )
    if event.kind == K.MESSAGE_RECEIVED:
        # The words are the message's own line in the thread; this one says only that it came.
        return Entry(event, _("The customer"), _("wrote by email"), event.message, tone="customer")
    if event.kind == K.MESSAGE_BOUNCED:
        return Entry(event, "Mend", _("could not deliver an email"), event.message, tone="alert")
    if event.kind == K.GESTURE and data.get("rule_name") and _gesture(data, verbs=_RULE_GESTURE_VERB):
        # "Mend gave a voucher of 20.00 EUR, granted by rule *Delay over 3 h*"
        what = _gesture(data, verbs=_RULE_GESTURE_VERB)
        return Entry(event, who, what, rule=data["rule_name"], tone="gesture")
    if event.kind == K.GESTURE:
        return Entry(event, who, _gesture(data) or event.message, tone="gesture")
    if event.kind in (K.ROOT_CAUSE_LINKED, K.ROOT_CAUSE_UNLINKED):
        link = f"/root-causes/{data['root_cause']}/" if "root_cause" in data else ""
        return Entry(event, who, _KIND[event.kind][0], event.message, link=link)
    if event.kind == K.SEVERITY_CHANGED:
        what = _("changed the severity from %(old)s to %(new)s") % {
            "old": _severity(data.get("from")),
            "new": _severity(data.get("to")),
        }
        return Entry(event, who, what, event.message)
    if event.kind == K.ASSIGNED:
        return Entry(
            event,
            who,
            event.message[:1].lower() + event.message[1:] if event.message else _("changed the owner"),
        )
    if event.kind == K.TEAM_CHANGED:
        # The message names the team and why: the routing rule at triage, or the team's deletion.
        return Entry(event, who, _KIND[K.TEAM_CHANGED][0], event.message)
    if event.kind == K.UPDATED:
        changes = tuple(
            (name.replace("_", " ").capitalize(), str(pair[0] or "—"), str(pair[1] or "—"))
            for name, pair in data.items()
            if isinstance(pair, list) and len(pair) == 2
        )
        return Entry(event, who, _("edited the case"), "" if changes else event.message, changes=changes)
    if event.kind == K.CREATED and event.actor is None:
        return Entry(event, who, _("opened the case from the customer's feedback"), event.message)
    if event.kind == K.NOTE and data.get(_("visibility"), _("internal")) == "internal":
        # Never sent to the customer, and it must look so beside the messages that were.
        return Entry(event, who, _("added a note"), event.message, tone="internal")
    tone = "alert" if event.kind in (K.SLA_WARNING, K.SLA_BREACHED, K.ESCALATED) else ""
    return Entry(
        event, who, _KIND.get(event.kind, ("", ""))[0] or event.get_kind_display(), event.message, tone=tone
    )


_GESTURE_VERB = {
    Gesture.Status.GRANTED: _("granted a %(kind)s of %(amount)s %(currency)s"),
    Gesture.Status.PENDING_APPROVAL: _("asked a manager to approve a %(kind)s of %(amount)s %(currency)s"),
    Gesture.Status.APPROVED: _("approved a %(kind)s of %(amount)s %(currency)s"),
    Gesture.Status.REJECTED: _("rejected a %(kind)s of %(amount)s %(currency)s"),
}
# A gesture a rule gave: the rule's name follows, set apart by the template.
_RULE_GESTURE_VERB = {
    Gesture.Status.GRANTED: _("gave a %(kind)s of %(amount)s %(currency)s, granted by rule"),
    Gesture.Status.PENDING_APPROVAL: _(
        "asked a manager to approve a %(kind)s of %(amount)s %(currency)s for rule"
    ),
}


def _gesture(data: dict, *, verbs: dict = _GESTURE_VERB) -> str:
    if data.get("kind") not in Gesture.Kind.values or data.get("status") not in verbs:
        return ""
    kind = Gesture.Kind(data["kind"]).label.lower()
    amount = data.get("amount")
    with contextlib.suppress(InvalidOperation, ValueError):
        amount = formats.localize(Decimal(str(amount)))
    return verbs[data["status"]] % {"kind": kind, "amount": amount, "currency": data.get("currency")}


def changed_by(event: CaseEvent | None, reference: str) -> str:
    """One sentence for an agent whose page is out of date: "RC-000042 was acknowledged by Bob at 6 Dec
    2026, 10:42"."""
    if event is None:
        return _("%(reference)s changed since you opened it.") % {"reference": reference}
    if event.kind == K.STAGE_CHANGED:
        happened = (
            _("reopened")
            if (event.data or {}).get("action") == "reopen"
            else _STAGE.get(event.to_stage, ("", _("changed")))[1]
        )
    else:
        happened = _KIND.get(event.kind, ("", _("changed")))[1]
    return _("%(reference)s was %(happened)s by %(actor)s at %(moment)s.") % {
        "reference": reference,
        "happened": happened,
        "actor": actor_name(event.actor),
        "moment": moment(event.created_at),
    }


def _severity(value) -> str:
    return str(Severity(value).label).lower() if value in Severity.values else str(value or "?")
