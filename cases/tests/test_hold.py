"""Hold: an agent pauses a case's SLA clocks while waiting on the customer, and resumes them."""

from datetime import time, timedelta

import pytest
import time_machine
from django.utils.dateparse import parse_datetime

from cases import services, workflow
from cases.models import (
    BusinessCalendar,
    CaseEvent,
    OpeningHours,
    RecoveryCase,
    SLAAlarm,
    SLAPolicy,
    SLAState,
    Stage,
)
from cases.tests.factories import RecoveryCaseFactory
from cases.tests.test_business_hours import local
from conftest import COMPLAINED, high_case
from recovery.errors import Conflict, InvalidInput, NotPermitted, StaleCase, TransitionNotAllowed

pytestmark = pytest.mark.django_db


def at(moment: str):
    return time_machine.travel(f"2026-11-20T{moment}:00Z", tick=False)


def iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def test_a_held_case_is_paused_and_in_no_other_sla_state(agent):
    case = high_case(owner=agent)

    with at("10:20"):
        held = workflow.perform("hold", case_id=case.pk, actor=agent, reason="Waiting for photos")

    case.refresh_from_db()
    assert (held.stage, case.stage, case.version) == (Stage.NEW, Stage.NEW, 1)
    assert iso(case.on_hold_since) == "2026-11-20T10:20:00Z"
    assert case.hold_reason == "Waiting for photos"
    assert not SLAAlarm.objects.filter(case=case).exists()  # paused clocks alert nothing
    long_past_due = parse_datetime("2026-11-25T00:00:00Z")
    assert list(RecoveryCase.objects.in_sla_state(SLAState.PAUSED, long_past_due)) == [case]
    for state in (SLAState.ON_TRACK, SLAState.AT_RISK, SLAState.BREACHED):
        assert not RecoveryCase.objects.in_sla_state(state, long_past_due).exists()
    event = case.events.get(kind=CaseEvent.Kind.SLA_PAUSED)
    assert (event.actor, event.message) == (agent, "Waiting for photos")
    assert event.data == {"sla_state": {"from": "on_track", "to": "paused"}, "owner": agent.pk}


def test_unholding_moves_every_running_due_moment_by_the_time_paused(agent):
    case = high_case(owner=agent)
    with at("10:20"):
        workflow.hold(case_id=case.pk, actor=agent, reason="Waiting for photos")

    with at("12:20"):
        workflow.perform("unhold", case_id=case.pk, actor=agent)

    case.refresh_from_db()
    assert (iso(case.acknowledge_due_at), iso(case.apologize_due_at), iso(case.resolve_due_at)) == (
        "2026-11-20T13:00:00Z",
        "2026-11-20T14:00:00Z",
        "2026-11-21T12:00:00Z",
    )
    # 45 minutes of clock time: 20 before the hold, 25 after it.
    assert iso(case.sla_warn_at) == iso(SLAAlarm.objects.get(case=case).rings_at) == "2026-11-20T12:45:00Z"
    assert (case.paused_total, case.sla_paused, case.on_hold_since, case.version) == (
        timedelta(hours=2),
        timedelta(hours=2),
        None,
        2,
    )
    event = case.events.get(kind=CaseEvent.Kind.SLA_RESUMED)
    assert event.data == {
        "sla_state": {"from": "paused", "to": "on_track"},
        "owner": agent.pk,
        "paused_seconds": 7200,
    }


def test_with_a_calendar_only_the_working_time_on_hold_moves_the_due_moment(agent):
    calendar = BusinessCalendar.objects.create(name="Berlin office", time_zone="Europe/Berlin")
    for weekday in range(5):
        OpeningHours.objects.create(calendar=calendar, weekday=weekday, opens=time(9), closes=time(17))
    SLAPolicy.objects.filter(severity="medium").update(calendar=calendar)  # acknowledge within 4 h
    case = RecoveryCaseFactory(severity="medium", owner=agent, sla_started_at=local("2026-11-20 15:00"))
    assert case.acknowledge_due_at == local("2026-11-23 11:00")  # Friday 2 h, Monday 2 h

    with time_machine.travel(local("2026-11-20 16:00"), tick=False):
        workflow.hold(case_id=case.pk, actor=agent, reason="Customer away for the weekend")
    with time_machine.travel(local("2026-11-23 10:00"), tick=False):
        workflow.unhold(case_id=case.pk, actor=agent)

    case.refresh_from_db()
    # On hold Friday 16-17 and Monday 9-10: two working hours, whatever the weekend's length.
    assert case.acknowledge_due_at == local("2026-11-23 13:00")
    assert case.paused_total == timedelta(hours=66)
    assert case.sla_paused == timedelta(hours=2)


