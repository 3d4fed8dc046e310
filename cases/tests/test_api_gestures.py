"""Gestures: agents grant up to their limit per case, managers decide above it; amounts are decimals."""

from decimal import Decimal

import pytest
from django.core import mail

from cases.models import CaseEvent, Gesture, Notification
from cases.tests.factories import GestureFactory, RecoveryCaseFactory

pytestmark = pytest.mark.django_db


def grant(client, case, **body):
    payload = {
        "kind": "voucher",
        "amount": "20.00",
        "currency": "EUR",
        "description": "Sorry voucher",
        **body,
    }
    return client.post(f"/api/v1/cases/{case.reference}/gestures/", payload, format="json")


def test_agent_grants_a_gesture_within_the_limit(api_client, agent):
    case = RecoveryCaseFactory(owner=agent)

    response = grant(api_client(agent), case, amount="50.00")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["amount"], body["currency"], body["case"]) == (
        "granted",
        "50.00",
        "EUR",
        case.reference,
    )
    gesture = Gesture.objects.get()
    assert gesture.amount == Decimal("50.00")
    event = case.events.get(kind=CaseEvent.Kind.GESTURE)
    assert event.data["amount"] == "50.00"


def test_above_the_limit_the_gesture_waits_and_managers_are_told(
    api_client, agent, manager, django_capture_on_commit_callbacks
):
    manager.email = "maria@example.com"
    manager.save()
    case = RecoveryCaseFactory(owner=agent)

    with django_capture_on_commit_callbacks(execute=True):
        response = grant(api_client(agent), case, amount="50.01")

    assert response.status_code == 201
    assert response.json()["status"] == "pending_approval"
    (notification,) = Notification.objects.filter(template="gesture_pending_approval")
    assert notification.recipient == "maria@example.com"
    assert "50.01 EUR" in notification.subject
    assert [m.to for m in mail.outbox] == [["maria@example.com"]]


def test_the_limit_counts_what_the_case_received_or_awaits_in_any_currency(api_client, agent, manager):
    from cases.gestures import rates

    rates.set_rate(actor=manager, currency="USD", units_per_base="1.25")  # 40 USD = 32 EUR
    case = RecoveryCaseFactory(owner=agent)
    GestureFactory(case=case, amount="10.00", currency="EUR", requested_by=agent)
    GestureFactory(case=case, amount="40.00", currency="USD", requested_by=agent)
    GestureFactory(case=case, amount="40.00", currency="EUR", requested_by=agent, status="rejected")
    client = api_client(agent)

    assert grant(client, case, amount="8.00").json()["status"] == "granted"  # 10 + 32 + 8 = 50
    assert grant(client, case, amount="0.01").json()["status"] == "pending_approval"


def test_a_manager_grants_above_the_limit_directly(api_client, manager):
    case = RecoveryCaseFactory()

    assert grant(api_client(manager), case, amount="500.00").json()["status"] == "granted"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "-5.00"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "1000000.00"}, "amount"),
        ({"amount": "1e30"}, "amount"),
        ({"amount": "12.345"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"amount": "twenty"}, "amount"),
        ({"amount": 20.5}, "amount"),  # a float may not be the number written: decimals are text
        ({"amount": 20}, "amount"),
        ({"currency": "EURO"}, "currency"),
        ({"currency": "XYZ"}, "currency"),
        ({"currency": ""}, "currency"),
        ({"kind": "cash"}, "kind"),
        ({"status": "granted"}, "status"),
    ],
)
def test_a_bad_gesture_is_a_400_and_stores_nothing(api_client, agent, body, field):
    case = RecoveryCaseFactory(owner=agent)

    response = grant(api_client(agent), case, **body)

    assert response.status_code == 400
    assert field in response.json()
    assert not Gesture.objects.exists()
    assert not case.events.exists()


def test_a_closed_case_takes_no_gesture(api_client, agent):
    case = RecoveryCaseFactory(owner=agent, closed=True)

    response = grant(api_client(agent), case)

    assert response.status_code == 409
    assert not Gesture.objects.exists()


@pytest.mark.parametrize(("decision", "status"), [("approve", "approved"), ("reject", "rejected")])
def test_a_manager_decides_a_pending_gesture(api_client, manager, agent, decision, status):
    gesture = GestureFactory(status="pending_approval", requested_by=agent, amount="80.00")

    response = api_client(manager).post(
        f"/api/v1/gestures/{gesture.pk}/{decision}/", {"note": "Fair"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == status
    assert response.json()["decided_by"]["username"] == "manager"
    gesture.refresh_from_db()
    assert (gesture.status, gesture.decided_by, gesture.decision_note) == (status, manager, "Fair")
    assert gesture.case.events.get(kind=CaseEvent.Kind.GESTURE).data["status"] == status


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_a_gesture_already_decided_is_a_409(api_client, manager, decision):
    gesture = GestureFactory(status="granted")

    response = api_client(manager).post(f"/api/v1/gestures/{gesture.pk}/{decision}/", {}, format="json")

    assert response.status_code == 409
    gesture.refresh_from_db()
    assert gesture.status == "granted"


def test_deciding_an_unknown_gesture_is_a_404(api_client, manager):
    assert api_client(manager).post("/api/v1/gestures/999/approve/", {}, format="json").status_code == 404
