"""The follow-up sweep: owners reminded once when a follow-up comes due, customers invited to the
survey, managers told once when it is a day overdue."""

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils.dateparse import parse_datetime

from cases import workflow
from cases.follow_ups import sweep as follow_up_sweep
from cases.models import CaseEvent, FollowUp, Notification, Stage
from cases.tasks import sweep_follow_ups
from cases.tests.factories import RecoveryCaseFactory
from feedback.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

RESOLVED = "2026-11-20T10:00:00Z"
# Medium severity follows up 3 days after resolving; managers hear of it a day after that.
DUE = parse_datetime("2026-11-23T10:00:00Z")
NOTHING = {"reminded": 0, "surveys": 0, "escalated": 0}


def resolved_case(owner, **extra):
    case = RecoveryCaseFactory(apologized=True, owner=owner, severity="medium", **extra)
    with time_machine.travel(RESOLVED, tick=False):
        workflow.resolve(case_id=case.pk, actor=owner, resolution="Replaced the broken kettle.")
    return case


def sweep_at(moment: str) -> dict[str, int]:
    with time_machine.travel(moment, tick=False):
        return follow_up_sweep.sweep(now=parse_datetime(moment))


def sent_to(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address]]


def queued_to(address: str, template: str) -> int:
    return Notification.objects.filter(recipient=address, template=template).count()


def test_resolving_schedules_the_follow_up_at_the_policys_delay(agent):
    case = resolved_case(agent)

    (follow_up,) = case.follow_ups.all()
    assert follow_up.due_at == DUE
    assert (follow_up.reminded_at, follow_up.escalated_at, follow_up.done_at) == (None, None, None)


def test_a_follow_up_not_yet_due_is_left_alone(agent, manager):
    case = resolved_case(agent)

    assert sweep_at("2026-11-23T09:59:59Z") == NOTHING

    assert not case.events.filter(kind=CaseEvent.Kind.REMINDER).exists()
    assert not Notification.objects.exists()


def test_a_due_follow_up_reminds_its_owner_and_invites_the_customer_once(
    agent, django_capture_on_commit_callbacks
):
    agent.email = "alice@example.com"
    agent.save()
    case = resolved_case(agent, customer=CustomerFactory(email="kim@example.com", name="Kim"))

    with django_capture_on_commit_callbacks(execute=True):
        first = sweep_at("2026-11-23T10:00:00Z")
    with django_capture_on_commit_callbacks(execute=True):
        second = sweep_at("2026-11-23T10:01:00Z")

    assert first == {"reminded": 1, "surveys": 1, "escalated": 0}
    assert second == NOTHING
    (reminder,) = case.events.filter(kind=CaseEvent.Kind.REMINDER)
    assert reminder.actor is None
    assert reminder.data == {"follow_up": case.follow_ups.get().pk, "survey_sent": True}
    (to_owner,) = sent_to("alice@example.com")
    assert to_owner.subject == f"{case.reference}: follow-up due"
    (to_customer,) = sent_to("kim@example.com")
    assert to_customer.subject == "How did we do in putting this right?"
    assert "http://127.0.0.1:8000/r/" in to_customer.body
    assert case.reference not in to_customer.body  # internal references stay internal
    assert FollowUp.objects.get(case=case).reminded_at == DUE


def test_a_customer_without_an_email_address_gets_no_survey_but_the_owner_is_reminded(agent):
    agent.email = "alice@example.com"
    agent.save()
    case = resolved_case(agent, customer=CustomerFactory(email=""))

    assert sweep_at("2026-11-23T12:00:00Z") == {"reminded": 1, "surveys": 0, "escalated": 0}

    assert list(Notification.objects.values_list("recipient", flat=True)) == ["alice@example.com"]
    assert case.events.get(kind=CaseEvent.Kind.REMINDER).data["survey_sent"] is False


def test_the_reminder_of_an_unowned_case_goes_to_the_managers(agent, manager):
    manager.email = "maria@example.com"
    manager.save()
    case = resolved_case(agent, customer=CustomerFactory(email=""))
    case.owner = None
    case.save()

    sweep_at("2026-11-23T10:00:00Z")

    assert list(Notification.objects.values_list("recipient", "template")) == [
        ("maria@example.com", "follow_up_due")
    ]


