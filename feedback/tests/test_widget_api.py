"""The feedback widget's keys and its public endpoint: origins, CORS, rates, honeypot, and that a widget
feeds ordinary intake without ever changing a known customer."""

import pytest

from cases.models import RecoveryCase
from feedback.models import Customer, Feedback, WidgetKey
from feedback.tests.factories import CustomerFactory
from feedback.widget import keys

pytestmark = pytest.mark.django_db

SHOP = "https://shop.example.com"
ENDPOINT = "/api/v1/widget/feedback/"


@pytest.fixture(autouse=True)
def _no_origins_from_other_tests():
    keys.forget_origins()  # what CORS read in another test's (rolled back) database


@pytest.fixture
def widget_key():
    return keys.create_key(actor=None, name="Shop", allowed_origins=[SHOP], touchpoint_prefix="web")


def post(client, key, body=None, origin=SHOP, **headers):
    extra = {"HTTP_X_MEND_WIDGET_KEY": key.key if isinstance(key, WidgetKey) else key, **headers}
    if origin is not None:
        extra["HTTP_ORIGIN"] = origin
    body = {"rating": 1, "comment": "Checkout failed twice", "page": "/checkout"} if body is None else body
    return client.post(ENDPOINT, body, format="json", **extra)


# Keys ---------------------------------------------------------------------------------------------


def test_a_manager_creates_a_key_for_some_origins(api_client, manager):
    response = api_client(manager).post(
        "/api/v1/widget-keys/",
        {"name": "Shop", "allowed_origins": ["https://Shop.Example.com:443", "http://localhost:8000"]},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) >= {"id", "key", "name", "allowed_origins", "active"}
    assert body["key"].startswith("wk_") and len(body["key"]) > 20
    assert body["allowed_origins"] == ["https://shop.example.com", "http://localhost:8000"]
    assert body["active"] is True
    assert WidgetKey.objects.get().touchpoint_prefix == "web"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Shop", "allowed_origins": ["https://shop.example.com/checkout"]}, "allowed_origins"),
        ({"name": "Shop", "allowed_origins": ["ftp://shop.example.com"]}, "allowed_origins"),
        ({"name": "Shop", "allowed_origins": ["shop.example.com"]}, "allowed_origins"),
        ({"name": "Shop", "allowed_origins": ["https://shop.example.com:99999"]}, "allowed_origins"),
        ({"name": "Shop", "allowed_origins": ["https://user@shop.example.com"]}, "allowed_origins"),
        ({"name": "Shop", "allowed_origins": ["https://shop.example.com?x=1"]}, "allowed_origins"),
        ({"name": "Shop", "allowed_origins": []}, "allowed_origins"),
        ({"name": "Shop", "allowed_origins": "https://shop.example.com"}, "allowed_origins"),
        ({"name": "Shop", "allowed_origins": [7]}, "allowed_origins"),
        ({"allowed_origins": [SHOP]}, "name"),
        ({"name": "", "allowed_origins": [SHOP]}, "name"),
        ({"name": "Shop", "allowed_origins": [SHOP], "touchpoint_prefix": "we b<"}, "touchpoint_prefix"),
        ({"name": "Shop", "allowed_origins": [SHOP], "key": "wk_mine"}, "key"),
    ],
)
def test_a_bad_key_is_a_400_naming_the_field_and_stores_nothing(api_client, manager, body, field):
    response = api_client(manager).post("/api/v1/widget-keys/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not WidgetKey.objects.exists()


def test_only_managers_manage_keys(api_client, agent, intake_user, widget_key):
    for user in (agent, intake_user):
        client = api_client(user)
        assert client.get("/api/v1/widget-keys/").status_code == 403
        assert (
            client.post(
                "/api/v1/widget-keys/", {"name": "x", "allowed_origins": [SHOP]}, format="json"
            ).status_code
            == 403
        )
        assert (
            client.patch(
                f"/api/v1/widget-keys/{widget_key.pk}/", {"active": False}, format="json"
            ).status_code
            == 403
        )
    assert api_client().get("/api/v1/widget-keys/").status_code in (401, 403)
    assert WidgetKey.objects.get().active is True


def test_a_manager_lists_reads_and_deactivates_a_key(api_client, manager, widget_key):
    client = api_client(manager)
    assert [k["key"] for k in client.get("/api/v1/widget-keys/").json()] == [widget_key.key]
    assert client.get(f"/api/v1/widget-keys/{widget_key.pk}/").json()["name"] == "Shop"
    assert client.get("/api/v1/widget-keys/999999/").status_code == 404

    response = client.patch(f"/api/v1/widget-keys/{widget_key.pk}/", {"active": False}, format="json")

    assert response.status_code == 200 and response.json()["active"] is False
    assert client.patch(f"/api/v1/widget-keys/{widget_key.pk}/", {}, format="json").status_code == 400
    bad = client.patch(f"/api/v1/widget-keys/{widget_key.pk}/", {"allowed_origins": ["nope"]}, format="json")
    assert bad.status_code == 400 and "allowed_origins" in bad.json()
    assert WidgetKey.objects.get().allowed_origins == [SHOP]


# Posts ---------------------------------------------------------------------------------------------


def test_a_post_from_an_allowed_origin_is_ordinary_intake(api_client, widget_key):
    response = post(
        api_client(),
        widget_key,
        {"rating": 1, "comment": "Broken", "email": "new@x.example", "page": "/checkout"},
    )

    assert response.status_code == 201, response.json()
    assert set(response.json()) == {"received_at"}  # a public page learns nothing about cases
    assert "set-cookie" not in {name.lower() for name in response.headers}
    feedback = Feedback.objects.select_related("customer").get()
    assert (feedback.channel, feedback.touchpoint, feedback.rating) == ("web", "web/checkout", 1)
    assert feedback.case is not None  # triaged as the REST intake triages: a 1 opens a case
    assert feedback.customer.email == "new@x.example"
    assert feedback.customer.external_id.startswith("widget:")


def test_an_origin_the_key_does_not_allow_is_a_403(api_client, widget_key):
    for origin in ("https://evil.example", "http://shop.example.com", None):
        response = post(api_client(), widget_key, origin=origin)
        assert response.status_code == 403, origin
    assert not Feedback.objects.exists()


def test_a_missing_unknown_or_deactivated_key_is_a_403(api_client, widget_key):
    client = api_client()
    assert (
        client.post(ENDPOINT, {"rating": 1, "page": "/"}, format="json", HTTP_ORIGIN=SHOP).status_code == 403
    )
    assert post(client, "wk_not_a_key").status_code == 403
    WidgetKey.objects.filter(pk=widget_key.pk).update(active=False)
    response = post(client, widget_key)
    assert response.status_code == 403 and "deactivated" in response.json()["detail"]
    assert not Feedback.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rating": 6, "page": "/"}, "rating"),
        ({"rating": "1", "page": "/"}, "rating"),
        ({"rating": 1.5, "page": "/"}, "rating"),
        ({"comment": "   ", "page": "/"}, "rating"),
        ({"rating": 2, "page": "https://elsewhere.example/x"}, "page"),
        ({"rating": 2, "page": "//elsewhere.example/x"}, "page"),
        ({"rating": 2}, "page"),
        ({"rating": 2, "page": "/" + "x" * 600}, "page"),
        ({"rating": 2, "page": "/", "email": "not-an-email"}, "email"),
        ({"rating": 2, "page": "/", "comment": "x" * 2001}, "comment"),
        ({"rating": 2, "page": "/", "customer": {"external_id": "C-1"}}, "customer"),
        ({"rating": 2, "page": "/", "channel": "email"}, "channel"),
    ],
)
def test_a_bad_post_is_a_400_naming_the_field_and_stores_nothing(api_client, widget_key, body, field):
    response = post(api_client(), widget_key, body)

    assert response.status_code == 400
    assert field in response.json()
    assert not Feedback.objects.exists() and not Customer.objects.exists()


