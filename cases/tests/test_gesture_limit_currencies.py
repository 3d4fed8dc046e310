"""Issue 24 §3: the agent's gesture limit is one figure in the organisation's base currency, and the
per-case total counts every currency at its converted value, granted and pending alike."""

from datetime import date
from decimal import Decimal

import pytest

from cases.gestures import rates, services
from cases.models import ExchangeRate, Gesture, Notification
from cases.tests.factories import GestureFactory, RecoveryCaseFactory
from recovery.errors import InvalidInput, NotPermitted

pytestmark = pytest.mark.django_db

# The audit's exploit: 50 EUR in two parts, then 50 in each of sixteen other currencies, one case,
# one agent, no manager asked. Each currency stayed under its own 50, about 1,000 EUR in all.
EXPLOIT = [("EUR", "25.00"), ("EUR", "25.00")] + [
    (code, "50.00")
    for code in (
        "KWD", "BHD", "OMR", "GBP", "CHF", "USD", "JOD", "KYD",
        "GIP", "FKP", "SHP", "AZN", "CAD", "AUD", "NZD", "SGD",
    )
]  # fmt: skip


def grant(client, case, *, amount, currency, description="Sorry for the trouble"):
    body = {"kind": "refund", "amount": amount, "currency": currency, "description": description}
    return client.post(f"/api/v1/cases/{case.reference}/gestures/", body, format="json")


def test_the_eighteen_gesture_exploit_grants_no_more_than_the_limit_without_a_manager(api_client, agent):
    case = RecoveryCaseFactory(owner=agent)
    client = api_client(agent)

    statuses = [
        grant(client, case, amount=amount, currency=code).json()["status"] for code, amount in EXPLOIT
    ]

    assert len(statuses) == 18
    assert statuses[:2] == ["granted", "granted"]  # 50 EUR: exactly the limit
    assert statuses[2:] == ["pending_approval"] * 16
    granted = Gesture.objects.filter(case=case, status=Gesture.Status.GRANTED)
    assert sorted({g.currency for g in granted}) == ["EUR"]
    assert sum(g.amount for g in granted) == Decimal("50.00")


@pytest.fixture
def priced(manager):
    """Rates as a manager keeps them: what 1 EUR buys."""
    for code, rate in {"KWD": "0.3070", "GBP": "0.8000", "USD": "1.2500", "JPY": "160"}.items():
        rates.set_rate(actor=manager, currency=code, units_per_base=rate, as_of=date(2026, 12, 1))


def request(case, actor, amount, currency, reason="Charged twice"):
    return services.request_gesture(
        case_id=case.pk, actor=actor, kind="refund", amount=amount, currency=currency, description=reason
    )


def test_a_gesture_in_another_currency_counts_at_its_converted_value(agent, priced):
    case = RecoveryCaseFactory(owner=agent)

    gesture = request(case, agent, "40.00", "GBP")  # 40 / 0.8 = 50.00 EUR: exactly the limit

    assert gesture.status == Gesture.Status.GRANTED
    assert (gesture.base_amount, gesture.base_currency, gesture.rate_as_of) == (
        Decimal("50.00"),
        "EUR",
        date(2026, 12, 1),
    )
    assert request(case, agent, "1", "JPY").status == Gesture.Status.PENDING_APPROVAL  # 0.01 EUR over


def test_one_gesture_of_fifty_kuwaiti_dinars_is_three_times_the_limit_and_waits(agent, priced):
    case = RecoveryCaseFactory(owner=agent)

    gesture = request(case, agent, "50.00", "KWD")

    assert gesture.status == Gesture.Status.PENDING_APPROVAL
    assert gesture.base_amount == Decimal("162.87")


def test_a_currency_without_a_rate_always_waits_even_for_a_cent(agent, priced):
    case = RecoveryCaseFactory(owner=agent)

    gesture = request(case, agent, "0.01", "CHF")

    assert gesture.status == Gesture.Status.PENDING_APPROVAL
    assert (gesture.base_amount, gesture.rate_as_of) == (None, None)


def test_a_waiting_gesture_counts_toward_the_total(agent):
    case = RecoveryCaseFactory(owner=agent)
    request(case, agent, "80.00", "EUR")

    assert request(case, agent, "1.00", "EUR").status == Gesture.Status.PENDING_APPROVAL


def test_a_rejected_gesture_does_not_count(agent, manager):
    case = RecoveryCaseFactory(owner=agent)
    services.reject(gesture_id=request(case, agent, "80.00", "EUR").pk, actor=manager)

    assert request(case, agent, "50.00", "EUR").status == Gesture.Status.GRANTED


def test_a_gesture_recorded_before_rates_is_priced_at_todays_rate(agent, priced):
    case = RecoveryCaseFactory(owner=agent)
    GestureFactory(case=case, amount="25.00", currency="USD", requested_by=agent)  # no base_amount: 20 EUR

    assert request(case, agent, "30.00", "EUR").status == Gesture.Status.GRANTED
    assert request(case, agent, "0.01", "EUR").status == Gesture.Status.PENDING_APPROVAL


