"""The seven 500s of issue 24 (H1-H7): each is now a clear 400 or a form error, and nothing is stored.

One layer refuses them: `recovery.parsing.ReadableInputMiddleware` for every query parameter and form
field, `recovery.api.parsers.BoundedJSONParser` for JSON bodies after decoding them in their charset,
and `whole_number`/`decimal_number` for numbers and ids in ASCII only.
"""

import json
from decimal import Decimal

import pytest
from django.test import Client

from cases.models import CaseEvent, Gesture, RecoveryCase, RootCause
from cases.tests.factories import RecoveryCaseFactory
from conftest import signed_in
from feedback.models import Customer, Feedback
from recovery.parsing import NUL_MESSAGE, decimal_number, unreadable, unreadable_in

pytestmark = pytest.mark.django_db

INTAKE = "/api/v1/feedback/"
FEEDBACK = {"channel": "web", "rating": 1, "customer": {"external_id": "C-1"}}


def nothing_stored() -> bool:
    return not (Customer.objects.exists() or Feedback.objects.exists() or RecoveryCase.objects.exists())


# The parsing layer itself ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "refused"),
    [("plain", False), ("ümlaut ☃ 😀", False), ("a\x00b", True), ("\ud800", True), ("x\udfffy", True)],
)
def test_text_with_a_nul_or_a_lone_surrogate_is_unreadable(text, refused):
    assert (unreadable(text) is not None) == refused


def test_unreadable_json_is_found_in_keys_and_nested_values_with_where_it_is():
    assert unreadable_in({"a": [1, {"b": "ok"}]}) is None
    assert unreadable_in({"a": [1, {"b\x00": "ok"}]}) == (("a",), NUL_MESSAGE)
    assert unreadable_in({"a": {"b": ["\ud800"]}}) == (
        ("a", "b"),
        "Surrogate characters are not allowed: U+D800.",
    )


@pytest.mark.parametrize(
    ("text", "number"),
    [
        *[
            ("20", Decimal("20")),
            (" 45.50 ", Decimal("45.50")),
            ("-1", Decimal("-1")),
            (Decimal("3.5"), Decimal("3.5")),
        ],
        *[
            ("1e400", None),
            ("1e999999999", None),
            ("٣", None),
            ("²", None),
            ("NaN", None),
            ("Infinity", None),
        ],
        *[("9" * 19, None), ("", None), (None, None), (1.5, None), (Decimal("1E+400"), None)],
    ],
)
def test_decimal_numbers_are_ascii_plain_notation_of_bounded_size(text, number):
    assert decimal_number(text) == number


# H1, H2: JSON bodies -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("metadata", "where"),
    [
        ({"note": "\ud800"}, {"note": ["U+D800"]}),
        ({"\ud800": "value"}, ["U+D800"]),
        ({"deep": [{"x": "a\udc00b"}]}, {"deep": {"x": ["U+DC00"]}}),
    ],
    ids=["value", "key", "nested"],
)
def test_h1_a_lone_surrogate_in_metadata_is_a_400_naming_where(api_client, intake_user, metadata, where):
    body = json.dumps({**FEEDBACK, "metadata": metadata})  # ensure_ascii: sent as \ud800 escapes

    response = api_client(intake_user).post(INTAKE, body, content_type="application/json")

    assert response.status_code == 400
    errors = response.json()
    assert errors["detail"].startswith("Surrogate characters are not allowed: U+")
    assert _shape(errors["metadata"]) == where
    assert nothing_stored()


def _shape(errors):
    """The error tree with each message cut to the code point it names."""
    if isinstance(errors, dict):
        return {key: _shape(value) for key, value in errors.items()}
    return [message.rsplit(" ", 1)[-1].rstrip(".") for message in errors]


@pytest.mark.parametrize("charset", ["utf-16", "utf-16-le", "utf-32", "utf-8"])
@pytest.mark.parametrize("metadata", [{"note": "a\x00b"}, {"a\x00": "b"}], ids=["value", "key"])
def test_h2_a_nul_in_metadata_is_a_400_whatever_the_charset(api_client, intake_user, charset, metadata):
    body = json.dumps({**FEEDBACK, "metadata": metadata}).encode(charset)

    response = api_client(intake_user).post(INTAKE, body, content_type=f"application/json; charset={charset}")

    assert response.status_code == 400
    assert "\\u0000" in response.json()["detail"]
    assert nothing_stored()


def test_a_body_in_utf_16_without_a_nul_is_still_taken(api_client, intake_user):
    body = json.dumps({**FEEDBACK, "comment": "Zerbeult ☃"}).encode("utf-16")

    response = api_client(intake_user).post(INTAKE, body, content_type="application/json; charset=utf-16")

    assert response.status_code == 201, response.content
    assert Feedback.objects.get().comment == "Zerbeult ☃"


