"""The SLA sweep, minute by minute: warnings, breaches and escalations, each exactly once."""

from datetime import time

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.dateparse import parse_datetime

from cases import tasks, workflow
from cases.models import (
    BusinessCalendar,
    CaseEvent,
    Notification,
    OpeningHours,
    RecoveryCase,
    SLAAlarm,
    SLAAlert,
    SLAPolicy,
    Stage,
)
from cases.sla import sweep as sla_sweep
from cases.tests.factories import RecoveryCaseFactory
from cases.tests.test_business_hours import local
from cases.webhooks.outbox import forget_subscriptions
from conftest import COMPLAINED, high_case

pytestmark = pytest.mark.django_db

NOTHING = {"cases": 0, "warnings": 0, "breaches": 0, "escalations": 0}


@pytest.fixture
def owner(agent):
    agent.email = "alice@example.com"
    agent.save()
    return agent


@pytest.fixture
def boss(manager):
    manager.email = "maria@example.com"
    manager.save()
    return manager


def sweep_at(moment: str) -> dict[str, int]:
    now = parse_datetime(f"2026-11-20T{moment}:00Z")
    with time_machine.travel(now, tick=False):
        return sla_sweep.sweep(now=now)


def timeline(case) -> list[tuple[str, str, int]]:
    kinds = [CaseEvent.Kind.SLA_WARNING, CaseEvent.Kind.SLA_BREACHED, CaseEvent.Kind.ESCALATED]
    return [
        (e.kind, e.data["target"], e.data["escalation_level"]) for e in case.events.filter(kind__in=kinds)
    ]


def test_each_rule_fires_once_at_its_moment(owner, boss):
    case = high_case(owner=owner)

    assert sweep_at("10:44") == NOTHING
    assert sweep_at("10:45") == {**NOTHING, "cases": 1, "warnings": 1}
    assert sweep_at("10:59") == NOTHING
    assert sweep_at("11:00") == {**NOTHING, "cases": 1, "breaches": 1}
    assert sweep_at("11:30") == {**NOTHING, "cases": 1, "warnings": 1}
    assert sweep_at("12:00") == {**NOTHING, "cases": 1, "breaches": 1, "escalations": 1}
    assert sweep_at("12:01") == NOTHING

    case.refresh_from_db()
    assert case.escalation_level == 2
    assert timeline(case) == [
        ("sla_warning", "acknowledge", 0),
        ("sla_breached", "acknowledge", 1),
        ("sla_warning", "apologize", 1),
        ("escalated", "acknowledge", 2),
        ("sla_breached", "apologize", 2),
    ]
    recipients = [
        (n.recipient, n.subject.removeprefix(f"{case.reference}: ").split(":")[0])
        for n in Notification.objects.filter(case=case).order_by("id")
    ]
    assert recipients == [
        ("alice@example.com", "SLA warning"),  # the owner is warned
        ("alice@example.com", "SLA breached"),  # owner and managers hear of the breach
        ("maria@example.com", "SLA breached"),
        ("alice@example.com", "SLA warning"),
        ("maria@example.com", "Escalated"),  # level 2: the managers; one email with apologize's breach
        ("alice@example.com", "SLA breached"),
    ]
    assert iso(SLAAlarm.objects.get(case=case).rings_at) == "2026-11-20T14:00:00Z"  # apologize's level 2


def iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def test_the_breach_event_says_who_held_the_case(owner, boss):
    case = high_case(owner=owner)

    sweep_at("11:00")

    breach = case.events.get(kind=CaseEvent.Kind.SLA_BREACHED)
    assert breach.actor is None
    assert breach.data == {
        "target": "acknowledge",
        "level": 1,
        "moment": "2026-11-20T11:00:00+00:00",
        "due_at": "2026-11-20T11:00:00+00:00",
        "escalation_level": 1,
        "sla_state": "breached",
        "owner": owner.pk,
    }
    alert = SLAAlert.objects.get(case=case, level=SLAAlert.Level.BREACHED)
    assert (alert.target, alert.owner, alert.cycle) == ("acknowledge", owner, 0)