def test_a_body_over_the_limit_is_a_413(api_client, widget_key, settings):
    settings.MEND_MAX_BODY_BYTES = 1024
    response = post(api_client(), widget_key, {"rating": 1, "comment": "x" * 1500, "page": "/"})
    assert response.status_code == 413
    assert not Feedback.objects.exists()


def test_a_filled_honeypot_is_a_400_and_stores_nothing(api_client, widget_key):
    response = post(api_client(), widget_key, {"rating": 1, "page": "/", "website": "http://spam.example"})

    assert response.status_code == 400
    assert response.json()["website"] == ["Leave this field empty."]
    assert not Feedback.objects.exists() and not Customer.objects.exists()


def test_a_widget_never_changes_a_known_customer(api_client, widget_key):
    known = CustomerFactory(external_id="C-1", email="ana@example.com", name="Ana Lopez", phone="+1 555 0100")

    response = post(
        api_client(), widget_key, {"rating": 1, "email": "ana@example.com", "comment": "Again", "page": "/"}
    )

    assert response.status_code == 201
    feedback = Feedback.objects.get()
    assert feedback.customer_id == known.pk  # found by email
    known.refresh_from_db()
    assert (known.external_id, known.email, known.name, known.phone) == (
        "C-1",
        "ana@example.com",
        "Ana Lopez",
        "+1 555 0100",
    )
    assert Customer.objects.count() == 1


