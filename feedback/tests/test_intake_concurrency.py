"""Submissions racing each other on real PostgreSQL: the database decides, and it decides once."""

import pytest
from django.db import connection

from cases.models import CaseEvent, RecoveryCase, Severity
from conftest import run_at_once
from feedback import intake
from feedback.models import Customer, Feedback
from feedback.tests.factories import CustomerFactory, feedback_input
from recovery.errors import IdempotencyKeyReused

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

AT_ONCE = 6


@pytest.fixture
def slow_case_inserts():
    """Hold every case insert for 0.3 s, so racing transactions really overlap while one is in flight."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION mend_test_slow() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN PERFORM pg_sleep(0.3); RETURN NEW; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER mend_test_slow BEFORE INSERT ON cases_recoverycase "
            "FOR EACH ROW EXECUTE FUNCTION mend_test_slow()"
        )
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER mend_test_slow ON cases_recoverycase")
        cursor.execute("DROP FUNCTION mend_test_slow()")


def submit(client, payload, key=None):
    return lambda: intake.submit(client=client, idempotency_key=key, payload=payload)


def test_one_key_posted_many_times_at_once_stores_exactly_one_row_and_replays_it(
    intake_user, slow_case_inserts
):
    payload = feedback_input(rating=1, comment="Nobody came.")

    outcomes = run_at_once(*[submit(intake_user, payload, "same-key")] * AT_ONCE)

    assert all(isinstance(o, intake.IntakeResult) for o in outcomes), outcomes
    assert sorted(o.replayed for o in outcomes) == [False] + [True] * (AT_ONCE - 1)
    assert len({o.feedback.pk for o in outcomes}) == 1
    assert (Customer.objects.count(), Feedback.objects.count(), RecoveryCase.objects.count()) == (1, 1, 1)
    assert CaseEvent.objects.count() == 1


def test_one_key_with_different_bodies_at_once_stores_one_and_refuses_the_others(
    intake_user, slow_case_inserts
):
    bodies = [feedback_input(rating=rating, external_id=f"C-{rating}") for rating in (1, 2, 3, 4, 5)]

    outcomes = run_at_once(*[submit(intake_user, body, "same-key") for body in bodies])

    stored = [o for o in outcomes if isinstance(o, intake.IntakeResult)]
    refused = [o for o in outcomes if isinstance(o, IdempotencyKeyReused)]
    assert (len(stored), len(refused)) == (1, 4), outcomes
    assert Feedback.objects.count() == 1
    assert Customer.objects.count() == 1
    assert RecoveryCase.objects.count() == Feedback.objects.filter(sentiment="negative").count()


def test_negative_posts_for_one_customer_at_once_open_exactly_one_case(intake_user, slow_case_inserts):
    CustomerFactory(external_id="C-42")  # a new one would serialise them on its unique index anyway
    payloads = [
        feedback_input(rating=rating, comment="", external_id="C-42") for rating in (2, 2, 1, 1, 2, 1)
    ]

    outcomes = run_at_once(*[submit(intake_user, payload) for payload in payloads])

    assert all(isinstance(o, intake.IntakeResult) for o in outcomes), outcomes
    case = RecoveryCase.objects.get()
    assert Customer.objects.count() == 1
    assert set(Feedback.objects.values_list("case", flat=True)) == {case.pk}
    assert case.events.filter(kind=CaseEvent.Kind.FEEDBACK_ATTACHED).count() == len(payloads) - 1
    assert case.severity == Severity.HIGH


def test_negative_posts_for_one_new_customer_at_once_open_exactly_one_case(intake_user, slow_case_inserts):
    # Only the post that creates the customer skips looking for its case; the others wait on the
    # customer's unique index, update it, and must find the case the first one opened.
    payloads = [feedback_input(rating=1, comment="", external_id="C-NEW") for _ in range(AT_ONCE)]

    outcomes = run_at_once(*[submit(intake_user, payload) for payload in payloads])

    assert all(isinstance(o, intake.IntakeResult) for o in outcomes), outcomes
    case = RecoveryCase.objects.get()
    assert (Customer.objects.count(), Feedback.objects.filter(case=case).count()) == (1, AT_ONCE)
    attached = [e.data["feedback_id"] for e in case.events.filter(kind=CaseEvent.Kind.FEEDBACK_ATTACHED)]
    assert len(attached) == AT_ONCE - 1
    assert set(Feedback.objects.values_list("pk", flat=True)) - set(attached) == {
        case.originating_feedback_id
    }


def test_posts_for_one_new_customer_at_once_create_it_once(intake_user):
    payloads = [
        feedback_input(rating=5, external_id="C-NEW", customer={"name": f"N{i}"}) for i in range(AT_ONCE)
    ]

    outcomes = run_at_once(*[submit(intake_user, payload) for payload in payloads])

    assert all(isinstance(o, intake.IntakeResult) for o in outcomes), outcomes
    assert Customer.objects.count() == 1
    assert Feedback.objects.count() == AT_ONCE
