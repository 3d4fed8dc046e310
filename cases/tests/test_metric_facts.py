"""The facts of survey answers and of a case's complaint and first contact (`cases.metrics.facts`)
equal what the raw rows say, after a random sequence of workflow events driven through the services:
intake, the workflow by different people, reassignments, the customer's survey.

Seeded random rather than hypothesis (not a dependency): each seed is one reproducible sequence.
"""

import contextlib
import importlib
import random
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.apps import apps

from cases import services, workflow
from cases.follow_ups import survey
from cases.metrics import definitions, facts
from cases.metrics.period import Period
from cases.models import CaseEvent, FollowUp, RecoveryCase, Stage
from feedback import intake
from feedback.models import Channel, Feedback
from feedback.tests.factories import feedback_input
from recovery.errors import NotPermitted, TransitionNotAllowed

pytestmark = pytest.mark.django_db

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CUSTOMERS = ("C-ann", "C-ben", "C-cho", "C-dev", "C-eli")
NEXT_STEP = {
    Stage.NEW: lambda pk, actor, rng: workflow.acknowledge(case_id=pk, actor=actor),
    Stage.ACKNOWLEDGED: lambda pk, actor, rng: workflow.apologize(case_id=pk, actor=actor, note="Sorry"),
    Stage.APOLOGIZED: lambda pk, actor, rng: workflow.resolve(case_id=pk, actor=actor, resolution="Fixed"),
    Stage.RESOLVED: lambda pk, actor, rng: workflow.follow_up(
        case_id=pk, actor=actor, outcome="Called", satisfaction=rng.choice((None, 1, 3, 4, 5))
    ),
    Stage.FOLLOWED_UP: lambda pk, actor, rng: (
        workflow.reopen(case_id=pk, actor=actor, reason="Again")
        if rng.random() < 0.5
        else workflow.close(case_id=pk, actor=actor)
    ),
}


def expected_facts() -> dict[int, tuple]:
    """Per answer: (next_answer_at, later_feedback_id, later_rating, later_rating_at), from raw rows."""
    answers = sorted(
        FollowUp.objects.filter(satisfaction__isnull=False, done_at__isnull=False).select_related("case"),
        key=lambda f: (f.case_id, f.done_at, f.pk),
    )
    rated = sorted(
        Feedback.objects.filter(rating__isnull=False).exclude(channel=Channel.SURVEY),
        key=lambda f: (f.received_at, f.pk),
    )
    result = {}
    for n, answer in enumerate(answers):
        following = answers[n + 1] if n + 1 < len(answers) else None
        next_at = following.done_at if following and following.case_id == answer.case_id else None
        later = next(
            (f for f in rated if f.customer_id == answer.case.customer_id and f.received_at > answer.done_at),
            None,
        )
        found = (later.pk, later.rating, later.received_at) if later else (None, None, None)
        result[answer.pk] = (next_at, *found)
    return result


def expected_complaints() -> dict[int, tuple]:
    """Per case: its originating feedback's touchpoint and rating, as read through the link."""
    return {
        case.pk: (case.originating_feedback.touchpoint, case.originating_feedback.rating)
        if case.originating_feedback
        else ("", None)
        for case in RecoveryCase.objects.select_related("originating_feedback")
    }


def stored_complaints() -> dict[int, tuple]:
    return {pk: (t, r) for pk, t, r in RecoveryCase.objects.values_list("pk", "touchpoint", "opening_rating")}


def _given_away(event: CaseEvent) -> bool:
    return event.kind == CaseEvent.Kind.ASSIGNED and event.data.get("from") is not None


def _resolution(event: CaseEvent) -> bool:
    return event.kind == CaseEvent.Kind.STAGE_CHANGED and event.to_stage == Stage.RESOLVED


def timeline_first_contact() -> dict[int, tuple]:
    """Per case: (given away by an owner, the actor of its standing resolution), from its events."""
    result = {}
    for case in RecoveryCase.objects.prefetch_related("events"):
        events = sorted(case.events.all(), key=lambda e: (e.created_at, e.pk))
        resolutions = [e for e in events if _resolution(e)]
        resolver = resolutions[-1].actor_id if case.resolved_at else None
        result[case.pk] = (any(_given_away(e) for e in events), resolver)
    return result


def stored_first_contact() -> dict[int, tuple]:
    return {pk: (r, by) for pk, r, by in RecoveryCase.objects.values_list("pk", "reassigned", "resolved_by")}


def first_contact_by_the_timeline() -> set[int]:
    """The cases resolved at first contact as the definition reads in words: opened and resolved,
    never reopened, no `assigned` event from an owner, and a resolution by the current owner."""
    return {
        case.pk
        for case in RecoveryCase.objects.prefetch_related("events")
        if case.resolved_at is not None
        and case.reopen_count == 0
        and case.owner_id is not None
        and not any(_given_away(e) for e in case.events.all())
        and any(_resolution(e) and e.actor_id == case.owner_id for e in case.events.all())
    }


