"""Root causes: why failures happen. Linking a case to one, or unlinking it, lands on the case's timeline.

A root cause reaches `verified` only with a note on how the fix was shown to work; `verified_at`
says when, and is cleared if the root cause is moved back (the fix did not hold). Marking it `fixed`
starts a watch window (`watch`); matching rules (`rules`) link new cases at triage; every change of
status lands on the root cause's own history (`history`).
"""

from typing import Any

from django.db import transaction
from django.utils import timezone

from cases import events
from cases.models import CaseEvent, RecoveryCase, RootCause, RootCauseEvent, RootCauseRule
from cases.root_causes import history, rules, watch
from cases.teams.scope import require_may_act_on
from recovery.errors import InvalidInput, NotFound
from recovery.roles import User, is_agent, require_permission

EDITABLE_FIELDS = (
    "title",
    "category",
    "description",
    "status",
    "corrective_action",
    "owner",
    "verification_note",
    "watch_days",
    "recurrence_threshold",
)
# What is done about a root cause, and whether the fix held: a manager's call (`cases.change_rootcause`).
MANAGED_FIELDS = (
    "status",
    "owner",
    "corrective_action",
    "verification_note",
    "watch_days",
    "recurrence_threshold",
)


@transaction.atomic
def create(*, actor: User, title: str, category: str, **fields: Any) -> RootCause:
    """Agents and managers name root causes; only a manager sets what is done about one."""
    require_permission(actor, "cases.add_rootcause", message="Only agents and managers create root causes.")
    if _sets_managed(fields):
        _require_manager(actor)
    root_cause = RootCause()
    _apply(root_cause, {"title": title, "category": category, **fields})
    root_cause.save()
    if root_cause.status != RootCause.Status.OPEN:
        _record_status(root_cause, previous=RootCause.Status.OPEN, actor=actor)
    return root_cause


@transaction.atomic
def update(*, root_cause_id: int, actor: User, changes: dict) -> RootCause:
    """Managers edit root causes; agents create them and link cases (a root cause gathers many agents'
    cases, so its meaning is not one agent's to change)."""
    _require_manager(actor)
    root_cause = RootCause.objects.select_for_update().get(pk=root_cause_id)
    previous = root_cause.status
    _apply(root_cause, changes)
    root_cause.save()
    if root_cause.status != previous:
        _record_status(root_cause, previous=previous, actor=actor)
    return root_cause


@transaction.atomic
def link_case(*, root_cause_id: int, case_id: int, actor: User) -> bool:
    """Link a case; False (and no event) when it was linked already, so a retried request is harmless."""
    root_cause, case = _pair(root_cause_id=root_cause_id, case_id=case_id, actor=actor)
    return _link(root_cause, case, actor=actor)


def link_matching(*, case: RecoveryCase, touchpoint: str, comment: str) -> list[RootCause]:
    """At triage, in the intake transaction: link a new case to every root cause under watch whose
    matching rule its feedback meets, as the system. The root causes it was linked to."""
    now = timezone.now()
    linked = []
    for rule in rules.matching(touchpoint=touchpoint, comment=comment, now=now):
        root_cause = RootCause.objects.select_for_update().get(pk=rule.root_cause_id)
        if _link(root_cause, case, actor=None, rule=rule):
            linked.append(root_cause)
    return linked


def _link(
    root_cause: RootCause, case: RecoveryCase, *, actor: User | None, rule: RootCauseRule | None = None
) -> bool:
    """Precondition: `root_cause` is locked. False when the case was linked already."""
    if root_cause.cases.filter(pk=case.pk).exists():
        return False
    root_cause.cases.add(case)
    _record(case, CaseEvent.Kind.ROOT_CAUSE_LINKED, root_cause=root_cause, actor=actor, rule=rule)
    watch.count_recurrence(root_cause, case, actor=actor, rule=rule, now=timezone.now())
    return True


@transaction.atomic
def create_and_link(*, case_id: int, actor: User, title: str, category: str) -> RootCause:
    """Name a new root cause while working a case, and link the case to it: both or neither."""
    root_cause = create(actor=actor, title=title, category=category)
    link_case(root_cause_id=root_cause.pk, case_id=case_id, actor=actor)
    return root_cause


