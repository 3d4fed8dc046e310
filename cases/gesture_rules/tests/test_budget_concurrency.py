"""Intakes racing for one rule's budget on real PostgreSQL: triage locks the rule's row, so the rule
never grants more than its budget, however many new cases arrive at once."""

from decimal import Decimal

import pytest
from django.db import connection

from cases.gesture_rules import active, services
from cases.models import Gesture, RecoveryCase
from conftest import run_at_once
from feedback import intake
from feedback.tests.factories import feedback_input

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

AT_ONCE = 6


@pytest.fixture
def slow_gesture_inserts():
    """Hold every gesture insert for 0.3 s, so each intake is still in flight while the others count."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION mend_test_slow_gesture() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN PERFORM pg_sleep(0.3); RETURN NEW; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER mend_test_slow_gesture BEFORE INSERT ON cases_gesture "
            "FOR EACH ROW EXECUTE FUNCTION mend_test_slow_gesture()"
        )
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER mend_test_slow_gesture ON cases_gesture")
        cursor.execute("DROP FUNCTION mend_test_slow_gesture()")


def submit(client, customer):
    payload = feedback_input(
        external_id=customer,
        rating=1,
        comment="Hours late.",
        touchpoint="boarding",
        metadata={"delay_minutes": 240},
    )
    return lambda: intake.submit(client=client, idempotency_key=None, payload=payload)


@pytest.mark.parametrize(("budget", "granted"), [("30.00", 1), ("50.00", 2)])
def test_concurrent_intakes_never_grant_past_the_rule_budget(
    manager, intake_user, slow_gesture_inserts, budget, granted
):
    services.create(
        actor=manager,
        values={
            "name": "Delay over 3 h",
            "conditions": {"metadata": [{"key": "delay_minutes", "op": ">", "value": 180}]},
            "kind": "voucher",
            "amount": "20.00",
            "currency": "EUR",
            "monthly_budget": budget,
        },
    )
    active.forget()

    outcomes = run_at_once(*(submit(intake_user, f"C-{n}") for n in range(AT_ONCE)))

    assert all(isinstance(o, intake.IntakeResult) for o in outcomes), outcomes
    assert RecoveryCase.objects.count() == AT_ONCE
    given = Gesture.objects.filter(status=Gesture.Status.GRANTED)
    assert given.count() == granted
    assert sum(g.amount for g in given) <= Decimal(budget)
    assert Gesture.objects.filter(status=Gesture.Status.PENDING_APPROVAL).count() == AT_ONCE - granted
