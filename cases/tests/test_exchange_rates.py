"""Managers keep the exchange rates that price gestures in other currencies: in the admin and by API,
both through `cases.gestures.rates`. Agents may read them; a bad rate is refused and stores nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from cases.gestures import rates
from cases.models import ExchangeRate

pytestmark = pytest.mark.django_db
API = "/api/v1/exchange-rates/"


def test_a_manager_sets_a_rate_by_api_and_everyone_working_cases_reads_it(api_client, manager, agent):
    response = api_client(manager).put(
        f"{API}kwd/", {"units_per_base": "0.3071", "as_of": "2026-12-01"}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert {k: response.json()[k] for k in ("currency", "base_currency", "units_per_base", "as_of")} == {
        "currency": "KWD",
        "base_currency": "EUR",
        "units_per_base": "0.30710000",
        "as_of": "2026-12-01",
    }
    listed = api_client(agent).get(API).json()
    assert [(r["currency"], r["units_per_base"]) for r in listed] == [("KWD", "0.30710000")]
    assert api_client(agent).get(f"{API}KWD/").json()["as_of"] == "2026-12-01"


def test_an_agent_may_not_set_or_remove_a_rate(api_client, agent, manager):
    rates.set_rate(actor=manager, currency="GBP", units_per_base="0.8")
    client = api_client(agent)

    assert client.put(f"{API}USD/", {"units_per_base": "1.1"}, format="json").status_code == 403
    assert client.delete(f"{API}GBP/").status_code == 403
    assert list(ExchangeRate.objects.values_list("currency", flat=True)) == ["GBP"]


@pytest.mark.parametrize(
    ("currency", "body", "field"),
    [
        ("EUR", {"units_per_base": "1"}, "currency"),
        ("XYZ", {"units_per_base": "1"}, "currency"),
        ("GBP", {"units_per_base": "0"}, "units_per_base"),
        ("GBP", {"units_per_base": "-2"}, "units_per_base"),
        ("GBP", {"units_per_base": "1e999999999"}, "units_per_base"),
        ("GBP", {"units_per_base": "lots"}, "units_per_base"),
        ("GBP", {"units_per_base": "0.8", "as_of": "2099-01-01"}, "as_of"),
        ("GBP", {"units_per_base": "0.8", "as_of": "yesterday"}, "as_of"),
        ("GBP", {}, "units_per_base"),
        ("GBP", {"units_per_base": "0.8", "extra": 1}, "extra"),
    ],
)
def test_a_bad_rate_by_api_is_a_400_naming_the_field_and_stores_nothing(
    api_client, manager, currency, body, field
):
    response = api_client(manager).put(f"{API}{currency}/", body, format="json")

    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert not ExchangeRate.objects.exists()


def test_removing_a_rate_makes_its_gestures_wait_again(api_client, manager):
    rates.set_rate(actor=manager, currency="GBP", units_per_base="0.8")
    client = api_client(manager)

    assert client.delete(f"{API}GBP/").status_code == 204
    assert client.delete(f"{API}GBP/").status_code == 404
    assert client.get(f"{API}GBP/").status_code == 404
    assert rates.to_base(Decimal("10"), "GBP", rates=rates.current_rates()).amount is None


def staff(manager) -> Client:
    manager.is_staff = True  # managers are staff (recovery.roles.STAFF_ROLES); the fixture skips that step
    manager.save()
    client = Client()
    client.force_login(manager)
    return client


def test_a_manager_keeps_rates_in_the_admin_through_the_service(manager):
    client = staff(manager)

    response = client.post(
        "/admin/cases/exchangerate/add/", {"currency": "usd", "units_per_base": "1.25", "as_of": "2026-12-01"}
    )

    assert response.status_code == 302, response.content
    rate = ExchangeRate.objects.get()
    assert (rate.currency, rate.units_per_base, rate.as_of, rate.updated_by) == (
        "USD",
        Decimal("1.25"),
        date(2026, 12, 1),
        manager,
    )


def test_the_admin_refuses_a_rate_for_the_base_currency_and_stores_nothing(manager):
    client = staff(manager)

    response = client.post(
        "/admin/cases/exchangerate/add/",
        {"currency": "EUR", "units_per_base": "1", "as_of": "2026-12-01"},
        follow=True,
    )

    assert "EUR is the base currency" in response.text
    assert not ExchangeRate.objects.exists()


def test_an_agent_cannot_open_the_rates_admin(agent):
    client = Client()
    client.force_login(agent)

    assert client.get("/admin/cases/exchangerate/").status_code in (302, 403)