def test_a_sweep_that_missed_moments_sends_each_one_once(owner, boss):
    case = high_case(owner=owner)

    assert sweep_at("12:30") == {**NOTHING, "cases": 1, "warnings": 2, "breaches": 2, "escalations": 1}
    assert sweep_at("12:30") == NOTHING

    assert SLAAlert.objects.filter(case=case).count() == 5


def test_a_stage_reached_in_time_stops_its_alerts(owner, boss):
    case = high_case(owner=owner)
    with time_machine.travel("2026-11-20T10:30:00Z", tick=False):
        workflow.acknowledge(case_id=case.pk, actor=owner)

    assert sweep_at("11:29") == NOTHING
    assert sweep_at("11:30") == {**NOTHING, "cases": 1, "warnings": 1}

    assert timeline(case) == [("sla_warning", "apologize", 0)]


def test_a_transition_after_a_warning_does_not_repeat_it(owner, boss):
    case = high_case(owner=owner)
    sweep_at("11:40")  # acknowledge warned and breached, apologize warned
    with time_machine.travel("2026-11-20T11:45:00Z", tick=False):
        workflow.acknowledge(case_id=case.pk, actor=owner)

    assert sweep_at("11:46") == {**NOTHING, "cases": 1}  # looked once more, sent nothing
    assert sweep_at("11:47") == NOTHING
    assert sweep_at("12:00") == {**NOTHING, "cases": 1, "breaches": 1}


def test_paused_and_closed_cases_are_not_swept(owner, boss):
    held = high_case(owner=owner)
    high_case(owner=owner, stage=Stage.CLOSED, closed_at=COMPLAINED)
    with time_machine.travel("2026-11-20T10:30:00Z", tick=False):
        workflow.hold(case_id=held.pk, actor=owner, reason="Waiting for photos")

    assert sweep_at("23:00") == NOTHING

    with time_machine.travel("2026-11-20T11:30:00Z", tick=False):
        workflow.unhold(case_id=held.pk, actor=owner)
    assert sweep_at("11:44") == NOTHING  # warning moved from 10:45 to 11:45
    assert sweep_at("11:45") == {**NOTHING, "cases": 1, "warnings": 1}


def test_an_alarm_left_on_a_closed_case_is_taken_away_and_sends_nothing(owner, boss):
    case = high_case(owner=owner)
    RecoveryCase.objects.filter(pk=case.pk).update(stage=Stage.CLOSED, closed_at=COMPLAINED)

    assert sweep_at("11:30") == {**NOTHING, "cases": 1}
    assert not SLAAlarm.objects.filter(case=case).exists()
    assert sweep_at("11:31") == NOTHING
    assert not Notification.objects.exists()


def test_a_warning_moves_only_the_alarm_and_a_breach_raises_the_escalation_level(owner, boss):
    case = high_case(owner=owner)
    updated_at = case.updated_at

    sweep_at("10:50")
    case.refresh_from_db()
    assert (case.escalation_level, case.updated_at, case.version) == (0, updated_at, 0)
    assert iso(SLAAlarm.objects.get(case=case).rings_at) == "2026-11-20T11:00:00Z"  # the breach next

    sweep_at("11:00")
    case.refresh_from_db()
    assert case.escalation_level == 1
    assert iso(SLAAlarm.objects.get(case=case).rings_at) == "2026-11-20T11:30:00Z"  # apologize's warning


def test_a_reopened_case_is_warned_again_on_its_fresh_clocks(owner, boss):
    case = high_case(owner=owner, stage=Stage.APOLOGIZED, acknowledged_at=COMPLAINED)
    sweep_at("11:30")  # apologize warned
    case = RecoveryCase.objects.get(pk=case.pk)
    with time_machine.travel("2026-11-20T11:40:00Z", tick=False):
        workflow.perform("resolve", case_id=case.pk, actor=owner, resolution="Refunded")
    with time_machine.travel("2026-11-20T12:00:00Z", tick=False):
        workflow.reopen(case_id=case.pk, actor=owner, reason="Refund never arrived")

    assert sweep_at("13:30") == {**NOTHING, "cases": 1, "warnings": 1}  # apologize again: 12:00 + 1 h 30

    assert [a.cycle for a in SLAAlert.objects.filter(case=case, target="apologize")] == [0, 1]