@pytest.mark.parametrize(
    ("moment", "escalated"),
    [
        ("2026-11-24T09:59:59Z", 0),  # a day late less a second
        ("2026-11-24T10:00:00Z", 1),
        ("2026-11-30T10:00:00Z", 1),  # the sweep was down for a week: still told, once
    ],
)
def test_a_follow_up_a_day_overdue_is_escalated_to_the_managers(agent, manager, moment, escalated):
    manager.email = "maria@example.com"
    manager.save()
    case = resolved_case(agent, customer=CustomerFactory(email=""))

    counts = sweep_at(moment)

    assert counts == {"reminded": 1, "surveys": 0, "escalated": escalated}
    assert case.events.filter(kind=CaseEvent.Kind.ESCALATED).count() == escalated
    assert queued_to("maria@example.com", "follow_up_overdue") == escalated


def test_an_overdue_follow_up_is_escalated_once_however_often_the_sweep_runs(agent, manager):
    manager.email = "maria@example.com"
    manager.save()
    case = resolved_case(agent, customer=CustomerFactory(email=""))
    sweep_at("2026-11-23T10:00:00Z")

    assert sweep_at("2026-11-24T10:00:00Z") == {"reminded": 0, "surveys": 0, "escalated": 1}
    assert sweep_at("2026-11-24T10:01:00Z") == NOTHING
    assert sweep_at("2026-11-25T10:00:00Z") == NOTHING

    (escalation,) = case.events.filter(kind=CaseEvent.Kind.ESCALATED)
    assert escalation.data == {"follow_up": case.follow_ups.get().pk, "reason": "follow_up_overdue"}
    assert escalation.actor is None
    assert queued_to("maria@example.com", "follow_up_overdue") == 1
    case.refresh_from_db()
    assert case.escalation_level == 0  # SLA escalation levels are the SLA sweep's alone


def test_a_follow_up_done_in_time_is_neither_reminded_nor_escalated(agent, manager):
    case = resolved_case(agent)
    with time_machine.travel("2026-11-22T10:00:00Z", tick=False):
        workflow.follow_up(case_id=case.pk, actor=agent, outcome="All good, they love the new kettle.")

    assert sweep_at("2026-11-25T10:00:00Z") == NOTHING
    assert not case.events.filter(kind__in=[CaseEvent.Kind.REMINDER, CaseEvent.Kind.ESCALATED]).exists()


def test_the_follow_up_of_a_case_closed_before_it_came_due_is_retired_silently(agent, manager):
    case = resolved_case(agent)
    workflow.close(case_id=case.pk, actor=manager, reason="Customer asked us not to contact them again.")

    assert sweep_at("2026-11-25T10:00:00Z") == NOTHING

    follow_up = case.follow_ups.get()
    assert follow_up.reminded_at is not None and follow_up.escalated_at is not None  # not read again
    assert not case.events.filter(kind__in=[CaseEvent.Kind.REMINDER, CaseEvent.Kind.ESCALATED]).exists()
    assert not Notification.objects.exists()


def test_the_sweep_works_through_more_follow_ups_than_one_batch(agent, monkeypatch):
    monkeypatch.setattr(follow_up_sweep, "SWEEP_BATCH_SIZE", 2)
    cases = [resolved_case(agent, customer=CustomerFactory(email="")) for _ in range(5)]

    assert sweep_at("2026-11-23T10:00:00Z")["reminded"] == 5
    assert all(c.events.filter(kind=CaseEvent.Kind.REMINDER).count() == 1 for c in cases)


def test_a_sweep_with_nothing_due_reads_two_indexed_queries(agent, django_assert_num_queries):
    for _ in range(20):
        resolved_case(agent)

    with django_assert_num_queries(2), time_machine.travel("2026-11-22T10:00:00Z", tick=False):
        assert follow_up_sweep.sweep(now=parse_datetime("2026-11-22T10:00:00Z")) == NOTHING


def test_the_task_and_the_command_run_one_sweep(agent, capsys):
    resolved_case(agent, customer=CustomerFactory(email=""))
    resolved_case(agent, customer=CustomerFactory(email="kim@example.com"))

    with time_machine.travel("2026-11-23T10:00:00Z", tick=False):
        call_command("sweep_follow_ups")
    with time_machine.travel("2026-11-24T10:00:00Z", tick=False):
        assert sweep_follow_ups.delay().get() == {"reminded": 0, "surveys": 0, "escalated": 2}

    assert capsys.readouterr().out == "Follow-ups: 2 reminded, 1 surveys sent, 0 escalated.\n"


def test_a_reopened_case_has_no_follow_up_left_to_remind(agent):
    case = resolved_case(agent)
    workflow.reopen(case_id=case.pk, actor=agent, reason="The new kettle leaks too.")

    assert sweep_at("2026-11-25T10:00:00Z") == NOTHING
    assert case.stage != Stage.CLOSED
