"""The feedback API as REST clients see it: the contract's statuses, bodies and headers."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from cases.models import CaseEvent, RecoveryCase, Severity, Stage
from cases.tests.factories import RecoveryCaseFactory
from feedback.models import Customer, Feedback
from feedback.tests.factories import CustomerFactory, FeedbackFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/feedback/"
BODY = {
    "channel": "web",
    "rating": 1,
    "nps": None,
    "comment": "Parcel arrived two days late and the box was crushed.",
    "touchpoint": "delivery",
    "occurred_at": "2026-11-20T14:03:00Z",
    "customer": {"external_id": "C-1001", "email": "ana@example.com", "name": "Ana Lopez"},
    "metadata": {"order": "SO-99812"},
}
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


@pytest.fixture
def intake_api(api_client, intake_user):
    return api_client(intake_user)


@pytest.fixture(autouse=True)
def _frozen_after_the_example():
    # The example's occurred_at must lie in the past.
    with time_machine.travel(NOW, tick=False):
        yield


def post(client, body, *, key: str | None = None, **extra):
    if key is not None:
        extra["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(URL, json.dumps(body), content_type="application/json", **extra)


def nothing_stored() -> bool:
    return not (
        Customer.objects.exists()
        or Feedback.objects.exists()
        or RecoveryCase.objects.exists()
        or CaseEvent.objects.exists()
    )


def test_negative_feedback_answers_201_with_its_new_case(intake_api):
    response = post(intake_api, BODY)

    assert response.status_code == 201
    feedback = Feedback.objects.get()
    case = RecoveryCase.objects.get()
    assert response.json() == {
        "id": feedback.pk,
        "received_at": "2026-11-22T09:00:00Z",
        "sentiment": "negative",
        "case": {"id": case.pk, "reference": case.reference, "severity": "high", "stage": "new"},
    }
    assert case.reference.startswith("RC-")
    assert response.headers["Content-Type"] == "application/json"
    assert "Idempotent-Replayed" not in response.headers


def test_the_example_body_stores_every_field(intake_api):
    post(intake_api, BODY)

    feedback = Feedback.objects.select_related("customer").get()
    assert (feedback.channel, feedback.rating, feedback.nps, feedback.touchpoint) == (
        "web",
        1,
        None,
        "delivery",
    )
    assert feedback.occurred_at == datetime(2026, 11, 20, 14, 3, tzinfo=UTC)
    assert feedback.metadata == {"order": "SO-99812"}
    assert (feedback.customer.external_id, feedback.customer.email, feedback.customer.name) == (
        "C-1001",
        "ana@example.com",
        "Ana Lopez",
    )


def test_positive_feedback_answers_201_without_a_case(intake_api):
    response = post(intake_api, {"channel": "app", "rating": 5, "customer": {"external_id": "C-7"}})

    assert response.status_code == 201
    assert response.json()["sentiment"] == "positive"
    assert response.json()["case"] is None


def test_agents_and_managers_may_submit_too(api_client, agent, manager):
    for user in (agent, manager):
        assert post(api_client(user), {**BODY, "rating": 4}).status_code == 201


def test_a_repeated_request_replays_the_original_answer_with_the_replayed_header(intake_api, manager):
    first = post(intake_api, BODY, key="8e03978e-40d5-43e8-bc93-6894a57f9324")
    case = RecoveryCase.objects.get()
    from cases import workflow

    workflow.acknowledge(case_id=case.pk, actor=manager)

    again = post(intake_api, BODY, key="8e03978e-40d5-43e8-bc93-6894a57f9324")

    assert again.status_code == first.status_code == 201
    assert again.content == first.content  # the stage at the time, not "acknowledged"
    assert again.headers["Idempotent-Replayed"] == "true"
    assert (Feedback.objects.count(), RecoveryCase.objects.count()) == (1, 1)


def test_the_same_body_with_keys_in_another_order_is_the_same_body(intake_api):
    post(intake_api, BODY, key="k")
    reordered = dict(reversed(list(BODY.items())))

    again = post(intake_api, reordered, key="k")

    assert again.headers["Idempotent-Replayed"] == "true"


def test_the_same_key_with_a_different_body_answers_422_and_stores_nothing(intake_api):
    post(intake_api, BODY, key="k")

    response = post(intake_api, {**BODY, "rating": 2}, key="k")

    assert response.status_code == 422
    assert "different request body" in response.json()["detail"]
    assert Feedback.objects.count() == 1
    assert Feedback.objects.get().rating == 1


def test_an_invalid_idempotency_key_answers_400_and_stores_nothing(intake_api):
    response = post(intake_api, BODY, key="k" * 256)

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert nothing_stored()


LONG = "x" * 10_001
# (what is wrong, the body, where the error is reported), written out by hand.
BAD_BODIES = [
    ("channel missing", {k: v for k, v in BODY.items() if k != "channel"}, ["channel"]),
    ("channel unknown", {**BODY, "channel": "fax"}, ["channel"]),
    ("rating 0", {**BODY, "rating": 0}, ["rating"]),
    ("rating 6", {**BODY, "rating": 6}, ["rating"]),
    ("rating not whole", {**BODY, "rating": 2.5}, ["rating"]),
    ("rating a string", {**BODY, "rating": "2"}, ["rating"]),
    ("rating a boolean", {**BODY, "rating": True}, ["rating"]),
    ("nps -1", {**BODY, "nps": -1}, ["nps"]),
    ("nps 11", {**BODY, "nps": 11}, ["nps"]),
    ("comment too long", {**BODY, "comment": LONG}, ["comment"]),
    ("no signal", {**BODY, "rating": None, "comment": ""}, ["comment"]),
    ("blank comment only", {**BODY, "rating": None, "comment": "   "}, ["comment"]),
    ("touchpoint too long", {**BODY, "touchpoint": "t" * 81}, ["touchpoint"]),
    ("comment with a lone surrogate", {**BODY, "comment": "kettle \ud83d broke"}, ["comment"]),
    (
        "name with a lone surrogate",
        {**BODY, "customer": {"external_id": "C-1", "name": "\udfff"}},
        ["customer", "name"],
    ),
    ("occurred_at in the future", {**BODY, "occurred_at": "2026-11-22T09:00:01Z"}, ["occurred_at"]),
    ("occurred_at not a date", {**BODY, "occurred_at": "yesterday"}, ["occurred_at"]),
    ("customer missing", {k: v for k, v in BODY.items() if k != "customer"}, ["customer"]),
    ("customer not an object", {**BODY, "customer": "C-1001"}, ["customer"]),
    ("external_id missing", {**BODY, "customer": {"email": "ana@example.com"}}, ["customer", "external_id"]),
    ("external_id blank", {**BODY, "customer": {"external_id": " "}}, ["customer", "external_id"]),
    ("external_id too long", {**BODY, "customer": {"external_id": "C" * 129}}, ["customer", "external_id"]),
    ("email invalid", {**BODY, "customer": {"external_id": "C-1", "email": "ana"}}, ["customer", "email"]),
    (
        "unknown customer field",
        {**BODY, "customer": {"external_id": "C-1", "vip": True}},
        ["customer", "vip"],
    ),
    ("unknown field", {**BODY, "priority": "urgent"}, ["priority"]),
    ("metadata not an object", {**BODY, "metadata": ["SO-99812"]}, ["metadata"]),
    ("metadata over 8 KiB", {**BODY, "metadata": {"notes": "n" * 8200}}, ["metadata"]),
]


@pytest.mark.parametrize(("body", "path"), [case[1:] for case in BAD_BODIES], ids=[c[0] for c in BAD_BODIES])
def test_an_invalid_body_answers_400_per_field_and_stores_nothing(intake_api, body, path):
    response = post(intake_api, body, key="k")

    assert response.status_code == 400
    errors = response.json()
    *parents, leaf = path
    for parent in parents:
        errors = errors[parent]
    assert errors[leaf], response.json()
    assert nothing_stored()


def test_a_lone_surrogate_is_refused_by_its_code_point_and_any_other_character_is_kept(intake_api):
    refused = post(intake_api, {**BODY, "comment": "kettle \udc80 broke"}, key="k1")
    assert refused.status_code == 400
    assert refused.json()["comment"] == ["Surrogate characters are not allowed: U+DC80."]

    comment = "Zoë's kettle 🔥 broke, 東京"
    assert post(intake_api, {**BODY, "comment": comment}, key="k2").status_code == 201
    assert Feedback.objects.get().comment == comment


def test_feedback_without_rating_nps_or_comment_is_refused_on_each_of_them(intake_api):
    body = {k: v for k, v in BODY.items() if k not in {"rating", "nps", "comment"}}

    errors = post(intake_api, body).json()

    assert set(errors) == {"rating", "nps", "comment"}
    assert "at least one of rating, nps or a non-blank comment" in errors["comment"][0]
    assert nothing_stored()


def test_every_unknown_field_is_named_alongside_other_errors(intake_api):
    body = {**BODY, "rating": 9, "mood": "sad", "customer": {"external_id": "C-1", "tier": 1, "vip": 1}}

    errors = post(intake_api, body).json()

    assert set(errors) == {"rating", "mood", "customer"}
    assert set(errors["customer"]) == {"tier", "vip"}


def test_metadata_of_exactly_8_kib_is_accepted(intake_api):
    padding = 8 * 1024 - len('{"notes":""}')

    response = post(intake_api, {**BODY, "metadata": {"notes": "n" * padding}})

    assert response.status_code == 201


def test_a_body_that_is_not_an_object_answers_400(intake_api):
    response = post(intake_api, [BODY])

    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert nothing_stored()


def test_malformed_json_answers_400_in_json_and_stores_nothing(intake_api):
    response = intake_api.post(URL, '{"channel": "web", ', content_type="application/json")

    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]
    assert nothing_stored()


@pytest.mark.parametrize(
    ("content_type", "body"),
    [("text/plain", "rating=1"), ("application/x-www-form-urlencoded", "channel=web&rating=1")],
)
def test_a_body_that_is_not_json_answers_415_and_stores_nothing(intake_api, content_type, body):
    response = intake_api.post(URL, body, content_type=content_type)

    assert response.status_code == 415
    assert "Unsupported media type" in response.json()["detail"]
    assert nothing_stored()


def test_a_body_over_64_kib_answers_413_in_json_and_stores_nothing(intake_api):
    body = json.dumps({**BODY, "metadata": {"notes": "n" * (64 * 1024)}})

    response = intake_api.post(URL, body, content_type="application/json")

    assert response.status_code == 413
    assert response.headers["Content-Type"] == "application/json"
    assert "65536 bytes" in response.json()["detail"]
    assert nothing_stored()


def test_no_token_answers_401_and_stores_nothing(api_client):
    response = post(api_client(), BODY)

    assert response.status_code == 401
    assert response.json()["detail"]
    assert nothing_stored()


def test_a_wrong_token_answers_401_and_stores_nothing(api_client):
    client = api_client()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-key")

    response = post(client, BODY)

    assert response.status_code == 401
    assert nothing_stored()


def test_a_deactivated_client_answers_401_and_stores_nothing(api_client, intake_user):
    client = api_client(intake_user)
    intake_user.is_active = False
    intake_user.save()

    assert post(client, BODY).status_code == 401
    assert nothing_stored()


def test_a_user_in_no_role_gets_403_and_stores_nothing(api_client, outsider):
    response = post(api_client(outsider), BODY)

    assert response.status_code == 403
    assert response.json()["detail"]
    assert nothing_stored()


def test_errors_are_json_even_for_a_client_asking_for_html(intake_api):
    response = post(intake_api, {**BODY, "rating": 0}, HTTP_ACCEPT="text/html")

    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json"


# Reading ---------------------------------------------------------------------------------------


def test_intake_clients_and_users_in_no_role_may_not_read(api_client, intake_user, outsider):
    FeedbackFactory()
    for user in (intake_user, outsider):
        client = api_client(user)
        assert client.get(URL).status_code == 403
        assert client.get(f"{URL}{Feedback.objects.get().pk}/").status_code == 403


def test_reading_without_a_token_answers_401(api_client):
    assert api_client().get(URL).status_code == 401


def test_the_list_is_newest_first_and_paginated(api_client, agent):
    for hours in (3, 1, 2):
        FeedbackFactory(received_at=NOW - timedelta(hours=hours))

    page = api_client(agent).get(URL, {"page_size": 2}).json()

    assert page["count"] == 3
    assert [item["received_at"] for item in page["results"]] == [
        "2026-11-22T08:00:00Z",
        "2026-11-22T07:00:00Z",
    ]
    assert page["next"]


def test_the_list_shows_each_item_with_its_customer_and_case(api_client, manager, intake_user):
    post(api_client(intake_user), BODY)

    item = api_client(manager).get(URL).json()["results"][0]

    case = RecoveryCase.objects.get()
    assert item["customer"] == {"external_id": "C-1001", "name": "Ana Lopez", "email": "ana@example.com"}
    assert item["case"] == {"id": case.pk, "reference": case.reference, "severity": "high", "stage": "new"}
    assert (item["comment"], item["metadata"]) == (BODY["comment"], BODY["metadata"])


def test_the_list_filters_by_each_field(api_client, agent):
    ana, ben = CustomerFactory(external_id="C-ANA"), CustomerFactory(external_id="C-BEN")
    case = RecoveryCaseFactory(customer=ana)
    old = FeedbackFactory(customer=ana, channel="email", received_at=NOW - timedelta(days=3))
    angry = FeedbackFactory(
        customer=ana,
        channel="web",
        rating=1,
        sentiment="negative",
        case=case,
        received_at=NOW - timedelta(days=1),
    )
    calm = FeedbackFactory(customer=ben, channel="app", rating=3, sentiment="neutral", received_at=NOW)
    client = api_client(agent)

    def ids(**filters):
        return [item["id"] for item in client.get(URL, filters).json()["results"]]

    assert ids(channel="email") == [old.pk]
    assert ids(sentiment="negative") == [angry.pk]
    assert ids(sentiment="neutral") == [calm.pk]
    assert ids(has_case="true") == [angry.pk]
    assert ids(has_case="false") == [calm.pk, old.pk]
    assert ids(customer="C-ANA") == [angry.pk, old.pk]
    assert ids(received_after="2026-11-21T00:00:00Z") == [calm.pk, angry.pk]
    assert ids(received_before="2026-11-21T00:00:00Z") == [old.pk]
    assert ids(customer="C-ANA", received_after="2026-11-20T00:00:00Z") == [angry.pk]


def test_an_invalid_filter_answers_400(api_client, agent):
    response = api_client(agent).get(URL, {"channel": "fax"})

    assert response.status_code == 400
    assert "channel" in response.json()


def test_one_item_shows_its_case_reference(api_client, agent, intake_user):
    created = post(api_client(intake_user), BODY).json()

    response = api_client(agent).get(reverse("feedback-detail", args=[created["id"]]))

    assert response.status_code == 200
    assert response.json()["case"]["reference"] == created["case"]["reference"]
    assert response.json()["id"] == created["id"]


@pytest.mark.parametrize("pk", ["999999", "abc"])
def test_an_unknown_item_answers_404_in_json(api_client, agent, pk):
    response = api_client(agent).get(f"{URL}{pk}/")

    assert response.status_code == 404
    assert response.json()["detail"]


# Query budget ----------------------------------------------------------------------------------
# Per request, whatever the data: token with roles, customer upsert, then what triage needs. The
# test's own transaction adds a SAVEPOINT/RELEASE pair; a cold SLA policy cache adds one read. On
# PostgreSQL the upsert also says whether the customer is new (no case to look for). Opening a case, or
# raising its severity, writes its SLA alarm: one statement. A new customer's negative feedback: token,
# SAVEPOINT, policy, upsert, the case, its alarm, its event and the feedback (four INSERTs), the UPDATE
# naming the case's originating feedback, RELEASE.


def budget(*, postgresql: int, sqlite: int) -> int:
    # SQLite has no upsert returning the stored row: the customer is read before and after it.
    return postgresql if connection.vendor == "postgresql" else sqlite


# Opening a case or raising its severity recomputes the customer's at-risk score in the same
# transaction (`cases.at_risk.services.refresh`): one read of the customer's rows, one upsert.
AT_RISK = 2
# Two reads are cached per process for 2 s, not made per intake: the active webhook subscriptions
# (`cases.webhooks.outbox`) and the active gesture rules (`cases.gesture_rules.active`). Whether the
# cache is still warm when a test runs depends on how fast the machine got there, so both are counted.
CACHED_READS = 2
# Routing a new case (`cases.teams.routing`): the routing rules, and the default team when none matches.
ROUTING = 2
OPENING = AT_RISK + CACHED_READS + ROUTING  # what opening a case adds to intake's own queries


HAPPY = {**BODY, "rating": 5, "comment": "Lovely staff and fast delivery."}


def test_queries_for_positive_feedback_are_bounded(intake_api, django_assert_max_num_queries):
    post(intake_api, HAPPY)
    # SQLite cannot tell a customer created by its upsert, so pays the facts' UPDATE (intake.py) too.
    with django_assert_max_num_queries(budget(postgresql=5, sqlite=8)):
        assert post(intake_api, {**HAPPY, "customer": {"external_id": "C-NEW"}}).status_code == 201


def test_queries_for_a_new_customer_opening_a_case_are_bounded(intake_api, django_assert_max_num_queries):
    # + 1: the matching rules of root causes under watch (cases.root_causes.rules.matching)
    with django_assert_max_num_queries(budget(postgresql=11 + OPENING, sqlite=15 + OPENING)):
        assert post(intake_api, BODY).status_code == 201


def test_queries_for_an_existing_customer_opening_a_case_are_bounded(
    intake_api, django_assert_max_num_queries
):
    CustomerFactory(external_id="C-1001")
    for _ in range(5):
        RecoveryCaseFactory(customer=Customer.objects.get(), closed=True)
    # One of them: a known customer's rating may be the first later rating of a survey answer (facts);
    # one more: the matching rules of root causes under watch (cases.root_causes.rules.matching).
    with django_assert_max_num_queries(budget(postgresql=13 + OPENING, sqlite=15 + OPENING)):
        assert post(intake_api, BODY).status_code == 201


def test_queries_for_feedback_joining_an_open_case_are_bounded(intake_api, django_assert_max_num_queries):
    RecoveryCaseFactory(
        customer=CustomerFactory(external_id="C-1001"), severity=Severity.LOW, stage=Stage.NEW
    )
    with django_assert_max_num_queries(budget(postgresql=12 + OPENING, sqlite=14 + OPENING)):
        assert post(intake_api, BODY).status_code == 201


def test_queries_for_a_replay_are_bounded(intake_api, django_assert_max_num_queries):
    post(intake_api, BODY, key="k")
    with django_assert_max_num_queries(budget(postgresql=8, sqlite=10)):
        assert post(intake_api, BODY, key="k").status_code == 201


@pytest.mark.parametrize("with_case", [True, False])
def test_a_receipt_keeps_its_keys_in_order_whatever_order_the_stored_case_has(with_case, settings):
    from feedback.api.serializers import FeedbackReceipt

    settings.TIME_ZONE = "Europe/Paris"  # rendering follows the current zone
    case = {"id": 7, "reference": "RC-000007", "stage": "new", "severity": "high"}  # jsonb: any key order
    feedback = Feedback(
        id=41,
        received_at=datetime(2026, 7, 1, 9, 30, tzinfo=UTC),
        sentiment="negative",
        response_case=case if with_case else None,
    )
    receipt = FeedbackReceipt(feedback).data

    assert list(receipt) == ["id", "received_at", "sentiment", "case"]
    assert receipt["received_at"] == "2026-07-01T11:30:00+02:00"
    if with_case:
        assert list(receipt["case"].items()) == [
            ("id", 7), ("reference", "RC-000007"), ("severity", "high"), ("stage", "new")
        ]  # fmt: skip
    else:
        assert receipt["case"] is None


def test_input_serializers_validate_with_fields_of_their_own():
    # Fields are copied shallowly per serializer (recovery.api.strict): each copy is bound to its own
    # serializer, and one body's errors never reach another's.
    from feedback.api.serializers import FeedbackIn

    bad = FeedbackIn(data={"channel": "fax", "rating": 9, "customer": {"external_id": "", "email": "x"}})
    good = FeedbackIn(data={"channel": "web", "rating": 1, "customer": {"external_id": "C-1"}})

    assert not bad.is_valid() and good.is_valid(), good.errors
    assert set(bad.errors) == {"channel", "rating", "customer"}
    assert set(bad.errors["customer"]) == {"external_id", "email"}
    assert good.validated_data["customer"]["external_id"] == "C-1"
    for serializer in (bad, good):
        assert serializer.fields["channel"].parent is serializer
        assert serializer.fields["customer"].fields["email"].parent is serializer.fields["customer"]
    assert bad.fields["customer"] is not good.fields["customer"]
    assert (
        FeedbackIn._declared_fields["customer"].fields["external_id"]
        is not good.fields["customer"].fields["external_id"]
    )
