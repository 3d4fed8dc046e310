"""Timeline events as sentences a person reads: who did what, and the words they wrote."""

from dataclasses import dataclass

from cases.models import CaseEvent, Gesture
from cases.templatetags.moments import moment

K = CaseEvent.Kind

# stage reached -> (what the actor did, what happened to the case)
_STAGE = {
    "acknowledged": ("acknowledged the case", "acknowledged"),
    "apologized": ("apologized", "apologized for"),
    "resolved": ("resolved the case", "resolved"),
    "followed_up": ("recorded the follow-up", "followed up"),
    "closed": ("closed the case", "closed"),
}
# kind -> (what the actor did, what happened to the case)
_KIND = {
    K.CREATED: ("opened the case", "opened"),
    K.NOTE: ("added a note", "given a note"),
    K.ASSIGNED: ("changed the owner", "reassigned"),
    K.SEVERITY_CHANGED: ("changed the severity", "given another severity"),
    K.UPDATED: ("edited the case", "edited"),
    K.GESTURE: ("recorded a gesture", "given a gesture"),
    K.FEEDBACK_ATTACHED: ("attached more feedback", "joined by more feedback"),
    K.ROOT_CAUSE_LINKED: ("linked a root cause", "linked to a root cause"),
    K.ROOT_CAUSE_UNLINKED: ("unlinked a root cause", "unlinked from a root cause"),
    K.SLA_WARNING: ("warned that an SLA target is near", "flagged at risk"),
    K.SLA_BREACHED: ("marked an SLA target as missed", "marked breached"),
    K.ESCALATED: ("escalated the case to managers", "escalated"),
    K.REMINDER: ("reminded the owner of the follow-up", "given a reminder"),
    K.FOLLOW_UP: ("recorded a survey answer", "answered by the customer"),
    K.SLA_PAUSED: ("put the case on hold", "put on hold"),
    K.SLA_RESUMED: ("resumed the case", "resumed"),
    K.MESSAGE_RECEIVED: ("wrote by email", "written to by the customer"),
    K.MESSAGE_BOUNCED: ("could not deliver an email", "bounced an email"),
    K.TEAM_CHANGED: ("moved the case to another team", "moved to another team"),
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
                    event, "The customer", "reopened the case by email", event.message, tone="customer"
                )
            if data.get("by") == "customer":
                return Entry(
                    event,
                    "The customer",
                    "reopened the case with a poor survey answer",
                    event.message,
                    tone="customer",
                )
            return Entry(event, who, "reopened the case", event.message, tone="stage")
        what = _STAGE.get(event.to_stage, ("moved the case", ""))[0]
        if data.get("override"):
            what = "closed the case before its follow-up"
        score = data.get("satisfaction")
        return Entry(event, who, what, event.message, score=score, tone="stage")
    if event.kind == K.FOLLOW_UP and data.get("by") == "customer":
        return Entry(
            event,
            "The customer",
            "answered the survey",
            event.message,
            data.get("satisfaction"),
            tone="customer",
        )
    if event.kind == K.MESSAGE_RECEIVED:
        # The words are the message's own line in the thread; this one says only that it came.
        return Entry(event, "The customer", "wrote by email", event.message, tone="customer")
    if event.kind == K.MESSAGE_BOUNCED:
        return Entry(event, "Mend", "could not deliver an email", event.message, tone="alert")
    if event.kind == K.GESTURE and data.get("rule_name") and _gesture(data):
        # "Mend gave a voucher of 20.00 EUR, granted by rule *Delay over 3 h*"
        held = data.get("status") == Gesture.Status.PENDING_APPROVAL
        what = _gesture(data) + (" for rule" if held else ", granted by rule")
        what = what.replace("granted a ", "gave a ", 1)
        return Entry(event, who, what, rule=data["rule_name"], tone="gesture")
    if event.kind == K.GESTURE:
        return Entry(event, who, _gesture(data) or event.message, tone="gesture")
    if event.kind in (K.ROOT_CAUSE_LINKED, K.ROOT_CAUSE_UNLINKED):
        link = f"/root-causes/{data['root_cause']}/" if "root_cause" in data else ""
        return Entry(event, who, _KIND[event.kind][0], event.message, link=link)
    if event.kind == K.SEVERITY_CHANGED:
        what = f"changed the severity from {data.get('from', '?')} to {data.get('to', '?')}"
        return Entry(event, who, what, event.message)
    if event.kind == K.ASSIGNED:
        return Entry(
            event,
            who,
            event.message[:1].lower() + event.message[1:] if event.message else "changed the owner",
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
        return Entry(event, who, "edited the case", "" if changes else event.message, changes=changes)
    if event.kind == K.CREATED and event.actor is None:
        return Entry(event, who, "opened the case from the customer's feedback", event.message)
    if event.kind == K.NOTE and data.get("visibility", "internal") == "internal":
        # Never sent to the customer, and it must look so beside the messages that were.
        return Entry(event, who, "added a note", event.message, tone="internal")
    tone = "alert" if event.kind in (K.SLA_WARNING, K.SLA_BREACHED, K.ESCALATED) else ""
    return Entry(
        event, who, _KIND.get(event.kind, ("", ""))[0] or event.get_kind_display(), event.message, tone=tone
    )


_GESTURE_VERB = {
    Gesture.Status.GRANTED: "granted",
    Gesture.Status.PENDING_APPROVAL: "asked a manager to approve",
    Gesture.Status.APPROVED: "approved",
    Gesture.Status.REJECTED: "rejected",
}


def _gesture(data: dict) -> str:
    if data.get("kind") not in Gesture.Kind.values or data.get("status") not in _GESTURE_VERB:
        return ""
    kind = Gesture.Kind(data["kind"]).label.lower()
    return f"{_GESTURE_VERB[data['status']]} a {kind} of {data.get('amount')} {data.get('currency')}"


def changed_by(event: CaseEvent | None, reference: str) -> str:
    """One sentence for an agent whose page is out of date: "RC-000042 was acknowledged by Bob at 6 Dec
    2026, 10:42"."""
    if event is None:
        return f"{reference} changed since you opened it."
    if event.kind == K.STAGE_CHANGED:
        happened = (
            "reopened"
            if (event.data or {}).get("action") == "reopen"
            else _STAGE.get(event.to_stage, ("", "changed"))[1]
        )
    else:
        happened = _KIND.get(event.kind, ("", "changed"))[1]
    return f"{reference} was {happened} by {actor_name(event.actor)} at {moment(event.created_at)}."
