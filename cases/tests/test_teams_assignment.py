"""Assignment inside a team: the modes, who is skipped, the pool, and what the agent hears."""

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone

from cases.models import BusinessCalendar, CaseEvent, Notice, OpeningHours
from cases.teams import assignment
from cases.teams.models import AgentStatus, Team
from cases.tests.factories import RecoveryCaseFactory
from conftest import make_user
from feedback import intake
from feedback.tests.factories import feedback_input
from recovery.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(django_user_model):
    return [make_user(django_user_model, name, Role.AGENT) for name in ("ann", "ben", "cat")]


def team_of(people, **fields):
    team = Team.objects.create(name="Care", slug="care", is_default=True, **fields)
    team.members.set(people)
    return team


def open_cases(client, count, start=0):
    return [
        intake.submit(
            client=client, idempotency_key=None, payload=feedback_input(external_id=f"C-{n}", rating=1)
        ).feedback.case
        for n in range(start, start + count)
    ]


def owners(cases):
    return [case.owner.username if case.owner else None for case in cases]


def test_round_robin_takes_turns_in_member_order(people, intake_user):
    team_of(people)

    assert owners(open_cases(intake_user, 7)) == ["ann", "ben", "cat", "ann", "ben", "cat", "ann"]


def test_round_robin_skips_away_agents_and_takes_them_back_when_they_return(people, intake_user):
    team_of(people)
    AgentStatus.objects.create(user=people[1], away_until=timezone.now() + timedelta(hours=2))
    AgentStatus.objects.create(user=people[2], away_until=timezone.now() - timedelta(minutes=1))  # back

    assert owners(open_cases(intake_user, 4)) == ["ann", "cat", "ann", "cat"]


def test_least_open_gives_the_case_to_who_holds_fewest_open_cases(people, intake_user):
    ann, ben, _cat = people
    team_of(people, assignment=Team.Assignment.LEAST_OPEN)
    RecoveryCaseFactory.create_batch(2, owner=ann)
    RecoveryCaseFactory.create_batch(1, owner=ben)
    RecoveryCaseFactory.create_batch(3, owner=ben, stage="closed")  # closed cases are not open

    assert owners(open_cases(intake_user, 4)) == ["cat", "ben", "cat", "ann"]


def test_agents_at_the_cap_are_skipped_and_with_nobody_left_the_case_waits_in_the_pool(people, intake_user):
    ann, ben, _cat = people
    team_of([ann, ben], assignment=Team.Assignment.LEAST_OPEN, max_open_per_agent=2)
    RecoveryCaseFactory.create_batch(2, owner=ann)

    cases = open_cases(intake_user, 3)

    assert owners(cases) == ["ben", "ben", None]
    assert cases[2].team.slug == "care"


def test_the_cap_holds_in_round_robin_too(people, intake_user):
    team_of(people[:2], max_open_per_agent=1)

    assert owners(open_cases(intake_user, 3)) == ["ann", "ben", None]


def test_manual_mode_leaves_every_case_in_the_pool(people, intake_user):
    team_of(people, assignment=Team.Assignment.MANUAL)

    assert owners(open_cases(intake_user, 2)) == [None, None]


def test_inactive_and_everybody_away_leave_the_case_in_the_pool(people, intake_user):
    ann, ben, _cat = people
    team_of([ann, ben])
    ann.is_active = False
    ann.save()
    AgentStatus.objects.create(user=ben, away_until=timezone.now() + timedelta(days=1))

    assert assignment.pick_agent(Team.objects.get(), now=timezone.now()) is None
    assert owners(open_cases(intake_user, 1)) == [None]


def test_an_assignment_is_on_the_timeline_and_tells_the_agent(people, intake_user):
    team_of(people)

    case = open_cases(intake_user, 1)[0]

    event = case.events.get(kind=CaseEvent.Kind.ASSIGNED)
    assert event.actor is None
    assert event.data == {"from": None, "to": people[0].pk, "team": "care", "by": "round_robin"}
    assert "round robin" in event.message.lower() and "ann" in event.message
    notice = Notice.objects.get(user=people[0])
    assert (notice.kind, notice.case_id) == (Notice.Kind.ASSIGNED, case.pk)
    assert case.reference in notice.text


def test_a_case_joining_an_open_one_is_not_assigned_again(people, intake_user):
    team_of(people)

    first = open_cases(intake_user, 1)[0]
    intake.submit(
        client=intake_user, idempotency_key=None, payload=feedback_input(external_id="C-0", rating=2)
    )

    first.refresh_from_db()
    assert owners([first]) == ["ann"]
    assert first.events.filter(kind=CaseEvent.Kind.ASSIGNED).count() == 1


def test_a_team_with_a_business_calendar_counts_its_cases_sla_in_working_hours(people, intake_user):
    office = BusinessCalendar.objects.create(name="Berlin office", time_zone="Europe/Berlin")
    for weekday in range(5):
        OpeningHours.objects.create(calendar=office, weekday=weekday, opens=time(9), closes=time(17))
    team_of(people, calendar=office)

    # Friday 2026-11-20, 16:30 in Berlin (15:30 UTC). A high case is acknowledged within 1 h of SLA time:
    # 30 minutes on Friday, 30 on Monday morning.
    with time_machine.travel(datetime(2026, 11, 20, 15, 30, tzinfo=UTC), tick=False):
        case = open_cases(intake_user, 1)[0]

    case.refresh_from_db()
    assert case.severity == "high"
    assert case.acknowledge_due_at == datetime(2026, 11, 23, 8, 30, tzinfo=UTC)  # Monday 9:30 in Berlin
    assert case.sla_alarm.rings_at < case.acknowledge_due_at  # the warning comes before, in working time


def test_without_a_team_calendar_the_policy_counts_around_the_clock(people, intake_user):
    team_of(people)

    with time_machine.travel(datetime(2026, 11, 20, 15, 30, tzinfo=UTC), tick=False):
        case = open_cases(intake_user, 1)[0]

    case.refresh_from_db()
    assert case.acknowledge_due_at == datetime(2026, 11, 20, 16, 30, tzinfo=UTC)
