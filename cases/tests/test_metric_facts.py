"""The facts of survey answers and of a case's complaint (`cases.metrics.facts`) equal what the raw
rows say, after a random sequence of workflow events driven through the services: intake, the
workflow, the customer's survey.

Seeded random rather than hypothesis (not a dependency): each seed is one reproducible sequence.
"""

import contextlib
import importlib
import random
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.apps import apps

from cases import workflow
from cases.follow_ups import survey
from cases.metrics import facts
from cases.models import FollowUp, RecoveryCase, Stage
from feedback import intake
from feedback.models import Channel, Feedback
from feedback.tests.factories import feedback_input
from recovery.errors import TransitionNotAllowed

pytestmark = pytest.mark.django_db

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CUSTOMERS = ("C-ann", "C-ben", "C-cho")
NEXT_STEP = {
    Stage.NEW: lambda pk, actor, rng: workflow.acknowledge(case_id=pk, actor=actor),
    Stage.ACKNOWLEDGED: lambda pk, actor, rng: workflow.apologize(case_id=pk, actor=actor, note="Sorry"),
    Stage.APOLOGIZED: lambda pk, actor, rng: workflow.resolve(case_id=pk, actor=actor, resolution="Fixed"),
    Stage.RESOLVED: lambda pk, actor, rng: workflow.follow_up(
        case_id=pk, actor=actor, outcome="Called", satisfaction=rng.choice((None, 1, 3, 4, 5))
    ),
    Stage.FOLLOWED_UP: lambda pk, actor, rng: workflow.reopen(case_id=pk, actor=actor, reason="Again"),
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


def stored_facts() -> dict[int, tuple]:
    return {
        pk: tuple(rest)
        for pk, *rest in facts.answers().values_list(
            "pk", "next_answer_at", "later_feedback_id", "later_rating", "later_rating_at"
        )
    }


def step(rng: random.Random, intake_user, manager) -> None:
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
        # A stage this walk does not move on from, or a case on hold, stays as it is.
        with contextlib.suppress(TransitionNotAllowed):
            NEXT_STEP[case.stage](case.pk, manager, rng)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_answer_facts_equal_the_raw_rows_after_random_events(seed, intake_user, manager):
    rng = random.Random(seed)
    moment = START
    with time_machine.travel(moment, tick=False) as clock:
        for _ in range(70):
            # Often no time passes at all: answers and ratings at the same moment test the tie-breaks.
            moment += timedelta(minutes=rng.choice((0, 0, 1, 30, 600)))
            clock.move_to(moment)
            step(rng, intake_user, manager)

    expected = expected_facts()
    assert len(expected) >= 3, "the walk should produce several survey answers"
    assert any(later for _, later, *_ in expected.values()), "and some later rating"
    assert stored_facts() == expected
    complaints = expected_complaints()
    assert complaints, "the walk should open cases"
    assert stored_complaints() == complaints


def half_hourly_walk(seed: int, steps: int, intake_user, manager) -> None:
    rng = random.Random(seed)
    with time_machine.travel(START, tick=False) as clock:
        for n in range(steps):
            clock.move_to(START + timedelta(minutes=30 * n))
            step(rng, intake_user, manager)


def test_refresh_rebuilds_facts_written_wrongly(intake_user, manager):
    half_hourly_walk(7, 60, intake_user, manager)
    expected = expected_facts()
    FollowUp.objects.update(next_answer_at=None, later_feedback=None, later_rating=None, later_rating_at=None)

    facts.refresh()

    assert stored_facts() == expected


def test_the_backfill_gives_existing_cases_their_complaint_facts(intake_user, manager):
    half_hourly_walk(11, 30, intake_user, manager)
    expected = expected_complaints()
    assert any(touchpoint for touchpoint, _ in expected.values())
    RecoveryCase.objects.update(touchpoint="", opening_rating=None)  # as the added columns start

    importlib.import_module("cases.migrations.0046_case_complaint_facts").backfill(apps, None)

    assert stored_complaints() == expected
