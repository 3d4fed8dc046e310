"""Hostile input gets a clear 4xx naming the problem, never a 500, and nothing is stored.

Each cause here answered 500 to an outside tester (issue 12): Unicode digits, non-numeric ids, UTC
offsets PostgreSQL cannot hold, NUL characters, deep nesting, numbers jsonb refuses, large bodies.
"""

import json

import pytest
from django.test import Client

from cases.models import CaseEvent, Gesture, RecoveryCase
from cases.tests.factories import GestureFactory, RecoveryCaseFactory
from feedback.models import Customer, Feedback
from recovery.api.parsers import MAX_DEPTH
from recovery.parsing import whole_number

pytestmark = pytest.mark.django_db

INTAKE = "/api/v1/feedback/"
CASES = "/api/v1/cases/"
FEEDBACK = {"channel": "web", "rating": 1, "customer": {"external_id": "C-1"}}


def post_json(client, url, body: str | dict, **extra):
    text = body if isinstance(body, str) else json.dumps(body)
    return client.post(url, text, content_type="application/json", **extra)


def nested(depth: int) -> str:
    """`depth` levels of arrays: `[[[]]]` is 3."""
    return "[" * depth + "]" * depth


def nothing_stored() -> bool:
    return not (Customer.objects.exists() or Feedback.objects.exists() or RecoveryCase.objects.exists())


@pytest.mark.parametrize(
    ("text", "number"),
    [
        *[("42", 42), (" 7 ", 7), ("0", 0), (5, 5), ("9" * 18, 10**18 - 1)],
        *[("²", None), ("٣", None), ("\uff14", None), ("-1", None), ("1.0", None)],
        *[("", None), (None, None), ("9" * 19, None), (True, None)],
    ],
)
def test_whole_numbers_are_ascii_digits_within_bigint(text, number):
    assert whole_number(text) == number


# Unicode digits and non-numeric ids ------------------------------------------


@pytest.mark.parametrize("reference", ["²", "RC-²", "RC-٣", "RC-99999999999999999999999"])
def test_a_case_reference_in_unicode_digits_is_not_found_in_json(api_client, agent, reference):
    response = api_client(agent).get(f"{CASES}{reference}/")

    assert response.status_code == 404
    assert response.json()["detail"]


@pytest.mark.parametrize("reference", ["²", "RC-²"])
def test_a_case_permalink_in_unicode_digits_is_not_found(agent, reference):
    client = Client()
    client.force_login(agent)

    assert client.get(f"/cases/{reference}/").status_code == 404


def test_a_case_permalink_in_unicode_digits_sends_the_anonymous_to_sign_in():
    assert Client().get("/cases/²/").status_code in (302, 404)


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"owner": "²"}, "owner"),
        ({"page_size": "²"}, "page_size"),
        ({"page_size": "٣"}, "page_size"),
        ({"root_cause": "²"}, "root_cause"),
        ({"root_cause": "99999999999999999999999"}, "root_cause"),
        ({"created_after": "2026-01-01T00:00:00+20:00"}, "created_after"),
        ({"created_before": "2026-01-01T00:00:00-16:00"}, "created_before"),
    ],
)
def test_a_hostile_case_filter_answers_400_naming_it(api_client, agent, params, parameter):
    response = api_client(agent).get(CASES, params)

    assert response.status_code == 400
    assert parameter in response.json(), response.json()


@pytest.mark.parametrize(
    "params",
    [{"page_size": "²"}, {"page_size": "201"}, {"received_after": "2026-01-01T00:00:00+16:00"}],
)
def test_a_hostile_feedback_filter_answers_400(api_client, agent, params):
    response = api_client(agent).get(INTAKE, params)

    assert response.status_code == 400
    assert set(params) <= set(response.json()), response.json()


def test_an_offset_of_15_59_is_still_accepted(api_client, agent):
    response = api_client(agent).get(CASES, {"created_after": "2026-01-01T00:00:00+15:59"})

    assert response.status_code == 200


@pytest.mark.parametrize("pk", ["²", "٣", "99999999999999999999999"])
def test_a_feedback_id_in_unicode_digits_is_not_found_in_json(api_client, agent, pk):
    response = api_client(agent).get(f"{INTAKE}{pk}/")

    assert response.status_code == 404
    assert response.json()["detail"]


@pytest.mark.parametrize("pk", ["abc", "²", "1e3", "99999999999999999999999"])
def test_a_non_numeric_gesture_id_is_not_found_in_json_and_nothing_changes(api_client, manager, pk):
    gesture = GestureFactory(status=Gesture.Status.PENDING_APPROVAL)

    response = post_json(api_client(manager), f"/api/v1/gestures/{pk}/approve/", {})

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    gesture.refresh_from_db()
    assert gesture.status == Gesture.Status.PENDING_APPROVAL


@pytest.mark.parametrize("path", ["/api/v1/nowhere/", "/api/v1/root-causes/²/", "/api/nothing"])
def test_an_unknown_api_path_answers_404_in_json(api_client, agent, path):
    response = api_client(agent).get(path)

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


# UTC offsets, NUL characters, numbers and nesting in bodies -----------------------


def test_an_occurred_at_offset_beyond_15_59_answers_400_and_stores_nothing(api_client, intake_user):
    body = {**FEEDBACK, "occurred_at": "2026-01-01T00:00:00+20:00"}

    response = post_json(api_client(intake_user), INTAKE, body)

    assert response.status_code == 400
    assert "±15:59" in response.json()["occurred_at"][0]
    assert nothing_stored()


