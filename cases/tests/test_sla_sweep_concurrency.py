"""Two SLA sweeps at the same moment (two beats by mistake, a slow sweep overlapping the next), on
real PostgreSQL: every alert, event and email exists exactly once."""

import pytest
from django.utils.dateparse import parse_datetime

from cases import sla_sweep
from cases.models import CaseEvent, Notification, SLAAlert
from cases.tests.factories import RecoveryCaseFactory
from cases.tests.test_workflow_concurrency import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

COMPLAINED = parse_datetime("2026-11-20T10:00:00Z")
CASES = 120


def test_two_concurrent_sweeps_send_each_alert_once(agent, manager, monkeypatch):
    # Small batches, so the two sweeps meet many times, on locked rows and on claimed ones.
    monkeypatch.setattr(sla_sweep, "SWEEP_BATCH_SIZE", 10)
    agent.email, manager.email = "alice@example.com", "maria@example.com"
    agent.save()
    manager.save()
    for _ in range(CASES):
        RecoveryCaseFactory(severity="high", sla_started_at=COMPLAINED, owner=agent)
    now = parse_datetime("2026-11-20T11:00:00Z")  # acknowledge warned (10:45) and breached (11:00)

    outcomes = run_at_once(lambda: sla_sweep.sweep(now=now), lambda: sla_sweep.sweep(now=now))

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sum(o["warnings"] for o in outcomes) == sum(o["breaches"] for o in outcomes) == CASES
    assert SLAAlert.objects.count() == 2 * CASES
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.SLA_WARNING).count() == CASES
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.SLA_BREACHED).count() == CASES
    assert Notification.objects.count() == 3 * CASES  # warning to the owner, breach to owner and manager
    assert sla_sweep.sweep(now=now)["cases"] == 0
