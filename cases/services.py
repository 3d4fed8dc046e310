"""Writes on cases other than stage changes (those are `cases.workflow`'s alone)."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.utils import timezone

from cases import events
from cases.at_risk import services as at_risk
from cases.metrics import facts
from cases.models import SEVERITY_RANK, CaseEvent, RecoveryCase, Severity
from cases.notices import mentions
from cases.sla import clock as sla
from cases.teams import services as team_services
from cases.teams.scope import require_may_act_on, require_may_see
from feedback.models import Channel, Customer, Feedback
from recovery.errors import InvalidInput, NotPermitted, PreconditionFailed
from recovery.roles import User, is_agent, is_manager, require_case_worker


def open_case(
    *,
    customer: Customer,
    title: str,
    severity: str,
    actor: User | None = None,
    channel: str = "",
    description: str = "",
    complained_at: datetime | None = None,
    is_repeat: bool = False,
    owner: User | None = None,
) -> RecoveryCase:
    """Open a recovery case; its SLA clock starts when the customer complained (default: now).

    `actor` is None when triage opens the case, or the agent who opened it by hand.
    """
    title = (title or "").strip()
    if not title:
        raise InvalidInput("A case needs a title.", field="title")
    if severity not in Severity.values:
        raise InvalidInput(f"Severity is one of {', '.join(Severity.values)}.", field="severity")
    case = RecoveryCase(
        customer=customer,
        title=title[:200],
        description=description,
        severity=severity,
        channel=channel,
        is_repeat=is_repeat,
        owner=owner,
    )
    sla.start_clock(case, start=complained_at or timezone.now())
    # No savepoint inside a caller's transaction (intake's): it would cost two round trips and buy
    # nothing, since a failure here must undo the caller's writes too. The checks above run outside
    # the block, so a refused case leaves the caller's transaction usable.
    with transaction.atomic(savepoint=False):
        case.save(force_insert=True)
        sla.set_alarm(case, new_case=True)
        events.record(
            case,
            CaseEvent.Kind.CREATED,
            actor=actor,
            to_stage=case.stage,
            message=title,
            data={"severity": severity, "is_repeat": is_repeat, "opened_by": "agent" if actor else "triage"},
        )
        at_risk.refresh(customer_id=case.customer_id)
    return case


def change_severity(
    *, case: RecoveryCase, severity: str, actor: User | None = None, reason: str = ""
) -> RecoveryCase:
    """Set a new severity and move the running SLA targets to its policy. Caller holds the row lock."""
    if severity not in Severity.values:
        raise InvalidInput(f"Severity is one of {', '.join(Severity.values)}.", field="severity")
    previous = case.severity
    if previous == severity:
        return case
    case.severity = severity
    sla.start_clock(case, start=case.sla_started_at)
    case.version += 1  # what a client loaded (its ETag) no longer describes the case
    case.save()
    sla.set_alarm(case)
    events.record(
        case,
        CaseEvent.Kind.SEVERITY_CHANGED,
        actor=actor,
        message=reason,
        data={"from": previous, "to": severity},
    )
    at_risk.refresh(customer_id=case.customer_id)
    return case


def raise_severity(
    *, case: RecoveryCase, severity: str, actor: User | None = None, reason: str = ""
) -> RecoveryCase:
    """Like change_severity, but never lowers it: new, worse feedback may only make a case more urgent."""
    if SEVERITY_RANK[severity] > SEVERITY_RANK[case.severity]:
        return change_severity(case=case, severity=severity, actor=actor, reason=reason)
    return case


@transaction.atomic  # the version is read under a row lock; the lock must last until the save commits
def assign(*, case: RecoveryCase, owner: User | None, actor: User) -> RecoveryCase:
    """Give a case to `owner` (None unassigns). Agents may only take unassigned cases for themselves."""
    if owner is not None and not is_agent(owner):
        raise InvalidInput(f"{owner} is not an agent or manager.", field="owner")
    taking_free_case = case.owner_id is None and owner is not None and owner.pk == actor.pk
    if not is_manager(actor) and not taking_free_case:
        raise NotPermitted("Only a manager may reassign a case.")
    previous = case.owner_id
    if previous == (owner.pk if owner else None):
        return case
    previous_owner = case.owner if previous is not None else None
    facts.owner_changing(case, previous_owner_id=previous)
    case.owner = owner
    _bump_version(case)
    case.save(update_fields=["owner", "reassigned", "version", "updated_at"])
    events.record(
        case,
        CaseEvent.Kind.ASSIGNED,
        actor=actor,
        message=f"Assigned to {owner}" if owner else "Unassigned",
        data={"from": previous, "to": owner.pk if owner else None},
    )
    team_services.announce_owner_change(case=case, previous=previous_owner, owner=owner, actor=actor)
    return case


def attach_feedback(*, case: RecoveryCase, feedback: Feedback, severity: str) -> RecoveryCase:
    """Join more feedback from the customer to their open `case`, raising its severity if it is worse.

    Precondition: the caller holds the case's row lock and has saved `feedback` with `case` as its
    case. `cases` records the link on the timeline; it never writes feedback rows.
    """
    events.record(
        case,
        CaseEvent.Kind.FEEDBACK_ATTACHED,
        message=f"More {feedback.get_channel_display().lower()} feedback from the customer.",
        data={"feedback_id": feedback.pk, "severity": severity},
    )
    return raise_severity(case=case, severity=severity, reason=f"Feedback {feedback.pk} is more severe.")


def link_originating_feedback(*, case: RecoveryCase, feedback: Feedback) -> None:
    """Name the feedback that opened `case`, unless it already has one.
    Precondition: `feedback` is saved with `case` as its case."""
    if case.originating_feedback_id is not None:
        return
    complaint = facts.complaint_facts(feedback)
    RecoveryCase.objects.filter(pk=case.pk, originating_feedback__isnull=True).update(
        originating_feedback=feedback, **complaint
    )
    case.originating_feedback = feedback
    for name, value in complaint.items():
        setattr(case, name, value)


def _bump_version(case: RecoveryCase) -> None:
    """Take the next version under the row lock, so two edits can never hand out the same ETag."""
    with transaction.atomic():
        current = RecoveryCase.objects.select_for_update().values_list("version", flat=True).get(pk=case.pk)
        case.version = current + 1


# Free text and labels about a case: one `updated` event records any of them changing.
DETAIL_FIELDS = ("title", "description", "channel", "is_repeat")
# Fields an edit may change; everything else on a case has its own service or is the workflow's.
EDITABLE_FIELDS = ("severity", "owner", *DETAIL_FIELDS)


@transaction.atomic
def edit_case(
    *, case_id: int, actor: User, expected_version: int | None, changes: dict[str, Any]
) -> RecoveryCase:
    """Apply `changes` (a subset of EDITABLE_FIELDS) to a case the caller saw at `expected_version`
    (None: whatever version is current, as `If-Match: *` asks).

    Locks the case first; a different current version raises PreconditionFailed and changes nothing.
    """
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise InvalidInput(f"'{unknown[0]}' cannot be changed here.", field=unknown[0])
    case = RecoveryCase.objects.select_for_update().get(pk=case_id)
    require_may_see(case, actor)
    if expected_version is not None and case.version != expected_version:
        raise PreconditionFailed(expected=expected_version, actual=case.version)
    require_case_worker(actor)
    require_may_act_on(case, actor, doing="change it")
    if "owner" in changes:
        assign(case=case, owner=changes["owner"], actor=actor)
    if "severity" in changes:
        change_severity(case=case, severity=changes["severity"], actor=actor)
    details = {name: value for name, value in changes.items() if name in DETAIL_FIELDS}
    if details:
        _update_details(case, details=details, actor=actor)
    return case


def _update_details(case: RecoveryCase, *, details: dict[str, Any], actor: User) -> None:
    """One version and one `updated` event for whichever detail fields really change."""
    cleaned = {name: _clean_detail(name, value) for name, value in details.items()}
    changed = {name: value for name, value in cleaned.items() if getattr(case, name) != value}
    if not changed:
        return
    diff = {name: [getattr(case, name), value] for name, value in changed.items()}
    for name, value in changed.items():
        setattr(case, name, value)
    case.version += 1
    case.save(update_fields=[*changed, "version", "updated_at"])
    message = case.title if "title" in changed else f"Changed {', '.join(changed)}"
    events.record(case, CaseEvent.Kind.UPDATED, actor=actor, message=message, data=diff)


def _clean_detail(name: str, value: Any) -> Any:
    if name == "title":
        title = (value or "").strip()
        if not title:
            raise InvalidInput("A case needs a title.", field="title")
        return title[:200]
    if name == "channel" and value and value not in Channel.values:
        raise InvalidInput(f"Channel is one of {', '.join(Channel.values)}.", field="channel")
    if name == "is_repeat":
        return bool(value)
    return value or ""


class NoteVisibility(StrEnum):
    INTERNAL = "internal"
    CUSTOMER = "customer"


@transaction.atomic
def add_note(
    *, case: RecoveryCase, actor: User, body: str, visibility: str = NoteVisibility.INTERNAL
) -> CaseEvent:
    """A note on the timeline. `customer` notes are what the customer was told; `internal` ones are not,
    and may @mention colleagues who may see the case (each is notified; anyone else refuses the note)."""
    body = (body or "").strip()
    if not body:
        raise InvalidInput("A note needs a body.", field="body")
    if visibility not in NoteVisibility.__members__.values():
        raise InvalidInput("Visibility is 'internal' or 'customer'.", field="visibility")
    require_case_worker(actor)
    require_may_act_on(case, actor, doing="add notes to it")
    # Only internal notes mention colleagues: a customer note's words are for the customer.
    named = mentions.mentioned(case=case, body=body) if visibility == NoteVisibility.INTERNAL else []
    with transaction.atomic():
        event = events.record(
            case, CaseEvent.Kind.NOTE, actor=actor, message=body, data={"visibility": visibility}
        )
        mentions.tell_mentioned(named, case=case, actor=actor, body=body)
    return event


@transaction.atomic
def open_case_by_hand(
    *,
    actor: User,
    title: str,
    severity: str,
    customer_external_id: str = "",
    new_customer: dict[str, str] | None = None,
    channel: str = "",
    description: str = "",
) -> RecoveryCase:
    """An agent opens a case (a phone complaint, say), for a known customer or one described anew.

    The agent owns the case. A customer with an earlier case makes this one a repeat failure.
    """
    require_case_worker(actor, doing="open recovery cases")
    if channel and channel not in Channel.values:
        raise InvalidInput(f"Channel is one of {', '.join(Channel.values)}.", field="channel")
    customer = _customer_for_case(external_id=customer_external_id, new_customer=new_customer)
    return open_case(
        customer=customer,
        title=title,
        severity=severity,
        actor=actor,
        channel=channel,
        description=description,
        is_repeat=customer.cases.exists(),
        owner=actor,
    )


def _customer_for_case(*, external_id: str, new_customer: dict[str, str] | None) -> Customer:
    if new_customer is not None:
        external_id = (new_customer.get("external_id") or "").strip()
        if not external_id:
            raise InvalidInput("A new customer needs an external id.", field="customer")
        # A retried request finds the customer its first attempt created; details are not overwritten.
        customer, _ = Customer.objects.get_or_create(
            external_id=external_id,
            defaults={
                k: new_customer.get(k) or "" for k in ("name", "email", "phone", "segment", "language")
            },
        )
        return customer
    known = Customer.objects.filter(external_id=(external_id or "").strip()).first()
    if known is None:
        raise InvalidInput(f"No customer has the external id '{external_id}'.", field="customer")
    return known
