"""At triage a matching rule grants its gesture in the intake transaction; past its budget or cap the
gesture waits for a manager with the rule as its reason."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine

from cases.gesture_rules import services
from cases.gestures import services as gestures
from cases.models import CaseEvent, Gesture, RecoveryCase
from feedback import intake
from feedback.tests.factories import feedback_input

pytestmark = pytest.mark.django_db

DELAY_RULE = {
    "name": "Delay over 3 h",
    "active": True,
    "conditions": {
        "touchpoint": ["boarding"],
        "metadata": [{"key": "delay_minutes", "op": ">", "value": 180}],
    },
    "kind": "voucher",
    "amount": "20.00",
    "currency": "EUR",
    "per_customer_90d": 1,
    "monthly_budget": "50.00",
}


def complain(client, customer="C-1", delay=200, **fields):
    payload = feedback_input(
        external_id=customer,
        rating=1,
        comment="Stuck at the gate for hours.",
        touchpoint="boarding",
        metadata={"delay_minutes": delay},
        **fields,
    )
    return intake.submit(client=client, idempotency_key=None, payload=payload).feedback.case


def test_a_matching_rule_grants_its_gesture_as_mend_and_says_so_on_the_timeline(manager, intake_user):
    rule = services.create(actor=manager, values=DELAY_RULE)

    case = complain(intake_user)

    gesture = case.gestures.get()
    assert (gesture.status, gesture.kind, gesture.amount, gesture.currency) == (
        "granted",
        "voucher",
        Decimal("20.00"),
        "EUR",
    )
    assert (gesture.requested_by, gesture.rule) == (None, rule)
    assert gesture.base_amount == Decimal("20.00")  # counted towards the case's limit like any gesture
    event = case.events.get(kind=CaseEvent.Kind.GESTURE)
    assert event.actor is None
    assert event.message == "Voucher 20.00 EUR granted by rule Delay over 3 h"
    assert event.data["rule_name"] == "Delay over 3 h"


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"metadata": {"delay_minutes": 120}}, "too short a delay"),
        ({"metadata": {"delay_minutes": "abc"}}, "wrong type: never matches, never raises"),
        ({"metadata": {}}, "no delay given"),
        ({"touchpoint": "checkout"}, "another touchpoint"),
    ],
)
def test_feedback_the_rule_does_not_match_opens_its_case_with_no_gesture(manager, intake_user, fields, why):
    services.create(actor=manager, values=DELAY_RULE)
    payload = feedback_input(rating=1, comment="Bad.", **{"touchpoint": "boarding", **fields})

    case = intake.submit(client=intake_user, idempotency_key=None, payload=payload).feedback.case

    assert case is not None, why
    assert not case.gestures.exists(), why


def test_an_inactive_rule_grants_nothing(manager, intake_user):
    services.create(actor=manager, values={**DELAY_RULE, "active": False})
    assert not complain(intake_user).gestures.exists()


def test_feedback_joining_an_open_case_grants_nothing_more(manager, intake_user):
    services.create(actor=manager, values={**DELAY_RULE, "per_customer_90d": None})
    case = complain(intake_user)
    assert complain(intake_user) == case
    assert case.gestures.count() == 1


def test_past_its_monthly_budget_the_gesture_waits_for_a_manager_with_the_rule_as_reason(
    manager, intake_user, mailoutbox
):
    rule = services.create(actor=manager, values=DELAY_RULE)  # 20.00 a time, 50.00 a month

    cases = [complain(intake_user, customer=f"C-{n}") for n in range(3)]

    statuses = [case.gestures.get().status for case in cases]
    assert statuses == ["granted", "granted", "pending_approval"]  # 20 + 20 = 40; a third makes 60 > 50
    held = cases[2].gestures.get()
    assert held.description == (
        "Rule Delay over 3 h is past its monthly budget: 40.00 of 50.00 EUR given this month; "
        "a manager decides on this one."
    )
    assert held.rule == rule and held.requested_by is None
    assert cases[2].events.get(kind=CaseEvent.Kind.GESTURE).message == (
        "Voucher 20.00 EUR held for approval by rule Delay over 3 h"
    )
    # The same approval loop as an agent's request: a manager approves it, nobody to tell back.
    approved = gestures.approve(gesture_id=held.pk, actor=manager)
    assert approved.status == Gesture.Status.APPROVED


def test_the_budget_starts_again_each_calendar_month(manager, intake_user):
    services.create(actor=manager, values={**DELAY_RULE, "monthly_budget": "20.00"})
    with time_machine.travel(datetime(2026, 11, 30, 22, 0, tzinfo=UTC), tick=False):
        first = complain(intake_user, customer="C-1")
        second = complain(intake_user, customer="C-2")
    with time_machine.travel(datetime(2026, 12, 1, 8, 0, tzinfo=UTC), tick=False):
        third = complain(intake_user, customer="C-3")

    assert [c.gestures.get().status for c in (first, second, third)] == [
        "granted",
        "pending_approval",
        "granted",
    ]


def test_past_its_per_customer_cap_within_90_days_the_gesture_waits(manager, intake_user, settings):
    services.create(actor=manager, values={**DELAY_RULE, "monthly_budget": None})
    with time_machine.travel(datetime(2026, 9, 1, 9, 0, tzinfo=UTC), tick=False):
        first = complain(intake_user)
        RecoveryCase.objects.filter(pk=first.pk).update(stage="closed")
    with time_machine.travel(datetime(2026, 11, 1, 9, 0, tzinfo=UTC), tick=False):  # 61 days on
        second = complain(intake_user)
        RecoveryCase.objects.filter(pk=second.pk).update(stage="closed")
    with time_machine.travel(datetime(2026, 12, 6, 9, 0, tzinfo=UTC), tick=False):  # 96 days after the first
        third = complain(intake_user)

    assert first.gestures.get().status == "granted"
    held = second.gestures.get()
    assert held.status == "pending_approval"
    assert "this customer has had 1 of its gestures in 90 days, its cap is 1" in held.description
    # The first has left the 90 days, but the held one is still within them: it counts too.
    assert third.gestures.get().status == "pending_approval"


def test_a_case_matching_two_rules_gets_both_gestures(manager, intake_user):
    services.create(actor=manager, values=DELAY_RULE)
    services.create(
        actor=manager,
        values={
            **DELAY_RULE,
            "name": "Any boarding trouble",
            "kind": "gift",
            "amount": "5.00",
            "conditions": {"touchpoint": ["boarding"]},
        },
    )

    case = complain(intake_user)

    assert sorted((g.kind, g.amount) for g in case.gestures.all()) == [
        ("gift", Decimal("5.00")),
        ("voucher", Decimal("20.00")),
    ]


def test_the_case_screen_and_the_approval_inbox_say_which_rule(client, manager, intake_user):
    services.create(actor=manager, values={**DELAY_RULE, "monthly_budget": "20.00"})
    granted, held = complain(intake_user, customer="C-1"), complain(intake_user, customer="C-2")
    client.force_login(manager)

    page = client.get(f"/cases/{granted.reference}/").content.decode()
    assert (
        "<strong>Mend</strong> gave a voucher of 20.00 EUR, granted by rule <em>Delay over 3 h</em>" in page
    )
    page = client.get(f"/cases/{held.reference}/").content.decode()
    assert (
        "<strong>Mend</strong> asked a manager to approve a voucher of 20.00 EUR "
        "for rule <em>Delay over 3 h</em>" in page
    )
    inbox = client.get("/gestures/pending/").content.decode()
    assert "Mend, by rule <em>Delay over 3 h</em>" in inbox
    assert "past its monthly budget: 20.00 of 20.00 EUR given this month" in inbox


def test_the_gestures_api_shows_a_rule_gesture_with_no_requester(api_client, manager, intake_user):
    services.create(actor=manager, values=DELAY_RULE)
    case = complain(intake_user)

    gestures_out = api_client(manager).get(f"/api/v1/cases/{case.reference}/").json()["gestures"]

    assert [(g["requested_by"], g["status"], g["description"]) for g in gestures_out] == [
        (None, "granted", "Granted by rule Delay over 3 h.")
    ]


def test_a_rule_in_another_currency_is_priced_in_the_base_currency_at_the_managers_rate(manager, intake_user):
    from datetime import date

    from cases.gestures import rates

    rates.set_rate(actor=manager, currency="USD", units_per_base="1.25", as_of=date(2026, 12, 1))
    services.create(actor=manager, values={**DELAY_RULE, "amount": "25.00", "currency": "USD"})

    gesture = complain(intake_user).gestures.get()

    assert (gesture.amount, gesture.currency, gesture.base_amount, gesture.base_currency) == (
        Decimal("25.00"),
        "USD",
        Decimal("20.00"),
        "EUR",
    )