def stored_facts() -> dict[int, tuple]:
    return {
        pk: tuple(rest)
        for pk, *rest in facts.answers().values_list(
            "pk", "next_answer_at", "later_feedback_id", "later_rating", "later_rating_at"
        )
    }


def step(rng: random.Random, intake_user, people) -> None:
    """One random event. `people`: the manager first, then agents; any of them may act on a case."""
    manager = people[0]
    roll = rng.random()
    if roll < 0.35:
        rating = rng.choice((1, 2, 3, 4, 5, None))
        fields = {"rating": rating} if rating else {"rating": None, "nps": rng.randint(0, 10)}
        channel = rng.choice((Channel.WEB, Channel.APP, Channel.SURVEY))
        touchpoint = rng.choice(("checkout", "delivery", ""))
        payload = feedback_input(
            external_id=rng.choice(CUSTOMERS), channel=channel, touchpoint=touchpoint, **fields
        )
        intake.submit(client=intake_user, idempotency_key=None, payload=payload)
        return
    pending = list(FollowUp.objects.filter(answered_at__isnull=True, case__stage=Stage.RESOLVED))
    if roll < 0.55 and pending:
        follow_up = rng.choice(pending)
        survey.answer(token=survey.token_for(follow_up.pk), rating=rng.randint(1, 5))
        return
    cases = list(RecoveryCase.objects.exclude(stage=Stage.CLOSED).order_by("pk"))
    if cases:
        case = rng.choice(cases)
        if 0.55 <= roll < 0.6:  # the manager gives it to someone, or back to the pool
            services.assign(case=case, owner=rng.choice((*people[1:], None)), actor=manager)
            return
        # Mostly its owner acts, sometimes anyone. A stage this walk does not move on from, a case on
        # hold, or an agent's action on a colleague's case, leaves it as it is.
        actor = case.owner if case.owner and rng.random() < 0.7 else rng.choice(people)
        with contextlib.suppress(TransitionNotAllowed, NotPermitted):
            NEXT_STEP[case.stage](case.pk, actor, rng)


@pytest.fixture
def people(manager, agent, other_agent):
    return (manager, agent, other_agent)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_facts_equal_the_raw_rows_after_random_events(seed, intake_user, people):
    rng = random.Random(seed)
    moment = START
    with time_machine.travel(moment, tick=False) as clock:
        for _ in range(70):
            # Often no time passes at all: answers and ratings at the same moment test the tie-breaks.
            moment += timedelta(minutes=rng.choice((0, 0, 1, 30, 600)))
            clock.move_to(moment)
            step(rng, intake_user, people)

    expected = expected_facts()
    assert len(expected) >= 3, "the walk should produce several survey answers"
    assert any(later for _, later, *_ in expected.values()), "and some later rating"
    assert stored_facts() == expected
    complaints = expected_complaints()
    assert complaints, "the walk should open cases"
    assert stored_complaints() == complaints
    first_contact = timeline_first_contact()
    assert any(given for given, _ in first_contact.values()), "the walk should reassign cases"
    assert first_contact_by_the_timeline(), "and resolve some at first contact"
    assert stored_first_contact() == first_contact
    walked = Period(START.date(), moment.date())
    counted = RecoveryCase.objects.filter(definitions.first_contact(walked, moment))
    assert set(counted.values_list("pk", flat=True)) == first_contact_by_the_timeline()


def half_hourly_walk(seed: int, steps: int, intake_user, people) -> None:
    rng = random.Random(seed)
    with time_machine.travel(START, tick=False) as clock:
        for n in range(steps):
            clock.move_to(START + timedelta(minutes=30 * n))
            step(rng, intake_user, people)


def test_refresh_rebuilds_facts_written_wrongly(intake_user, people):
    half_hourly_walk(7, 60, intake_user, people)
    expected = expected_facts()
    FollowUp.objects.update(next_answer_at=None, later_feedback=None, later_rating=None, later_rating_at=None)

    facts.refresh()

    assert stored_facts() == expected


def test_the_backfill_gives_existing_cases_their_complaint_facts(intake_user, people):
    half_hourly_walk(11, 30, intake_user, people)
    expected = expected_complaints()
    assert any(touchpoint for touchpoint, _ in expected.values())
    RecoveryCase.objects.update(touchpoint="", opening_rating=None)  # as the added columns start

    importlib.import_module("cases.migrations.0046_case_complaint_facts").backfill(apps, None)

    assert stored_complaints() == expected


def test_the_backfill_gives_existing_cases_their_first_contact_facts(intake_user, people):
    half_hourly_walk(5, 80, intake_user, people)
    expected = timeline_first_contact()
    assert any(given for given, _ in expected.values()) and any(by for _, by in expected.values())
    RecoveryCase.objects.update(reassigned=False, resolved_by=None)  # as the added columns start

    importlib.import_module("cases.migrations.0047_case_first_contact_facts").backfill(apps, None)

    assert stored_first_contact() == expected