@transaction.atomic
def unlink_case(*, root_cause_id: int, case_id: int, actor: User) -> None:
    root_cause, case = _pair(root_cause_id=root_cause_id, case_id=case_id, actor=actor)
    if not root_cause.cases.filter(pk=case.pk).exists():
        raise NotFound(f"{case.reference} is not linked to root cause {root_cause.pk}.")
    root_cause.cases.remove(case)
    watch.forget_recurrence(root_cause, case)
    _record(case, CaseEvent.Kind.ROOT_CAUSE_UNLINKED, root_cause=root_cause, actor=actor)


def _apply(root_cause: RootCause, changes: dict) -> None:
    previous_status = root_cause.status
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise InvalidInput(f"'{unknown[0]}' cannot be set on a root cause.", field=unknown[0])
    for name, value in changes.items():
        setattr(root_cause, name, value.strip() if isinstance(value, str) else value)
    if not root_cause.title:
        raise InvalidInput("A root cause needs a title.", field="title")
    if root_cause.category not in RootCause.Category.values:
        raise InvalidInput(f"Category is one of {', '.join(RootCause.Category.values)}.", field="category")
    if root_cause.status not in RootCause.Status.values:
        raise InvalidInput(f"Status is one of {', '.join(RootCause.Status.values)}.", field="status")
    if root_cause.owner is not None and not is_agent(root_cause.owner):
        raise InvalidInput(f"{root_cause.owner} is not an agent or manager.", field="owner")
    for name in ("watch_days", "recurrence_threshold"):
        if not isinstance(getattr(root_cause, name), int) or not 1 <= getattr(root_cause, name) <= 365:
            raise InvalidInput(
                f"{name.replace('_', ' ').capitalize()} is a whole number from 1 to 365.", field=name
            )
    _stamp_verification(root_cause)
    watch.start_or_stop(root_cause, previous_status=previous_status, now=timezone.now())


def _stamp_verification(root_cause: RootCause) -> None:
    if root_cause.status != RootCause.Status.VERIFIED:
        root_cause.verified_at = None
        root_cause.verified_by_system = False
        return
    if not root_cause.verification_note:
        raise InvalidInput(
            "Verifying a root cause needs a note on how the fix was checked.", field="verification_note"
        )
    if root_cause.verified_at is None:  # verified by hand now; a note the system wrote is replaced
        root_cause.verified_at = timezone.now()
        root_cause.verified_by_system = False


def _pair(*, root_cause_id: int, case_id: int, actor: User) -> tuple[RootCause, RecoveryCase]:
    require_permission(
        actor, "cases.link_rootcause", message="Only agents and managers link cases to root causes."
    )
    root_cause = RootCause.objects.select_for_update().get(pk=root_cause_id)
    case = RecoveryCase.objects.get(pk=case_id)
    require_may_act_on(case, actor)
    return root_cause, case


def _sets_managed(fields: dict) -> bool:
    status = fields.get("status") or RootCause.Status.OPEN
    return status != RootCause.Status.OPEN or any(fields.get(name) for name in MANAGED_FIELDS[1:])


def _require_manager(actor: User) -> None:
    require_permission(
        actor,
        "cases.change_rootcause",
        message="Only managers edit a root cause: its status, owner, corrective action or verification.",
    )


def _record(
    case: RecoveryCase,
    kind: str,
    *,
    root_cause: RootCause,
    actor: User | None,
    rule: RootCauseRule | None = None,
) -> None:
    data = {"root_cause": root_cause.pk, "category": root_cause.category}
    if rule is not None:
        data["rule"] = rule.pk
    events.record(case, kind, actor=actor, message=root_cause.title, data=data)


def _record_status(root_cause: RootCause, *, previous: str, actor: User) -> None:
    status = root_cause.status
    if status == RootCause.Status.VERIFIED:
        kind, message = RootCauseEvent.Kind.VERIFIED, root_cause.verification_note
    elif status == RootCause.Status.FIXED:
        kind = RootCauseEvent.Kind.WATCH_STARTED
        message = f"Fixed: watched until {root_cause.watch_until:%Y-%m-%d} ({root_cause.watch_days} days)."
    else:
        kind, message = RootCauseEvent.Kind.STATUS_CHANGED, f"{previous} → {status}"
    history.record(root_cause, kind, actor=actor, message=message, data={"from": previous, "to": status})
