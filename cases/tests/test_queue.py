"""The agent's queue order (`cases.selectors.queue`) and the "Customer unhappy" flag the workflow keeps."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from cases import workflow
from cases.models import Severity, SLAPolicy, Stage
from cases.selectors import queue
from cases.tests.factories import RecoveryCaseFactory

pytestmark = pytest.mark.django_db

NOW = "2026-11-25T12:00:00Z"


def opened(ago: timedelta, **extra):
    """A case whose SLA clock started `ago` before NOW (default policies: medium acknowledges in 4 h,
    warned at 3 h; low in 24 h, warned at 18 h; critical in 15 min, warned at 11 min 15 s)."""
    with time_machine.travel(NOW, tick=False):
        return RecoveryCaseFactory(sla_started_at=timezone.now() - ago, **extra)


def page(user, scope="all"):
    with time_machine.travel(NOW, tick=False):
        return [case.pk for case in queue.queue_page(user=user, scope=scope, now=timezone.now())]


def reopened_by_customer(case, agent):
    workflow.resolve(case_id=case.pk, actor=agent, resolution="Replaced it.")
    return workflow.reopen_for_customer(case_id=case.pk, reason="Still broken (survey: 1/5).")


def test_the_queue_runs_breached_then_at_risk_then_on_track_then_paused(agent):
    paused = opened(timedelta(hours=5), owner=agent, on_hold_since=timezone.now())  # would be breached
    on_track = opened(timedelta(minutes=1), owner=agent)
    at_risk = opened(timedelta(hours=3, minutes=30), owner=agent)
    breached = opened(timedelta(hours=5))

    assert page(agent) == [breached.pk, at_risk.pk, on_track.pk, paused.pk]


def test_a_case_with_no_target_running_sorts_below_every_case_whose_target_runs(agent):
    with time_machine.travel(NOW, tick=False):  # followed up: waits to be closed, nothing due
        critical_waiting = RecoveryCaseFactory(followed_up=True, severity=Severity.CRITICAL, owner=agent)
        low_waiting = RecoveryCaseFactory(followed_up=True, severity=Severity.LOW)
    assert (critical_waiting.sla_due_at, low_waiting.sla_due_at) == (None, None)
    high_due_in_29_min = opened(timedelta(minutes=31), severity=Severity.HIGH, owner=agent)  # not warned yet
    low_on_track = opened(timedelta(0), severity=Severity.LOW)
    breached = opened(timedelta(hours=5), owner=agent)
    paused = opened(timedelta(0), owner=agent, on_hold_since=timezone.now())

    assert page(agent) == [
        breached.pk, high_due_in_29_min.pk, low_on_track.pk, critical_waiting.pk, low_waiting.pk, paused.pk,
    ]  # fmt: skip
    assert page(agent, "unassigned") == [low_on_track.pk, low_waiting.pk]


def test_within_a_bucket_the_more_severe_comes_first_then_the_earlier_due(agent):
    low_long_overdue = opened(timedelta(days=5), severity=Severity.LOW, owner=agent)
    medium_later = opened(timedelta(hours=5), owner=agent)
    medium_sooner = opened(timedelta(hours=9), owner=agent)
    critical = opened(timedelta(minutes=20), severity=Severity.CRITICAL, owner=agent)

    assert page(agent) == [critical.pk, medium_sooner.pk, medium_later.pk, low_long_overdue.pk]


def test_a_new_critical_case_never_sits_below_an_on_track_low_one_even_under_odd_policies(agent):
    # A manager made low cases due within minutes and gave critical ones a day.
    SLAPolicy.objects.filter(severity=Severity.LOW).update(acknowledge_within=timedelta(minutes=10))
    SLAPolicy.objects.filter(severity=Severity.CRITICAL).update(acknowledge_within=timedelta(days=1))
    low = opened(timedelta(0), severity=Severity.LOW, owner=agent)
    critical = opened(timedelta(0), severity=Severity.CRITICAL)

    assert page(agent) == [critical.pk, low.pk]


def test_an_at_risk_case_beyond_the_horizon_of_a_changed_policy_is_still_listed(agent):
    at_risk = opened(timedelta(hours=3, minutes=30), owner=agent)  # due at 16:00 under the old 4 hours
    SLAPolicy.objects.filter(severity=Severity.MEDIUM).update(
        acknowledge_within=timedelta(minutes=20),
        apologize_within=timedelta(minutes=40),
        resolve_within=timedelta(hours=1),
        follow_up_after=timedelta(hours=1),
    )
    on_track = opened(timedelta(0), owner=agent)

    assert sorted(page(agent)) == sorted([at_risk.pk, on_track.pk])


def test_mine_unassigned_and_all_open_hold_the_right_cases(agent, other_agent):
    mine = opened(timedelta(0), owner=agent)
    nobodys = opened(timedelta(0))
    opened(timedelta(0), owner=other_agent)
    opened(timedelta(0), owner=agent, stage=Stage.CLOSED, closed_at=timezone.now())

    assert page(agent, "mine") == [mine.pk]
    assert page(agent, "unassigned") == [nobodys.pk]
    assert sorted(page(agent, "all")) == sorted([mine.pk, nobodys.pk])
    assert queue.chip_counts(user=agent) == {"all": 2, "mine": 1, "unassigned": 1}


@pytest.mark.postgres
def test_each_agent_and_moment_gets_its_own_queue(agent, other_agent):
    alices = opened(timedelta(hours=5), owner=agent)  # breached at NOW
    bobs = opened(timedelta(minutes=1), owner=other_agent)  # on track at NOW

    assert page(agent, "mine") == [alices.pk]
    assert page(other_agent, "mine") == [bobs.pk]
    with time_machine.travel("2026-11-25T08:00:00Z", tick=False):  # an hour into Alice's case
        earlier = queue.queue_page(user=agent, scope="mine", now=timezone.now())

    assert [case.pk for case in earlier] == [alices.pk]  # on track then: read from another bucket


def test_the_queue_is_cut_at_its_page_size_from_the_most_urgent(agent):
    cases = [opened(timedelta(hours=4, minutes=n), owner=agent) for n in range(5)]

    with time_machine.travel(NOW, tick=False):
        top = queue.queue_page(user=agent, scope="all", now=timezone.now(), limit=3)

    assert [case.pk for case in top] == [case.pk for case in reversed(cases)][:3]


def test_a_case_the_customer_reopens_is_flagged_and_sorts_with_the_breached(agent):
    with time_machine.travel(NOW, tick=False):
        breached = RecoveryCaseFactory(sla_started_at=timezone.now() - timedelta(hours=9), owner=agent)
        unhappy = RecoveryCaseFactory(apologized=True, owner=agent, severity=Severity.LOW)
        at_risk = RecoveryCaseFactory(sla_started_at=timezone.now() - timedelta(hours=3, minutes=30))
        reopened_by_customer(unhappy, agent)

    unhappy.refresh_from_db()
    assert unhappy.customer_unhappy_at == timezone.datetime.fromisoformat(NOW)
    assert page(agent) == [breached.pk, unhappy.pk, at_risk.pk]


def test_an_agent_reopening_a_case_does_not_flag_it(agent):
    case = RecoveryCaseFactory(resolved=True, owner=agent)

    workflow.reopen(case_id=case.pk, actor=agent, reason="Found another fault.")

    case.refresh_from_db()
    assert case.customer_unhappy_at is None


def test_resolving_the_case_again_clears_the_flag(agent):
    case = RecoveryCaseFactory(apologized=True, owner=agent)
    reopened_by_customer(case, agent)
    workflow.apologize(case_id=case.pk, actor=agent, note="So sorry, again.")

    workflow.resolve(case_id=case.pk, actor=agent, resolution="Replaced it a second time.")

    case.refresh_from_db()
    assert case.customer_unhappy_at is None


def test_a_manager_closing_the_case_clears_the_flag(agent, manager):
    case = RecoveryCaseFactory(apologized=True, owner=agent)
    reopened_by_customer(case, agent)

    workflow.close(case_id=case.pk, actor=manager, reason="Customer withdrew the complaint.")

    case.refresh_from_db()
    assert (case.stage, case.customer_unhappy_at) == (Stage.CLOSED, None)


def test_a_held_unhappy_case_waits_with_the_paused_ones(agent):
    case = RecoveryCaseFactory(apologized=True, owner=agent)
    reopened_by_customer(case, agent)
    on_track = opened(timedelta(0), owner=agent)
    workflow.hold(case_id=case.pk, actor=agent, reason="Waiting for the customer's photos.")

    assert page(agent) == [on_track.pk, case.pk]


def test_chip_counts_stop_at_the_cap(agent, monkeypatch):
    monkeypatch.setattr(queue, "COUNT_CAP", 3)
    RecoveryCaseFactory.create_batch(2, owner=agent)
    RecoveryCaseFactory.create_batch(4)

    assert queue.chip_counts(user=agent) == {"all": 3, "mine": 2, "unassigned": 3}
