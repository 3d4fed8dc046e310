"""`Idempotency-Key` on every unsafe case-API endpoint: intake's semantics, one mechanism."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases import tasks
from cases.models import CaseEvent, Gesture, IdempotentRequest, RecoveryCase, RootCause, Stage
from cases.tests.factories import GestureFactory, RecoveryCaseFactory, RootCauseFactory
from conftest import run_at_once
from feedback.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def send(client, path, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(path, body, format="json", **headers)


def open_case(_):
    CustomerFactory(external_id="C-1")
    return "/api/v1/cases/", {"customer": "C-1", "title": "Kettle broke", "severity": "high"}, RecoveryCase


def acknowledge(_):
    case = RecoveryCaseFactory(stage=Stage.NEW)
    return f"/api/v1/cases/{case.reference}/actions/acknowledge/", {"note": "On it"}, CaseEvent


def note(_):
    case = RecoveryCaseFactory()
    return f"/api/v1/cases/{case.reference}/notes/", {"body": "Called the customer"}, CaseEvent


def gesture(_):
    case = RecoveryCaseFactory(apologized=True)
    body = {"kind": "voucher", "amount": "20.00", "currency": "EUR"}
    return f"/api/v1/cases/{case.reference}/gestures/", body, Gesture


def approve(manager):
    pending = GestureFactory(status=Gesture.Status.PENDING_APPROVAL)
    return f"/api/v1/gestures/{pending.pk}/approve/", {"note": "Fair"}, CaseEvent


def root_cause(_):
    return "/api/v1/root-causes/", {"title": "Courier drops", "category": "partner"}, RootCause


def link(_):
    cause, case = RootCauseFactory(), RecoveryCaseFactory()
    return f"/api/v1/root-causes/{cause.pk}/cases/", {"case": case.reference}, CaseEvent


ENDPOINTS = [open_case, acknowledge, note, gesture, approve, root_cause, link]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.__name__ for e in ENDPOINTS])
def test_a_retry_with_the_same_key_and_body_replays_the_answer_and_stores_nothing_more(
    api_client, manager, endpoint
):
    path, body, model = endpoint(manager)
    client = api_client(manager)

    first = send(client, path, body, key="retry-1")
    rows = model.objects.count()
    again = send(client, path, body, key="retry-1")

    assert first.status_code in (200, 201), first.json()
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert again.get("ETag") == first.get("ETag")
    assert model.objects.count() == rows


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.__name__ for e in ENDPOINTS])
def test_the_same_key_with_another_body_answers_422_and_stores_nothing(api_client, manager, endpoint):
    path, body, model = endpoint(manager)
    client = api_client(manager)
    send(client, path, body, key="k-1")
    rows = model.objects.count()

    changed = {**body, "note" if "note" in body else "title": "Something else"}
    response = send(client, path, changed, key="k-1")

    assert response.status_code == 422, response.json()
    assert model.objects.count() == rows


def test_a_key_reused_on_another_endpoint_answers_422(api_client, agent):
    first, second = RecoveryCaseFactory(), RecoveryCaseFactory()
    client = api_client(agent)
    send(client, f"/api/v1/cases/{first.reference}/notes/", {"body": "Called"}, key="k-1")

    response = send(client, f"/api/v1/cases/{second.reference}/notes/", {"body": "Called"}, key="k-1")

    assert response.status_code == 422
    assert "different request body" in response.json()["detail"]
    assert not second.events.filter(kind=CaseEvent.Kind.NOTE).exists()


def test_a_refused_request_keeps_nothing_so_its_key_works_for_the_corrected_one(api_client, agent):
    case = RecoveryCaseFactory()
    client = api_client(agent)
    path = f"/api/v1/cases/{case.reference}/notes/"

    assert send(client, path, {"body": ""}, key="k-1").status_code == 400
    assert not IdempotentRequest.objects.exists()
    assert send(client, path, {"body": "Called"}, key="k-1").status_code == 201


def test_keys_are_scoped_to_the_client(api_client, agent, other_agent):
    case = RecoveryCaseFactory()
    path = f"/api/v1/cases/{case.reference}/notes/"

    send(api_client(agent), path, {"body": "Called"}, key="shared")
    response = send(api_client(other_agent), path, {"body": "Called"}, key="shared")

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert case.events.filter(kind=CaseEvent.Kind.NOTE).count() == 2


def test_a_key_is_released_after_24_hours(api_client, agent):
    case = RecoveryCaseFactory()
    client = api_client(agent)
    path = f"/api/v1/cases/{case.reference}/notes/"
    send(client, path, {"body": "Called"}, key="k-1")

    with time_machine.travel(timezone.now() + timedelta(hours=24, seconds=1)):
        response = send(client, path, {"body": "Called again"}, key="k-1")

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert IdempotentRequest.objects.count() == 1


def test_the_hourly_task_forgets_answers_older_than_the_window_and_keeps_the_rest(api_client, agent):
    case = RecoveryCaseFactory()
    client = api_client(agent)
    path = f"/api/v1/cases/{case.reference}/notes/"
    send(client, path, {"body": "Called"}, key="old")
    with time_machine.travel(timezone.now() + timedelta(hours=23)):
        send(client, path, {"body": "Called back"}, key="recent")

    with time_machine.travel(timezone.now() + timedelta(hours=24, seconds=1)):
        forgotten = tasks.forget_expired_idempotency_keys()
        replayed = send(client, path, {"body": "Called back"}, key="recent")

    assert forgotten == 1
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["recent"]
    assert replayed["Idempotent-Replayed"] == "true"


def test_a_replayed_action_answers_its_first_success_not_a_conflict(api_client, agent):
    case = RecoveryCaseFactory(stage=Stage.NEW)
    client = api_client(agent)
    path = f"/api/v1/cases/{case.reference}/actions/acknowledge/"

    assert send(client, path, {}, key="ack").status_code == 200
    assert send(client, path, {}, key="ack").status_code == 200
    assert send(client, path, {}).status_code == 409  # without the key it is a second acknowledge


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there"])
def test_an_invalid_key_answers_400_and_stores_nothing(api_client, agent, key):
    case = RecoveryCaseFactory()

    response = send(api_client(agent), f"/api/v1/cases/{case.reference}/notes/", {"body": "x"}, key=key)

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert not case.events.filter(kind=CaseEvent.Kind.NOTE).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_identical_requests_at_once_store_one_row_and_replay_it(agent):
    case = RecoveryCaseFactory()
    path = f"/api/v1/cases/{case.reference}/notes/"
    token = Token.objects.create(user=agent)

    def post():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return send(client, path, {"body": "Called the customer"}, key="same")

    outcomes = run_at_once(*[post] * 6)

    assert [o.status_code for o in outcomes] == [201] * 6, outcomes
    assert sorted(o.get("Idempotent-Replayed", "") for o in outcomes) == [""] + ["true"] * 5
    assert len({o.json()["id"] for o in outcomes}) == 1
    assert case.events.filter(kind=CaseEvent.Kind.NOTE).count() == 1
    assert IdempotentRequest.objects.count() == 1