def test_an_earlier_gesture_of_unknown_value_makes_every_next_one_wait(agent, manager):
    case = RecoveryCaseFactory(owner=agent)
    earlier = request(case, agent, "5.00", "CHF")  # no rate: waits
    services.approve(gesture_id=earlier.pk, actor=manager)

    assert request(case, agent, "1.00", "EUR").status == Gesture.Status.PENDING_APPROVAL


def test_the_limit_is_in_the_base_currency_the_settings_name(agent, manager, settings):
    settings.MEND_BASE_CURRENCY = "USD"
    rates.set_rate(actor=manager, currency="EUR", units_per_base="0.80")  # 1 USD = 0.80 EUR
    case = RecoveryCaseFactory(owner=agent)

    assert request(case, agent, "40.00", "EUR").status == Gesture.Status.GRANTED  # 50 USD
    assert request(case, agent, "0.01", "USD").status == Gesture.Status.PENDING_APPROVAL


def test_a_manager_grants_any_currency_at_once_even_without_a_rate(manager):
    case = RecoveryCaseFactory()

    assert request(case, manager, "500.00", "CHF", reason="").status == Gesture.Status.GRANTED


def test_a_gesture_that_waits_needs_a_reason_and_without_one_stores_nothing(agent):
    case = RecoveryCaseFactory(owner=agent)

    with pytest.raises(InvalidInput) as refused:
        request(case, agent, "60.00", "EUR", reason="   ")

    assert refused.value.field == "description"
    assert "above 50.00 EUR per case a manager approves" in refused.value.message
    assert not Gesture.objects.exists()
    assert not case.events.exists()
    assert not Notification.objects.exists()


def test_a_gesture_within_the_limit_needs_no_reason(agent):
    case = RecoveryCaseFactory(owner=agent)

    assert request(case, agent, "50.00", "EUR", reason="").status == Gesture.Status.GRANTED


def test_the_api_refuses_a_waiting_gesture_without_a_reason_with_a_400_on_description(api_client, agent):
    case = RecoveryCaseFactory(owner=agent)

    response = grant(api_client(agent), case, amount="60.00", currency="EUR", description="")

    assert response.status_code == 400
    assert "manager approves" in str(response.json()["description"])
    assert not Gesture.objects.exists()


@pytest.mark.parametrize(
    ("currency", "rate", "as_of", "field"),
    [
        ("EUR", "1", None, "currency"),  # the base currency has no rate
        ("XYZ", "1", None, "currency"),
        ("GBP", "0", None, "units_per_base"),
        ("GBP", "-1", None, "units_per_base"),
        ("GBP", "abc", None, "units_per_base"),
        ("GBP", "1e400", None, "units_per_base"),
        ("GBP", "NaN", None, "units_per_base"),
        ("GBP", "0.8", date(2099, 1, 1), "as_of"),
    ],
)
def test_a_bad_rate_is_refused_and_stores_nothing(manager, currency, rate, as_of, field):
    with pytest.raises(InvalidInput) as refused:
        rates.set_rate(actor=manager, currency=currency, units_per_base=rate, as_of=as_of)

    assert refused.value.field == field
    assert not ExchangeRate.objects.exists()


def test_only_managers_keep_rates(agent):
    with pytest.raises(NotPermitted):
        rates.set_rate(actor=agent, currency="GBP", units_per_base="0.8")

    assert not ExchangeRate.objects.exists()


def test_setting_a_rate_again_replaces_it(manager):
    rates.set_rate(actor=manager, currency="gbp", units_per_base="0.8", as_of=date(2026, 11, 1))
    rates.set_rate(actor=manager, currency="GBP", units_per_base="0.85", as_of=date(2026, 12, 1))

    (rate,) = ExchangeRate.objects.all()
    assert (rate.currency, rate.units_per_base, rate.as_of, rate.updated_by) == (
        "GBP",
        Decimal("0.85"),
        date(2026, 12, 1),
        manager,
    )


def test_the_managers_email_gives_the_value_in_the_base_currency_or_says_there_is_no_rate(
    agent, manager, priced
):
    manager.email = "maria@example.com"
    manager.save()
    case = RecoveryCaseFactory(owner=agent)

    request(case, agent, "50.00", "KWD", reason="Ruined wedding cake")
    request(case, agent, "5.00", "CHF")

    kwd, chf = Notification.objects.filter(template="gesture_pending_approval").order_by("id")
    assert "worth 50.00 KWD (about 162.87 EUR)" in kwd.body
    assert "Reason: Ruined wedding cake" in kwd.body
    assert "worth 5.00 CHF (no exchange rate is kept for CHF)" in chf.body