def test_without_an_email_each_post_is_its_own_anonymous_customer(api_client, widget_key):
    for _ in range(2):
        assert post(api_client(), widget_key, {"rating": 1, "page": "/a"}).status_code == 201
    customers = list(Customer.objects.values_list("external_id", "email"))
    assert len(customers) == 2
    assert all(external_id.startswith("widget:anonymous:") and not email for external_id, email in customers)


def test_a_retried_post_with_its_idempotency_key_is_stored_once(api_client, widget_key):
    body = {"rating": 1, "comment": "Lost parcel", "page": "/orders"}
    first = post(api_client(), widget_key, body, HTTP_IDEMPOTENCY_KEY="k-1")
    again = post(api_client(), widget_key, body, HTTP_IDEMPOTENCY_KEY="k-1")
    other = post(api_client(), widget_key, {**body, "rating": 2}, HTTP_IDEMPOTENCY_KEY="k-1")

    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 422)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Feedback.objects.count() == 1 and RecoveryCase.objects.count() == 1


# CORS and rates --------------------------------------------------------------------------------------


def test_a_preflight_from_an_allowed_origin_answers_200_with_that_origin(api_client, widget_key):
    response = api_client().options(
        ENDPOINT,
        HTTP_ORIGIN=SHOP,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type, x-mend-widget-key, idempotency-key",
    )

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == SHOP
    allowed = {h.strip() for h in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"content-type", "x-mend-widget-key", "idempotency-key"} <= allowed
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert post(api_client(), widget_key).headers["Access-Control-Allow-Origin"] == SHOP


def test_cors_answers_no_other_origin_and_no_other_endpoint(api_client, manager, widget_key):
    preflight = {"HTTP_ACCESS_CONTROL_REQUEST_METHOD": "POST"}
    evil = api_client().options(ENDPOINT, HTTP_ORIGIN="https://evil.example", **preflight)
    elsewhere = api_client().options("/api/v1/feedback/", HTTP_ORIGIN=SHOP, **preflight)
    api_client(manager).patch(f"/api/v1/widget-keys/{widget_key.pk}/", {"active": False}, format="json")
    deactivated = api_client().options(ENDPOINT, HTTP_ORIGIN=SHOP, **preflight)

    for response in (evil, elsewhere, deactivated):
        assert "Access-Control-Allow-Origin" not in response.headers


def test_rates_per_address_answer_429_with_retry_after(api_client, widget_key, settings):
    settings.MEND_THROTTLE_RATES = {**settings.MEND_THROTTLE_RATES, "widget_ip": "2/min"}
    answers = [post(api_client(), widget_key, {"rating": 5, "page": "/"}).status_code for _ in range(3)]
    other_address = post(api_client(), widget_key, {"rating": 5, "page": "/"}, REMOTE_ADDR="10.0.0.9")

    assert answers == [201, 201, 429]
    assert other_address.status_code == 201
    assert Feedback.objects.count() == 3


def test_rates_per_key_answer_429_with_retry_after(api_client, widget_key, settings):
    settings.MEND_THROTTLE_RATES = {**settings.MEND_THROTTLE_RATES, "widget_token": "2/min"}
    other = keys.create_key(actor=None, name="Other", allowed_origins=[SHOP])
    statuses = [
        post(api_client(), widget_key, {"rating": 5, "page": "/"}, REMOTE_ADDR=f"10.0.0.{n}").status_code
        for n in range(3)
    ]
    refused = post(api_client(), widget_key, {"rating": 5, "page": "/"}, REMOTE_ADDR="10.0.1.1")

    assert statuses == [201, 201, 429]
    assert int(refused.headers["Retry-After"]) >= 1
    assert post(api_client(), other, {"rating": 5, "page": "/"}, REMOTE_ADDR="10.0.2.1").status_code == 201


def test_the_endpoint_ignores_sessions_and_needs_no_csrf_token(widget_key, agent):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(agent)  # a signed-in agent's cookie on the same site: neither used nor required

    response = post(client, widget_key, {"rating": 4, "page": "/"})

    assert response.status_code == 201
    assert Feedback.objects.get().client.username == keys.WIDGET_CLIENT


def test_the_widget_client_is_an_untrusted_intake_client(widget_key):
    client = widget_key.client
    assert client.has_perm("feedback.add_feedback")
    assert not client.has_perm("feedback.change_customer_contact")
    assert not client.has_usable_password()


def test_a_method_the_endpoint_does_not_have_is_a_405_before_any_key_is_asked_for():
    from rest_framework.test import APIClient

    response = APIClient().generic("TRACE", "/api/v1/widget/feedback/")

    assert response.status_code == 405
