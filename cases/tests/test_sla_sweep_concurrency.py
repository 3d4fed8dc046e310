"""Two SLA sweeps at the same moment (two beats by mistake, a slow sweep overlapping the next), on
real PostgreSQL: every alert and event exists exactly once, and every digest entry reaches each of
its recipients exactly once. A sweep and an agent on the same case: neither waits on the other for
long, and the case's alarm ends where the agent's action left it."""

import threading

import pytest
import time_machine
from django.db import connection, transaction
from django.utils.dateparse import parse_datetime

from cases import workflow
from cases.models import CaseEvent, RecoveryCase, SLAAlarm, SLAAlert
from cases.sla import sweep as sla_sweep
from cases.tests.factories import RecoveryCaseFactory
from cases.tests.test_sla_digest import listed
from conftest import COMPLAINED, run_at_once, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CASES = 120


def test_two_concurrent_sweeps_send_each_alert_once(agent, manager, monkeypatch):
    # Small batches, so the two sweeps meet many times, on locked rows and on claimed ones.
    monkeypatch.setattr(sla_sweep, "SWEEP_BATCH_SIZE", 10)
    agent.email, manager.email = "alice@example.com", "maria@example.com"
    agent.save()
    manager.save()
    cases = [
        RecoveryCaseFactory(severity="high", sla_started_at=COMPLAINED, owner=agent) for _ in range(CASES)
    ]
    now = parse_datetime("2026-11-20T11:00:00Z")  # acknowledge warned (10:45) and breached (11:00)

    outcomes = run_at_once(lambda: sla_sweep.sweep(now=now), lambda: sla_sweep.sweep(now=now))

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sum(o["warnings"] for o in outcomes) == sum(o["breaches"] for o in outcomes) == CASES
    assert SLAAlert.objects.count() == 2 * CASES
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.SLA_WARNING).count() == CASES
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.SLA_BREACHED).count() == CASES
    warned = [(case.reference, "SLA warning") for case in cases]
    breached = [(case.reference, "SLA breached") for case in cases]
    assert sorted(listed("alice@example.com")) == sorted(warned + breached)  # the owner hears of both
    assert sorted(listed("maria@example.com")) == sorted(breached)  # the manager of the breaches
    assert sla_sweep.sweep(now=now)["cases"] == 0


def someone_waits_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def in_thread(call) -> tuple[threading.Thread, list]:
    outcome = []

    def run():
        try:
            outcome.append(call())
        except Exception as exc:  # inspected by the test
            outcome.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_a_sweep_passes_over_a_case_an_agent_is_acting_on(agent):
    case = RecoveryCaseFactory(severity="high", sla_started_at=COMPLAINED, owner=agent)
    locked, swept = threading.Event(), threading.Event()

    def agent_acknowledging():
        with transaction.atomic():
            RecoveryCase.objects.select_for_update().get(pk=case.pk)  # as the workflow's first step
            locked.set()
            assert swept.wait(timeout=20)
            return workflow.acknowledge(case_id=case.pk, actor=agent)

    with time_machine.travel("2026-11-20T11:00:01Z", tick=False):
        thread, outcome = in_thread(agent_acknowledging)
        assert locked.wait(timeout=20)
        meanwhile = sla_sweep.sweep(now=parse_datetime("2026-11-20T11:00:01Z"))
        swept.set()
        thread.join(timeout=20)

    assert meanwhile["cases"] == 0  # skipped, not waited for
    assert outcome[0].stage == "acknowledged"
    assert not SLAAlert.objects.exists()
    assert SLAAlarm.objects.get(case=case).rings_at == parse_datetime("2026-11-20T11:30:00Z")  # apologize's


def test_an_agent_acting_during_a_sweep_has_the_last_word_on_the_alarm(agent, monkeypatch):
    case = RecoveryCaseFactory(severity="high", sla_started_at=COMPLAINED, owner=agent)
    claimed, save_progress = threading.Event(), sla_sweep._save_progress

    def slow_save_progress(*args):
        claimed.set()
        # Hold this batch's row locks until the agent's action, started now, is queued behind them.
        wait_until(someone_waits_on_a_lock, timeout=20, what="the agent's action to wait on the row lock")
        save_progress(*args)

    monkeypatch.setattr(sla_sweep, "_save_progress", slow_save_progress)
    with time_machine.travel("2026-11-20T11:00:01Z", tick=False):
        sweeping, swept = in_thread(lambda: sla_sweep.sweep(now=parse_datetime("2026-11-20T11:00:01Z")))
        assert claimed.wait(timeout=20)
        acknowledged = workflow.acknowledge(case_id=case.pk, actor=agent)
        sweeping.join(timeout=20)

    assert swept[0]["breaches"] == 1  # the sweep had the case first: its alerts stand
    assert acknowledged.stage == "acknowledged"
    kinds = list(case.events.order_by("id").values_list("kind", flat=True))
    assert kinds == [CaseEvent.Kind.SLA_WARNING, CaseEvent.Kind.SLA_BREACHED, CaseEvent.Kind.STAGE_CHANGED]
    # The sweep moved the alarm to acknowledge's escalation (12:00); the agent's action, after it,
    # to apologize's warning.
    assert SLAAlarm.objects.get(case=case).rings_at == parse_datetime("2026-11-20T11:30:00Z")
