"""Two SLA sweeps at the same moment (two beats by mistake, a slow sweep overlapping the next), on
real PostgreSQL: every alert and event exists exactly once, and every digest entry reaches each of
its recipients exactly once."""

import pytest
from django.utils.dateparse import parse_datetime

from cases import sla_sweep
from cases.models import CaseEvent, SLAAlert
from cases.tests.factories import RecoveryCaseFactory
from cases.tests.test_sla_digest import listed
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
