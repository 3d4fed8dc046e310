"""The stage workflow, spelled out by hand: every allowed and every forbidden transition."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from cases import workflow
from cases.models import CaseEvent, FollowUp, RecoveryCase, Stage
from cases.tests.factories import RecoveryCaseFactory
from recovery.errors import InvalidInput, NotPermitted, StaleCase, TransitionNotAllowed

pytestmark = pytest.mark.django_db

# What each action needs, so every row of the matrix passes the payload checks.
PAYLOAD = {
    "acknowledge": {},
    "apologize": {"note": "Called Ana and apologised for the late parcel."},
    "resolve": {"resolution": "Refunded shipping and re-sent the item."},
    "follow_up": {"outcome": "Customer happy with the replacement.", "satisfaction": 5},
    "close": {},
    "reopen": {"reason": "Replacement arrived broken too."},
}

# (stage, action, resulting stage) for an agent working their own or an unassigned case.
ALLOWED = [
    (Stage.NEW, "acknowledge", Stage.ACKNOWLEDGED),
    (Stage.ACKNOWLEDGED, "apologize", Stage.APOLOGIZED),
    (Stage.APOLOGIZED, "resolve", Stage.RESOLVED),
    (Stage.RESOLVED, "follow_up", Stage.FOLLOWED_UP),
    (Stage.RESOLVED, "reopen", Stage.ACKNOWLEDGED),
    (Stage.FOLLOWED_UP, "close", Stage.CLOSED),
    (Stage.FOLLOWED_UP, "reopen", Stage.ACKNOWLEDGED),
    (Stage.CLOSED, "reopen", Stage.ACKNOWLEDGED),
]

# Every other (stage, action) pair, with what the agent is told is allowed instead (an open case
# may also be put on hold: see test_hold.py).
FORBIDDEN = [
    (Stage.NEW, "apologize", ["acknowledge", "hold"]),
    (Stage.NEW, "resolve", ["acknowledge", "hold"]),
    (Stage.NEW, "follow_up", ["acknowledge", "hold"]),
    (Stage.NEW, "close", ["acknowledge", "hold"]),
    (Stage.NEW, "reopen", ["acknowledge", "hold"]),
    (Stage.ACKNOWLEDGED, "acknowledge", ["apologize", "hold"]),
    (Stage.ACKNOWLEDGED, "resolve", ["apologize", "hold"]),
    (Stage.ACKNOWLEDGED, "follow_up", ["apologize", "hold"]),
    (Stage.ACKNOWLEDGED, "close", ["apologize", "hold"]),
    (Stage.ACKNOWLEDGED, "reopen", ["apologize", "hold"]),
    (Stage.APOLOGIZED, "acknowledge", ["resolve", "hold"]),
    (Stage.APOLOGIZED, "apologize", ["resolve", "hold"]),
    (Stage.APOLOGIZED, "follow_up", ["resolve", "hold"]),
    (Stage.APOLOGIZED, "close", ["resolve", "hold"]),
    (Stage.APOLOGIZED, "reopen", ["resolve", "hold"]),
    (Stage.RESOLVED, "acknowledge", ["follow_up", "reopen", "hold"]),
    (Stage.RESOLVED, "apologize", ["follow_up", "reopen", "hold"]),
    (Stage.RESOLVED, "resolve", ["follow_up", "reopen", "hold"]),
    (Stage.RESOLVED, "close", ["follow_up", "reopen", "hold"]),
    (Stage.FOLLOWED_UP, "acknowledge", ["close", "reopen", "hold"]),
    (Stage.FOLLOWED_UP, "apologize", ["close", "reopen", "hold"]),
    (Stage.FOLLOWED_UP, "resolve", ["close", "reopen", "hold"]),
    (Stage.FOLLOWED_UP, "follow_up", ["close", "reopen", "hold"]),
    (Stage.CLOSED, "acknowledge", ["reopen"]),
    (Stage.CLOSED, "apologize", ["reopen"]),
    (Stage.CLOSED, "resolve", ["reopen"]),
    (Stage.CLOSED, "follow_up", ["reopen"]),
    (Stage.CLOSED, "close", ["reopen"]),
]

STAGE_TIMESTAMP = {
    Stage.ACKNOWLEDGED: "acknowledged_at",
    Stage.APOLOGIZED: "apologized_at",
    Stage.RESOLVED: "resolved_at",
    Stage.FOLLOWED_UP: "followed_up_at",
    Stage.CLOSED: "closed_at",
}


def case_in(stage: str, **extra) -> RecoveryCase:
    return RecoveryCaseFactory(stage=stage, **extra)


def test_the_matrix_covers_every_stage_and_action_pair():
    pairs = {(s, a) for s, a, _ in ALLOWED} | {(s, a) for s, a, _ in FORBIDDEN}
    assert len(pairs) == len(ALLOWED) + len(FORBIDDEN) == len(Stage.values) * len(PAYLOAD)


@pytest.mark.parametrize(("stage", "action", "target"), ALLOWED)
def test_allowed_action_moves_the_stage_stamps_it_and_records_one_event(agent, stage, action, target):
    case = case_in(stage, owner=agent)

    with time_machine.travel("2026-11-20 10:00:00Z", tick=False):
        result = workflow.perform(action, case_id=case.pk, actor=agent, **PAYLOAD[action])

    case.refresh_from_db()
    assert result.stage == case.stage == target
    assert getattr(case, STAGE_TIMESTAMP[target]).isoformat() == "2026-11-20T10:00:00+00:00"
    assert case.version == 1
    (event,) = case.events.filter(kind=CaseEvent.Kind.STAGE_CHANGED)
    assert (event.from_stage, event.to_stage, event.actor) == (stage, target, agent)


@pytest.mark.parametrize(("stage", "action", "allowed"), FORBIDDEN)
def test_forbidden_action_is_refused_naming_the_stage_and_changes_nothing(agent, stage, action, allowed):
    case = case_in(stage, owner=agent)

    with pytest.raises(TransitionNotAllowed) as refused:
        workflow.perform(action, case_id=case.pk, actor=agent, **PAYLOAD[action])

    assert refused.value.stage == stage
    assert refused.value.allowed == allowed
    assert stage.replace("_", " ") in str(refused.value)
    for name in allowed:
        assert name in str(refused.value)
    case.refresh_from_db()
    assert (case.stage, case.version) == (stage, 0)
    assert not case.events.exists()


@pytest.mark.parametrize("stage", [Stage.NEW, Stage.ACKNOWLEDGED, Stage.APOLOGIZED, Stage.RESOLVED])
def test_manager_may_close_any_open_case_with_a_reason(manager, stage):
    case = case_in(stage)

    workflow.close(case_id=case.pk, actor=manager, reason="Duplicate of RC-000007")

    case.refresh_from_db()
    assert case.stage == Stage.CLOSED
    assert case.close_reason == "Duplicate of RC-000007"
    event = case.events.get(kind=CaseEvent.Kind.STAGE_CHANGED)
    assert event.data["override"] is True
    assert event.message == "Duplicate of RC-000007"


def test_manager_override_close_without_a_reason_is_refused(manager):
    case = case_in(Stage.ACKNOWLEDGED)

    with pytest.raises(InvalidInput) as refused:
        workflow.close(case_id=case.pk, actor=manager, reason="  ")

    assert refused.value.field == "reason"
    case.refresh_from_db()
    assert case.stage == Stage.ACKNOWLEDGED


def test_manager_cannot_close_a_closed_case(manager):
    case = case_in(Stage.CLOSED)

    with pytest.raises(TransitionNotAllowed) as refused:
        workflow.close(case_id=case.pk, actor=manager, reason="again")

    assert refused.value.allowed == ["reopen"]


def test_manager_sees_close_among_allowed_actions_of_an_open_case(manager, agent):
    case = case_in(Stage.ACKNOWLEDGED)

    assert workflow.allowed_actions(case, manager) == ["apologize", "close", "hold"]
    assert workflow.allowed_actions(case, agent) == ["apologize", "hold"]


@pytest.mark.parametrize(
    ("action", "payload", "field"),
    [
        ("apologize", {"note": ""}, "note"),
        ("apologize", {"note": "   "}, "note"),
        ("resolve", {"resolution": ""}, "resolution"),
        ("follow_up", {"outcome": " "}, "outcome"),
        ("follow_up", {"outcome": "fine", "satisfaction": 6}, "satisfaction"),
        ("follow_up", {"outcome": "fine", "satisfaction": 0}, "satisfaction"),
        ("reopen", {"reason": ""}, "reason"),
    ],
)
def test_action_missing_what_it_needs_is_refused_and_changes_nothing(agent, action, payload, field):
    stage = {
        "apologize": Stage.ACKNOWLEDGED,
        "resolve": Stage.APOLOGIZED,
        "follow_up": Stage.RESOLVED,
        "reopen": Stage.CLOSED,
    }[action]
    case = case_in(stage, owner=agent)

    with pytest.raises(InvalidInput) as refused:
        workflow.perform(action, case_id=case.pk, actor=agent, **payload)

    assert refused.value.field == field
    case.refresh_from_db()
    assert (case.stage, case.version) == (stage, 0)
    assert not case.events.exists()


def test_unknown_action_is_refused(agent):
    case = case_in(Stage.NEW)

    with pytest.raises(InvalidInput, match="Unknown action 'escalate'"):
        workflow.perform("escalate", case_id=case.pk, actor=agent)


def test_acting_on_an_unassigned_case_assigns_it_to_the_agent(agent):
    case = case_in(Stage.NEW)

    workflow.acknowledge(case_id=case.pk, actor=agent)

    case.refresh_from_db()
    assert case.owner == agent
    assert case.events.get().data["taken_by"] == agent.pk


def test_agent_cannot_act_on_another_agents_case(agent, other_agent):
    case = case_in(Stage.NEW, owner=other_agent)

    with pytest.raises(NotPermitted, match="belongs to another agent"):
        workflow.acknowledge(case_id=case.pk, actor=agent)

    case.refresh_from_db()
    assert (case.stage, case.owner) == (Stage.NEW, other_agent)
    assert workflow.allowed_actions(case, agent) == []


def test_manager_may_act_on_an_agents_case_without_taking_it(manager, agent):
    case = case_in(Stage.NEW, owner=agent)

    workflow.acknowledge(case_id=case.pk, actor=manager)

    case.refresh_from_db()
    assert (case.stage, case.owner) == (Stage.ACKNOWLEDGED, agent)


@pytest.mark.parametrize("user_fixture", ["outsider", "intake_user"])
def test_users_without_a_case_role_cannot_act(request, user_fixture):
    user = request.getfixturevalue(user_fixture)
    case = case_in(Stage.NEW)

    with pytest.raises(NotPermitted, match="Only agents and managers"):
        workflow.acknowledge(case_id=case.pk, actor=user)


def test_stale_version_is_a_conflict_and_changes_nothing(agent):
    case = case_in(Stage.NEW, owner=agent)
    workflow.acknowledge(case_id=case.pk, actor=agent, version=0)

    with pytest.raises(StaleCase, match="version 0, now 1"):
        workflow.apologize(case_id=case.pk, actor=agent, note="Sorry", version=0)

    case.refresh_from_db()
    assert (case.stage, case.version) == (Stage.ACKNOWLEDGED, 1)


def test_resolving_schedules_the_follow_up_after_the_policy_delay(agent):
    case = case_in(Stage.APOLOGIZED, owner=agent)

    with time_machine.travel("2026-11-20 10:00:00Z", tick=False):
        workflow.resolve(case_id=case.pk, actor=agent, resolution="Refunded.")

    case.refresh_from_db()
    (follow_up,) = case.follow_ups.all()
    assert follow_up.due_at.isoformat() == "2026-11-23T10:00:00+00:00"
    assert case.follow_up_due_at == follow_up.due_at
    assert case.resolution_summary == "Refunded."


def test_following_up_completes_the_pending_follow_up(agent):
    case = case_in(Stage.APOLOGIZED, owner=agent)
    workflow.resolve(case_id=case.pk, actor=agent, resolution="Refunded.")

    workflow.follow_up(case_id=case.pk, actor=agent, outcome="All good now", satisfaction=4)

    (follow_up,) = FollowUp.objects.filter(case=case)
    assert follow_up.done_at is not None
    assert (follow_up.outcome, follow_up.satisfaction) == ("All good now", 4)


def test_reopening_counts_clears_later_stages_and_restarts_the_sla_clock(agent):
    with time_machine.travel("2026-11-01 09:00:00Z", tick=False):
        case = case_in(Stage.APOLOGIZED, owner=agent, severity="high")
        workflow.resolve(case_id=case.pk, actor=agent, resolution="Refunded.")

    with time_machine.travel("2026-11-10 12:00:00Z", tick=False):
        workflow.reopen(case_id=case.pk, actor=agent, reason="Refund never arrived.")

    case.refresh_from_db()
    assert case.stage == Stage.ACKNOWLEDGED
    assert case.reopen_count == 1
    assert (case.apologized_at, case.resolved_at, case.follow_up_due_at) == (None, None, None)
    assert case.acknowledged_at.isoformat() == "2026-11-10T12:00:00+00:00"
    # High severity: apologize within 2 h, resolve within 24 h, counted from the reopening.
    assert case.apologize_due_at.isoformat() == "2026-11-10T14:00:00+00:00"
    assert case.resolve_due_at.isoformat() == "2026-11-11T12:00:00+00:00"
    assert not case.follow_ups.filter(done_at__isnull=True).exists()


def test_stage_is_not_editable_through_forms():
    field = RecoveryCase._meta.get_field("stage")

    assert field.editable is False


def test_due_moments_follow_the_severity_policy(agent):
    start = timezone.now()
    case = RecoveryCaseFactory(severity="critical", sla_started_at=start)

    assert case.acknowledge_due_at - start == timedelta(minutes=15)
    assert case.apologize_due_at - start == timedelta(minutes=30)
    assert case.resolve_due_at - start == timedelta(hours=4)


def test_following_up_after_the_customer_answered_the_survey_completes_that_follow_up(agent):
    case = case_in(Stage.APOLOGIZED, owner=agent)
    workflow.resolve(case_id=case.pk, actor=agent, resolution="Refunded.")
    answered = timezone.now()
    FollowUp.objects.filter(case=case).update(answered_at=answered, done_at=answered, satisfaction=4)

    workflow.follow_up(case_id=case.pk, actor=agent, outcome="Called back; all fine")

    (follow_up,) = FollowUp.objects.filter(case=case)
    assert (follow_up.outcome, follow_up.satisfaction, follow_up.done_at) == (
        "Called back; all fine",
        4,
        answered,
    )
