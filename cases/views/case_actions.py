"""The case screen's actions: each a button, a form that parses the agent's input, and one service call.

`offered` only decides which buttons to draw, from `workflow.allowed_actions` and the roles; whether an
action may happen is decided again, under the row lock, by the service it calls.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from cases import forms, root_causes, services, workflow
from cases.conversation import outbound
from cases.gestures import services as gestures
from cases.models import RecoveryCase, ResponseTemplate
from cases.teams.scope import may_act_on
from recovery.errors import InvalidInput
from recovery.roles import is_agent, is_manager


@dataclass(frozen=True)
class Action:
    name: str  # in the URL
    label: str  # the button, exactly as the issue names it
    form: type[forms.ActionForm]
    run: Callable[..., object]  # run(case, actor, data) -> anything; raises the services' errors
    offered: Callable[[RecoveryCase, object, list[str]], bool]
    immediate: bool = False  # acts at once, no form
    template_kinds: tuple[str, ...] = ()  # which response templates the form offers
    # What the agent is told afterwards: a sentence, or made from what `run` returned.
    done: str | Callable[[object], str] = ""
    key: str = ""  # its single-key shortcut on the case screen, listed under `?`
    ends_part: bool = False  # the agent's part is done for now: the form offers "Confirm and next"
    speaks: bool = False  # its words may be emailed to the customer ("Email the customer", "Sends to")
    files: bool = False  # the form uploads files
    initial: Callable[[RecoveryCase, object], dict] | None = None  # the blank form's starting values

    def told(self, result: object) -> str:
        return self.done(result) if callable(self.done) else self.done


def _workflow(name: str) -> Callable[[RecoveryCase, object, list[str]], bool]:
    return lambda case, user, allowed: name in allowed


def _stage(name: str, **fields: str) -> Callable[..., object]:
    """Run a workflow action with the form's fields renamed to the service's parameters."""

    def run(case, actor, data):
        payload = {param: data.get(field) for param, field in fields.items()}
        return workflow.ACTIONS[name](case_id=case.pk, actor=actor, version=data.get("version"), **payload)

    return run


def _spoken(name: str, **fields: str) -> Callable[..., object]:
    """A stage action whose words go to the customer when the agent ticked "Email the customer"."""

    def run(case, actor, data):
        payload = {param: data.get(field) for param, field in fields.items()}
        return outbound.perform_stage(
            name,
            case_id=case.pk,
            actor=actor,
            version=data.get("version"),
            notify_customer=bool(data.get("notify_customer")),
            **payload,
        )

    return run


def _speaking_initial(case, user) -> dict:
    return {"notify_customer": outbound.notify_by_default(case)}


def _acknowledge_initial(case, user) -> dict:
    return {**_speaking_initial(case, user), "message": outbound.acknowledgement_text(case, user)}


def _reply(case, actor, data):
    return outbound.reply(
        case_id=case.pk, actor=actor, body=data.get("message"), files=data.get("attachments") or []
    )


def _edit(change: Callable[[object, dict], dict]) -> Callable[..., object]:
    def run(case, actor, data):
        return services.edit_case(
            case_id=case.pk, actor=actor, expected_version=_version(case, data), changes=change(actor, data)
        )

    return run


def _version(case, data) -> int:
    return case.version if data.get("version") is None else data["version"]


def _note(case, actor, data):
    return services.add_note(case=case, actor=actor, body=data.get("note"))


def _gesture(case, actor, data):
    return gestures.request_gesture(
        case_id=case.pk,
        actor=actor,
        kind=data.get("kind"),
        amount=(data.get("amount") or "").strip(),
        currency=data.get("currency") or "",
        description=data.get("reason") or "",
    )


def _gesture_done(gesture) -> str:
    if gesture.status == gesture.Status.PENDING_APPROVAL:
        return _("Gesture recorded. %(waiting)s") % {"waiting": gestures.waiting_for(gesture)}
    return str(_("Gesture granted."))


def _root_cause(case, actor, data):
    title = (data.get("new_title") or "").strip()
    if title:
        return root_causes.create_and_link(
            case_id=case.pk, actor=actor, title=title, category=data.get("new_category")
        )
    if not data.get("root_cause"):
        raise InvalidInput(_("Pick a root cause from the list, or name a new one."), field="root_cause")
    return root_causes.link_case(root_cause_id=data["root_cause"], case_id=case.pk, actor=actor)


def _works_on(case, user, allowed) -> bool:
    return may_act_on(case, user)


def _works_on_open(case, user, allowed) -> bool:
    return case.is_open and may_act_on(case, user)


def _free_for(case, user, allowed) -> bool:
    return case.is_open and case.owner_id is None and is_agent(user)


def _manager_on_open(case, user, allowed) -> bool:
    return case.is_open and is_manager(user)


ACTIONS: dict[str, Action] = {
    action.name: action
    for action in (
        Action(
            "acknowledge",
            _("Acknowledge"),
            forms.AcknowledgeForm,
            _spoken("acknowledge", message="message"),
            _workflow("acknowledge"),
            template_kinds=(ResponseTemplate.Kind.ACKNOWLEDGEMENT,),
            done=_("Acknowledged."),
            key="a",
            speaks=True,
            initial=_acknowledge_initial,
        ),
        Action(
            "assign-to-me",
            _("Assign to me"),
            forms.ConfirmForm,
            _edit(lambda actor, data: {"owner": actor}),
            _free_for,
            immediate=True,
            done=_("The case is yours."),
            key="m",
        ),
        Action(
            "apologize",
            _("Apologize"),
            forms.ApologyForm,
            _spoken("apologize", note="apology"),
            _workflow("apologize"),
            template_kinds=(ResponseTemplate.Kind.APOLOGY,),
            done=_("Apology recorded."),
            key="p",
            speaks=True,
            initial=_speaking_initial,
        ),
        Action(
            "resolve",
            _("Resolve"),
            forms.ResolutionForm,
            _spoken("resolve", resolution="resolution"),
            _workflow("resolve"),
            template_kinds=(ResponseTemplate.Kind.RESOLUTION,),
            done=_("Resolved."),
            key="r",
            ends_part=True,
            speaks=True,
            initial=_speaking_initial,
        ),
        Action(
            "follow-up",
            _("Record follow-up"),
            forms.FollowUpForm,
            _stage("follow_up", outcome="outcome", satisfaction="satisfaction"),
            _workflow("follow_up"),
            template_kinds=(ResponseTemplate.Kind.FOLLOW_UP,),
            done=_("Follow-up recorded."),
            key="f",
            ends_part=True,
        ),
        Action(
            "close",
            _("Close"),
            forms.ReasonForm,
            _stage("close", reason="reason"),
            _workflow("close"),
            done=_("Closed."),
            key="c",
            ends_part=True,
        ),
        Action(
            "reopen",
            _("Reopen"),
            forms.ReasonForm,
            _stage("reopen", reason="reason"),
            _workflow("reopen"),
            done=_("Reopened."),
            key="o",
        ),
        Action(
            "hold",
            _("Put on hold"),
            forms.ReasonForm,
            _stage("hold", reason="reason"),
            _workflow("hold"),
            done=_("On hold: the SLA clocks are paused."),
            key="h",
            ends_part=True,
        ),
        Action(
            "resume",
            _("Resume"),
            forms.ConfirmForm,
            _stage("unhold"),
            _workflow("unhold"),
            done=_("Resumed: the SLA clocks run again."),
            key="u",
        ),
        Action(
            "reply",
            _("Reply"),
            forms.ReplyForm,
            _reply,
            _works_on_open,
            done=_("Message queued; it is sent in a moment."),
            template_kinds=tuple(ResponseTemplate.Kind.values),  # a free message may start from any
            key="y",
            files=True,
        ),
        Action("note", _("Add note"), forms.NoteForm, _note, _works_on, done=_("Note added."), key="n"),
        Action(
            "gesture",
            _("Grant gesture"),
            forms.GestureForm,
            _gesture,
            _works_on_open,
            done=_gesture_done,
            key="g",
        ),
        Action(
            "root-cause",
            _("Link root cause"),
            forms.RootCauseForm,
            _root_cause,
            _works_on,
            done=_("Root cause linked."),
            key="l",
        ),
        Action(
            "edit",
            _("Edit"),
            forms.EditForm,
            _edit(lambda actor, data: {"title": data.get("title"), "description": data.get("description")}),
            _works_on,
            done=_("Case details saved."),
            key="e",
            initial=lambda case, user: {"title": case.title, "description": case.description},
        ),
        Action(
            "reassign",
            _("Reassign"),
            forms.ReassignForm,
            _edit(lambda actor, data: {"owner": data.get("owner")}),
            _manager_on_open,
            done=_("Owner changed."),
            key="w",
        ),
        Action(
            "severity",
            _("Change severity"),
            forms.SeverityForm,
            _edit(lambda actor, data: {"severity": data.get("severity")}),
            _manager_on_open,
            done=_("Severity changed."),
            key="v",
        ),
    )
}


def offered(case: RecoveryCase, user, allowed: list[str]) -> list[Action]:
    return [action for action in ACTIONS.values() if action.offered(case, user, allowed)]