def test_an_unowned_case_warns_the_managers(boss):
    high_case()

    sweep_at("10:45")

    assert list(Notification.objects.values_list("recipient", flat=True)) == ["maria@example.com"]


def test_with_a_calendar_the_warning_comes_at_the_fraction_of_working_time(owner, boss):
    calendar = BusinessCalendar.objects.create(name="Berlin office", time_zone="Europe/Berlin")
    for weekday in range(5):
        OpeningHours.objects.create(calendar=calendar, weekday=weekday, opens=time(9), closes=time(17))
    SLAPolicy.objects.filter(severity="medium").update(calendar=calendar)  # acknowledge 4 h, warn 75 %
    case = RecoveryCaseFactory(severity="medium", owner=owner, sla_started_at=local("2026-11-20 16:00"))

    def sweep_local(moment: str):
        return sla_sweep.sweep(now=local(moment))

    # 1 h on Friday, then Monday. Acknowledge (4 h): warned after 3 working hours, due after 4, level 2
    # after 8. Apologize (8 h): warned after 6, due after 8.
    assert sweep_local("2026-11-23 10:59") == NOTHING
    assert sweep_local("2026-11-23 11:00") == {**NOTHING, "cases": 1, "warnings": 1}
    assert sweep_local("2026-11-23 12:00") == {**NOTHING, "cases": 1, "breaches": 1}
    assert sweep_local("2026-11-23 14:00") == {**NOTHING, "cases": 1, "warnings": 1}
    assert sweep_local("2026-11-23 16:00") == {**NOTHING, "cases": 1, "breaches": 1, "escalations": 1}
    assert timeline(RecoveryCase.objects.get(pk=case.pk)) == [
        ("sla_warning", "acknowledge", 0),
        ("sla_breached", "acknowledge", 1),
        ("sla_warning", "apologize", 1),
        ("escalated", "acknowledge", 2),
        ("sla_breached", "apologize", 2),
    ]


def test_sweep_queries_do_not_grow_with_due_cases(owner, boss):
    # One batch: savepoint, SELECT the due cases, policies, INSERT alerts RETURNING the claimed ones,
    # INSERT events, the webhook subscriptions, managers, owners, INSERT digests, SELECT their ids,
    # UPDATE the alarms, UPDATE the escalation levels, release. The subscriptions are cached for two
    # seconds per process, so each sweep is made to read them: whether it did must not hang on the clock.
    for _ in range(3):
        high_case(owner=owner)
    forget_subscriptions()
    with CaptureQueriesContext(connection) as few:
        assert sweep_at("11:00")["breaches"] == 3

    for _ in range(20):  # 40 alerts and events: under SQLite's limit on one INSERT's parameters
        high_case(owner=owner)
    forget_subscriptions()
    with CaptureQueriesContext(connection) as many:
        assert sweep_at("11:00")["breaches"] == 20

    assert len(few) == len(many) == 13


def test_a_sweep_with_nothing_due_reads_once_inside_its_savepoint(owner, django_assert_num_queries):
    high_case(owner=owner)

    with django_assert_num_queries(3):  # the batch transaction's savepoint pair and one SELECT
        assert sweep_at("10:00") == NOTHING


def test_alert_emails_are_sent_after_commit(owner, boss, mailoutbox, django_capture_on_commit_callbacks):
    high_case(owner=owner)

    with django_capture_on_commit_callbacks(execute=True):
        sweep_at("11:00")

    assert sorted(m.to[0] for m in mailoutbox) == ["alice@example.com", "maria@example.com"]
    assert set(Notification.objects.values_list("status", flat=True)) == {Notification.Status.SENT}


def test_the_command_and_the_task_run_one_sweep(owner, boss, capsys):
    high_case(owner=owner)

    with time_machine.travel("2026-11-20T11:00:00Z", tick=False):
        call_command("sweep_sla")
        assert tasks.sweep_sla.delay().get() == NOTHING

    assert capsys.readouterr().out.strip() == "cases=1 warnings=1 breaches=1 escalations=0"