# H3, H4: the metrics API, the dashboard and its CSV ----------------------------------------------

METRICS_DOORS = ["/api/v1/metrics/", "/dashboard/", "/dashboard/export.csv"]


def get_as(manager, api_client, url: str, params: dict):
    if url.startswith("/api/"):
        return api_client(manager).get(url, params)
    return signed_in(manager).get(url, params)


@pytest.mark.parametrize("url", METRICS_DOORS)
@pytest.mark.parametrize("owner", ["²", "¹", "٣", "\uff14", "99999999999999999999"])
def test_h3_an_owner_in_unicode_digits_is_a_400(manager, api_client, url, owner):
    response = get_as(manager, api_client, url, {"owner": owner})

    assert response.status_code == 400
    assert "owner" in response.content.decode()


@pytest.mark.parametrize("url", METRICS_DOORS)
@pytest.mark.parametrize("parameter", ["touchpoint", "channel", "severity", "from", "\x00"])
def test_h4_a_nul_in_any_metrics_parameter_is_a_400_naming_it(manager, api_client, url, parameter):
    response = get_as(manager, api_client, url, {parameter: "a\x00b"})

    assert response.status_code == 400
    assert "\\u0000" in response.content.decode()
    assert repr(parameter)[1:-1] in response.content.decode()


def test_an_ascii_owner_id_still_narrows_the_metrics(manager, api_client, agent):
    assert api_client(manager).get("/api/v1/metrics/", {"owner": str(agent.pk)}).status_code == 200


# H5, H6, H7: the workspace --------------------------------------------------------------------------


def test_h5_a_nul_in_the_new_case_pages_customer_is_a_400(agent):
    client = signed_in(agent)

    assert client.get("/cases/new/", {"customer": "\x00"}).status_code == 400
    response = client.post(
        "/cases/new/", {"customer": "\x00", "q": "", "title": "Broken", "severity": "medium"}
    )

    assert response.status_code == 400
    assert "customer" in response.content.decode()
    assert nothing_stored()


def test_h6_a_nul_in_the_root_cause_search_is_a_400(agent):
    case = RecoveryCaseFactory(owner=agent)

    response = signed_in(agent).get(
        f"/cases/{case.reference}/actions/root-cause/", {"q": "\x00"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 400
    assert not RootCause.objects.exists()


@pytest.mark.parametrize("amount", ["1e400", "1e999999999", "٣", "1E+5", "NaN", "9" * 40])
def test_h7_an_amount_in_exponent_notation_or_unicode_digits_is_a_form_error(agent, amount):
    case = RecoveryCaseFactory(owner=agent, apologized=True)
    events_before = CaseEvent.objects.filter(case=case).count()

    response = signed_in(agent).post(
        f"/cases/{case.reference}/actions/gesture/",
        {"kind": "voucher", "amount": amount, "currency": "EUR", "version": case.version},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 422  # the workspace's answer to a form error
    html = response.content.decode()
    assert "The amount is a decimal number such as 20.00." in html
    assert f'value="{amount}"' in html  # the typed text stays in the field
    assert not Gesture.objects.exists()
    assert CaseEvent.objects.filter(case=case).count() == events_before


def test_h7_the_api_refuses_the_same_amount_with_a_400(api_client, agent):
    case = RecoveryCaseFactory(owner=agent, apologized=True)

    response = api_client(agent).post(
        f"/api/v1/cases/{case.reference}/gestures/",
        {"kind": "voucher", "amount": "1e400", "currency": "EUR"},
        format="json",
    )

    assert response.status_code == 400
    assert not Gesture.objects.exists()


def test_a_nul_in_an_api_query_parameter_is_a_400_before_any_view_reads_it(api_client, agent):
    response = api_client(agent).get("/api/v1/cases/", {"q": "a\x00"})

    assert response.status_code == 400
    assert response.json()["detail"].startswith("'q': Null characters")


def test_an_anonymous_visitor_is_still_sent_to_sign_in_first():
    response = Client().get("/cases/new/", {"customer": "\x00"})

    assert response.status_code == 302


def test_text_longer_than_its_limit_as_sent_is_refused_even_if_trimming_would_fit_it(api_client, intake_user):
    # Found by Schemathesis for the intake role: the schema says maxLength 128 of what is sent.
    body = {**FEEDBACK, "customer": {"external_id": "   " + "C" * 127}}

    response = api_client(intake_user).post(INTAKE, body, format="json")

    assert response.status_code == 400
    assert response.json()["customer"]["external_id"] == [
        "Ensure this field has no more than 128 characters."
    ]
    assert nothing_stored()