def test_a_severity_change_after_a_hold_keeps_the_paused_time(agent):
    case = high_case(owner=agent)
    with at("10:20"):
        workflow.hold(case_id=case.pk, actor=agent, reason="Waiting for photos")
    with at("11:20"):
        workflow.unhold(case_id=case.pk, actor=agent)

    services.change_severity(case=RecoveryCase.objects.get(pk=case.pk), severity="critical", actor=agent)

    case.refresh_from_db()
    # Critical acknowledges within 15 min; plus the hour on hold.
    assert iso(case.acknowledge_due_at) == "2026-11-20T11:15:00Z"
    assert iso(case.sla_due_at) == "2026-11-20T11:15:00Z"


def test_reopening_restarts_the_clocks_and_forgets_earlier_pauses(agent):
    case = high_case(owner=agent, stage=Stage.RESOLVED, acknowledged_at=COMPLAINED, apologized_at=COMPLAINED)
    with at("10:20"):
        workflow.hold(case_id=case.pk, actor=agent, reason="Waiting for the courier's report")
    with at("11:20"):
        workflow.unhold(case_id=case.pk, actor=agent)

    with at("15:00"):
        workflow.reopen(case_id=case.pk, actor=agent, reason="Second parcel broken too")

    case.refresh_from_db()
    assert case.sla_paused == timedelta(0)
    assert case.paused_total == timedelta(hours=1)  # the case's life keeps it
    assert iso(case.apologize_due_at) == "2026-11-20T17:00:00Z"
    assert iso(case.resolve_due_at) == "2026-11-21T15:00:00Z"


def test_closing_a_held_case_ends_the_hold(manager):
    case = high_case(owner=manager)
    with at("10:20"):
        workflow.hold(case_id=case.pk, actor=manager, reason="Waiting for photos")

    with at("10:50"):
        workflow.close(case_id=case.pk, actor=manager, reason="Customer withdrew the complaint")

    case.refresh_from_db()
    assert (case.on_hold_since, case.paused_total, case.sla_due_at) == (None, timedelta(minutes=30), None)
    assert case.events.filter(kind=CaseEvent.Kind.SLA_RESUMED).count() == 1
    assert workflow.allowed_actions(case, manager) == ["reopen"]


def test_hold_and_unhold_are_offered_where_they_make_sense(agent):
    case = high_case(owner=agent)
    assert workflow.allowed_actions(case, agent) == ["acknowledge", "hold"]

    workflow.hold(case_id=case.pk, actor=agent, reason="Waiting for photos")

    case.refresh_from_db()
    assert workflow.allowed_actions(case, agent) == ["acknowledge", "unhold"]


def assert_nothing_stored(case: RecoveryCase) -> None:
    case.refresh_from_db()
    assert (case.on_hold_since, case.hold_reason, case.version) == (None, "", 0)
    assert not case.events.exists()


def test_a_hold_without_a_reason_is_refused_and_stores_nothing(agent):
    case = high_case(owner=agent)

    with pytest.raises(InvalidInput) as refused:
        workflow.hold(case_id=case.pk, actor=agent, reason="  ")

    assert refused.value.field == "reason"
    assert_nothing_stored(case)


@pytest.mark.parametrize(
    ("action", "setup", "error"),
    [
        ("hold", {"stage": Stage.CLOSED}, TransitionNotAllowed),
        ("unhold", {"stage": Stage.CLOSED}, TransitionNotAllowed),
        ("unhold", {}, Conflict),  # not on hold
        ("hold", {"version": 3}, StaleCase),
    ],
)
def test_hold_and_unhold_out_of_place_are_refused(agent, action, setup, error):
    version = setup.pop("version", None)
    case = high_case(owner=agent, **setup)
    payload = {"reason": "Waiting for photos"} if action == "hold" else {}

    with pytest.raises(error):
        workflow.perform(action, case_id=case.pk, actor=agent, version=version, **payload)

    assert_nothing_stored(case)


def test_holding_a_held_case_is_a_conflict(agent):
    case = high_case(owner=agent)
    workflow.hold(case_id=case.pk, actor=agent, reason="Waiting for photos")

    with pytest.raises(Conflict, match="already on hold"):
        workflow.hold(case_id=case.pk, actor=agent, reason="Again")

    case.refresh_from_db()
    assert (case.hold_reason, case.version) == ("Waiting for photos", 1)


def test_an_agent_may_not_hold_another_agents_case(agent, other_agent, outsider):
    case = high_case(owner=other_agent)

    for actor in (agent, outsider):
        with pytest.raises(NotPermitted):
            workflow.hold(case_id=case.pk, actor=actor, reason="Waiting for photos")

    assert_nothing_stored(case)
