"""The SLA clock: due moments per stage, the running target, and the case's SLA state over time."""

import pytest
import time_machine
from django.db import transaction
from django.utils.dateparse import parse_datetime

from cases import services, workflow
from cases.models import RecoveryCase, SLAAlarm, SLAState, Stage
from cases.sla import clock as sla
from conftest import COMPLAINED, high_case
from feedback.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2026-11-20T10:44:00Z", SLAState.ON_TRACK),
        ("2026-11-20T10:45:00Z", SLAState.AT_RISK),  # 75 % of the hour to acknowledge
        ("2026-11-20T10:59:59Z", SLAState.AT_RISK),
        ("2026-11-20T11:00:00Z", SLAState.BREACHED),
    ],
)
def test_a_new_case_runs_on_its_acknowledge_target(moment, expected):
    case = high_case()
    now = parse_datetime(moment)

    assert sla.sla_state(case, now=now) == expected
    assert list(RecoveryCase.objects.in_sla_state(expected, now)) == [case]
    others = {SLAState.ON_TRACK, SLAState.AT_RISK, SLAState.BREACHED} - {expected}
    for state in others:
        assert not RecoveryCase.objects.in_sla_state(state, now).exists()


def test_reaching_a_stage_stops_its_clock_and_the_next_target_runs(agent):
    case = high_case()

    with time_machine.travel("2026-11-20T10:30:00Z", tick=False):
        workflow.acknowledge(case_id=case.pk, actor=agent)

    case.refresh_from_db()
    assert case.sla_due_at.isoformat() == "2026-11-20T12:00:00+00:00"  # apologize within 2 h
    assert case.sla_warn_at.isoformat() == "2026-11-20T11:30:00+00:00"


def test_a_resolved_case_runs_on_its_follow_up_and_a_closed_case_on_nothing(manager):
    case = high_case(stage=Stage.APOLOGIZED, acknowledged_at=COMPLAINED, apologized_at=COMPLAINED)

    with time_machine.travel("2026-11-20T12:00:00Z", tick=False):
        workflow.resolve(case_id=case.pk, actor=manager, resolution="Replaced")
    case.refresh_from_db()
    assert case.sla_due_at.isoformat() == "2026-11-23T12:00:00+00:00"

    workflow.close(case_id=case.pk, actor=manager, reason="Customer moved away")
    case.refresh_from_db()
    assert (case.sla_due_at, case.sla_warn_at) == (None, None)
    assert sla.sla_state(case, now=parse_datetime("2027-01-01T00:00:00Z")) == SLAState.ON_TRACK


def at(moment: str):
    return time_machine.travel(f"2026-11-20T{moment}:00Z", tick=False)


def alarm(case) -> str | None:
    rings_at = SLAAlarm.objects.filter(case=case).values_list("rings_at", flat=True).first()
    return rings_at and rings_at.isoformat()


def test_the_sla_alarm_rings_at_the_earliest_alert_moment_through_the_case_life(agent, manager):
    with at("10:00"):
        case = services.open_case(customer=CustomerFactory(), title="Parcel late", severity="high")
    assert alarm(case) == "2026-11-20T10:45:00+00:00"  # acknowledge's warning

    with at("10:30"):
        workflow.acknowledge(case_id=case.pk, actor=agent)
    assert alarm(case) == "2026-11-20T11:30:00+00:00"  # apologize's

    with at("10:40"), transaction.atomic():
        locked = RecoveryCase.objects.select_for_update().get(pk=case.pk)
        services.change_severity(case=locked, severity="critical", actor=manager)
    assert alarm(case) == "2026-11-20T10:22:30+00:00"  # critical: 30 min to apologize, warned at 75 %

    with at("10:50"):
        workflow.apologize(case_id=case.pk, actor=agent, note="Sorry")
        workflow.resolve(case_id=case.pk, actor=agent, resolution="Resent")
    assert alarm(case) is None  # the follow-up clock is the follow-up sweep's, not the SLA sweep's

    with at("11:00"):
        workflow.reopen(case_id=case.pk, actor=agent, reason="Still broken")
    assert alarm(case) == "2026-11-20T11:22:30+00:00"  # back to acknowledged: apologize, on fresh clocks

    with at("11:10"):
        workflow.close(case_id=case.pk, actor=manager, reason="Duplicate of another case")
    assert alarm(case) is None


def test_a_deleted_policy_is_recreated_from_the_defaults():
    from cases.models import SLAPolicy

    SLAPolicy.objects.filter(severity="critical").delete()

    policy = sla.policy_for("critical")

    assert policy.acknowledge_within.total_seconds() == 15 * 60


def test_the_sweeps_row_carries_every_stage_due_field():
    # SweptCase declares its fields as typed attributes; the table of due fields is STAGE_DUE_FIELDS.
    from cases.models import STAGE_DUE_FIELDS
    from cases.sla.alerts import SWEPT_FIELDS

    assert set(STAGE_DUE_FIELDS.values()) <= set(SWEPT_FIELDS)