@pytest.mark.parametrize(
    "body",
    [
        {**FEEDBACK, "comment": "late\x00"},
        {**FEEDBACK, "customer": {"external_id": "C\x001"}},
        {**FEEDBACK, "metadata": {"order": "SO\x009"}},
        {**FEEDBACK, "metadata": {"or\x00der": "SO-9"}},
    ],
)
def test_a_null_character_in_feedback_answers_400_and_stores_nothing(api_client, intake_user, body):
    response = post_json(api_client(intake_user), INTAKE, body)

    assert response.status_code == 400
    assert "Null characters" in response.json()["detail"]
    assert nothing_stored()


def test_an_escaped_backslash_before_u0000_is_ordinary_text(api_client, intake_user):
    # The JSON text `\\u0000` is a backslash followed by "u0000": storable, not a NUL.
    body = json.dumps({**FEEDBACK, "comment": "path C:\\u0000"})

    response = post_json(api_client(intake_user), INTAKE, body)

    assert response.status_code == 201
    assert Feedback.objects.get().comment == "path C:\\u0000"


@pytest.mark.parametrize(
    "customer", ["C\x001", {"external_id": "C\x001"}, {"external_id": "C-1", "name": "Ana\x00"}]
)
def test_a_null_character_in_the_customer_of_a_new_case_answers_400_and_stores_nothing(
    api_client, agent, customer
):
    body = {"customer": customer, "title": "Broken kettle", "severity": "high"}

    response = post_json(api_client(agent), CASES, body)

    assert response.status_code == 400
    assert nothing_stored()


@pytest.mark.parametrize("number", ["1e400", "-1e400", "NaN", "Infinity", "-Infinity"])
def test_a_number_jsonb_cannot_hold_answers_400_and_stores_nothing(api_client, intake_user, number):
    body = json.dumps(FEEDBACK)[:-1] + f', "metadata": {{"weight": {number}}}}}'

    response = post_json(api_client(intake_user), INTAKE, body)

    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]
    assert nothing_stored()


def test_metadata_nested_480_levels_answers_400_and_stores_nothing(api_client, intake_user):
    body = json.dumps(FEEDBACK)[:-1] + f', "metadata": {{"deep": {nested(480)}}}}}'

    response = post_json(api_client(intake_user), INTAKE, body)

    assert response.status_code == 400
    assert response.json()["detail"] == f"JSON nested deeper than {MAX_DEPTH} levels."
    assert nothing_stored()


def test_a_note_nested_20000_levels_answers_400_and_stores_nothing(api_client, agent):
    case = RecoveryCaseFactory()

    url = f"{CASES}{case.reference}/notes/"

    response = post_json(api_client(agent), url, f'{{"body": {nested(20_000)}}}')

    assert response.status_code == 400
    assert not CaseEvent.objects.filter(case=case, kind="note").exists()


def test_nesting_up_to_the_limit_reaches_the_serializer(api_client, intake_user):
    # The body is level 1 and metadata level 2: MAX_DEPTH - 2 more levels fit exactly.
    body = json.dumps(FEEDBACK)[:-1] + f', "metadata": {{"deep": {nested(MAX_DEPTH - 2)}}}}}'

    response = post_json(api_client(intake_user), INTAKE, body)

    assert response.status_code == 201


def test_brackets_inside_strings_are_not_nesting(api_client, intake_user):
    body = {**FEEDBACK, "comment": "[" * 500 + '"{' * 10}

    assert post_json(api_client(intake_user), INTAKE, body).status_code == 201


# One body limit ---------------------------------------------------------------


def test_a_note_over_64_kib_answers_413_in_json_and_stores_nothing(api_client, agent):
    case = RecoveryCaseFactory()

    response = post_json(api_client(agent), f"{CASES}{case.reference}/notes/", {"body": "n" * (64 * 1024)})

    assert response.status_code == 413
    assert "larger than 65536 bytes" in response.json()["detail"]
    assert not CaseEvent.objects.filter(case=case, kind="note").exists()


@pytest.mark.parametrize("path", ["/api/v1/root-causes/", CASES])
def test_every_json_endpoint_has_the_same_body_limit(api_client, manager, path):
    response = post_json(api_client(manager), path, {"title": "t" * (64 * 1024)})

    assert response.status_code == 413


@pytest.mark.parametrize(
    ("url", "params"),
    [(CASES, {"customer": "C\x001"}), (CASES, {"q": "late\x00"}), (INTAKE, {"customer": "C\x001"})],
)
def test_a_null_character_in_a_filter_answers_400(api_client, agent, url, params):
    response = api_client(agent).get(url, params)

    assert response.status_code == 400
    assert set(params) <= set(response.json())


def test_a_null_character_in_an_idempotency_key_answers_400_and_stores_nothing(api_client, intake_user):
    response = post_json(api_client(intake_user), INTAKE, FEEDBACK, HTTP_IDEMPOTENCY_KEY="k\x00")

    assert response.status_code == 400
    assert nothing_stored()


@pytest.mark.parametrize("body", [{"body": 0}, {"body": True}, {"body": ["x"]}])
def test_text_fields_take_strings_only_and_nothing_is_stored(api_client, agent, body):
    case = RecoveryCaseFactory()

    response = post_json(api_client(agent), f"{CASES}{case.reference}/notes/", body)

    assert response.status_code == 400
    assert "body" in response.json()
    assert not CaseEvent.objects.filter(case=case, kind="note").exists()


@pytest.mark.parametrize("value", ["null", "maybe", "²"])
def test_a_boolean_filter_refuses_what_is_not_true_or_false(api_client, agent, value):
    response = api_client(agent).get(INTAKE, {"has_case": value})

    assert response.status_code == 400
    assert "has_case" in response.json()
