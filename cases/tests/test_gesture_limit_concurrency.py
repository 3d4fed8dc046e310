"""Agents granting gestures in several currencies on one case at once, on real PostgreSQL row locks:
the case's total in the base currency never passes the agent's limit without a manager."""

from datetime import date
from decimal import Decimal

import pytest

from cases.gestures import rates, services
from cases.models import Gesture
from cases.tests.factories import RecoveryCaseFactory
from conftest import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# Each worth 15.00 EUR at the rates below. (A currency without a rate is left out: once it waits, every
# later gesture waits too, so how many are granted would depend on the order the threads ran in.)
REQUESTS = [
    ("15.00", "EUR"),
    ("12.00", "GBP"),
    ("18.75", "USD"),
    ("2400", "JPY"),
    ("15.00", "EUR"),
    ("12.00", "GBP"),
    ("18.75", "USD"),
    ("2400", "JPY"),
]


def test_concurrent_gestures_in_mixed_currencies_never_pass_the_limit_without_approval(
    agent, other_agent, manager
):
    for code, rate in {"GBP": "0.80", "USD": "1.25", "JPY": "160"}.items():
        rates.set_rate(actor=manager, currency=code, units_per_base=rate, as_of=date(2026, 12, 1))
    case = RecoveryCaseFactory(owner=None)

    def ask(amount, currency, actor):
        return services.request_gesture(
            case_id=case.pk, actor=actor, kind="refund", amount=amount, currency=currency, description="Late"
        )

    outcomes = run_at_once(
        *(
            lambda a=amount, c=code, who=(agent if i % 2 else other_agent): ask(a, c, who)
            for i, (amount, code) in enumerate(REQUESTS)
        )
    )

    assert all(isinstance(o, Gesture) for o in outcomes), outcomes
    granted = Gesture.objects.filter(case=case, status=Gesture.Status.GRANTED)
    waiting = Gesture.objects.filter(case=case, status=Gesture.Status.PENDING_APPROVAL)
    # 3 x 15 = 45 fits the 50 EUR limit, a fourth would not.
    assert (granted.count(), waiting.count()) == (3, 5)
    assert sum(g.base_amount for g in granted) == Decimal("45.00")
    assert services.case_total(case, table=rates.current_rates()) == Decimal("120.00")
