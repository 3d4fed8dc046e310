"""Two follow-up sweeps at the same moment (two beats by mistake), on real PostgreSQL."""

import pytest
import time_machine
from django.utils.dateparse import parse_datetime

from cases import workflow
from cases.follow_ups import sweep as follow_up_sweep
from cases.models import CaseEvent, Notification
from cases.tests.factories import RecoveryCaseFactory
from conftest import run_at_once
from feedback.tests.factories import CustomerFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

A_DAY_LATE = parse_datetime("2026-11-24T10:00:00Z")


def test_two_sweeps_at_once_remind_invite_and_escalate_each_follow_up_exactly_once(agent, manager):
    manager.email = "maria@example.com"
    manager.save()
    cases = []
    for n in range(6):
        case = RecoveryCaseFactory(
            apologized=True, owner=agent, customer=CustomerFactory(email=f"c{n}@example.com")
        )
        with time_machine.travel("2026-11-20T10:00:00Z", tick=False):
            workflow.resolve(case_id=case.pk, actor=agent, resolution="Refunded.")
        cases.append(case)

    outcomes = run_at_once(
        lambda: follow_up_sweep.sweep(now=A_DAY_LATE),
        lambda: follow_up_sweep.sweep(now=A_DAY_LATE),
    )

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sum(o["reminded"] for o in outcomes) == 6
    assert sum(o["surveys"] for o in outcomes) == 6
    assert sum(o["escalated"] for o in outcomes) == 6
    for case in cases:
        assert case.events.filter(kind=CaseEvent.Kind.REMINDER).count() == 1
        assert case.events.filter(kind=CaseEvent.Kind.ESCALATED).count() == 1
    assert Notification.objects.filter(template="follow_up_survey").count() == 6
    assert Notification.objects.filter(template="follow_up_overdue").count() == 6
