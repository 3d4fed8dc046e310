"""Rules that once excused a 400 per operation in chaos/schemathesis.toml, written into the schema, and
the server doing what the schema says (issue 24, section 4)."""

import re

import pytest

from cases.tests.factories import RecoveryCaseFactory, RootCauseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(api_client, agent):
    response = api_client(agent).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def component(schema, name: str) -> dict:
    return schema["components"]["schemas"][name]


def test_feedback_needs_one_of_rating_nps_or_a_non_blank_comment_as_any_of(schema):
    any_of = component(schema, "FeedbackIn")["anyOf"]

    assert [branch["required"] for branch in any_of] == [["rating"], ["nps"], ["comment"]]
    comment = re.compile(any_of[2]["properties"]["comment"]["pattern"])
    assert comment.search("late") and not comment.search("   ")


@pytest.mark.parametrize(
    ("amount", "valid"),
    [
        *[("20", True), ("45.50", True), ("0.5", True), ("0.01", True), ("100000", True), ("99999.99", True)],
        *[("", False), (".", False), ("0", False), ("0.00", False), ("-5", False), ("1e400", False)],
        *[("100000.01", False), ("100001", False), ("1.234", False), ("٣", False)],
    ],
)
def test_a_gesture_amount_is_a_decimal_string_the_pattern_describes(schema, amount, valid):
    pattern = component(schema, "GestureInput")["properties"]["amount"]["pattern"]

    assert bool(re.fullmatch(pattern.strip("^$"), amount)) == valid


def test_the_server_takes_what_the_amount_pattern_takes_and_refuses_the_rest(api_client, agent):
    case = RecoveryCaseFactory(owner=agent, apologized=True)
    url = f"/api/v1/cases/{case.reference}/gestures/"

    for amount, status in [("0.5", 201), ("0", 400), ("", 400), ("100000.01", 400)]:
        body = {"kind": "voucher", "amount": amount, "currency": "EUR"}
        assert api_client(agent).post(url, body, format="json").status_code == status, amount


def test_plain_decimal_fields_need_a_digit(schema):
    pattern = re.compile(
        component(schema, "PatchedSLAPolicyEditInput")["properties"]["warn_at_fraction"]["pattern"]
    )

    assert pattern.search("0.75") and pattern.search(".5")
    assert (
        not pattern.search("")
        and not pattern.search(".")
        and not pattern.search("0")
        and not pattern.search("1")
    )


@pytest.mark.parametrize("name", ["PatchedCaseEditInput", "RootCauseInput"])
def test_an_owner_may_be_the_empty_string(schema, name):
    owner = component(schema, name)["properties"]["owner"]

    assert {"type": "string", "enum": [""]} in owner["anyOf"]


def test_an_empty_owner_unassigns_a_root_cause(api_client, manager):
    root_cause = RootCauseFactory(owner=manager)

    response = api_client(manager).patch(
        f"/api/v1/root-causes/{root_cause.pk}/", {"owner": ""}, format="json"
    )

    assert response.status_code == 200
    root_cause.refresh_from_db()
    assert root_cause.owner is None


def test_every_free_text_query_parameter_says_it_holds_no_nul(schema):
    loose = [
        (path, parameter["name"])
        for path, operations in schema["paths"].items()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query" and _free_text(parameter["schema"])
    ]

    assert loose == []


def _free_text(schema: dict) -> bool:
    options = schema.get("anyOf") or schema.get("oneOf") or [schema.get("items", schema)]
    return any(
        option.get("type") == "string" and not set(option) & {"enum", "format", "pattern", "maxLength"}
        for option in options
    )


@pytest.mark.parametrize(
    ("language", "branches"),
    [("", 1), (" ", 1), ("\f", 1), ("es", 1), ("pt-BR", 1), ("es-419", 1), ("e", 0), ("español", 0)],
)
def test_a_customer_language_matches_exactly_one_branch_of_its_one_of(schema, language, branches):
    """A blank language (none given) is taken; the tag branch must not take it too, or oneOf refuses the
    blank the server takes (Schemathesis found this: ST201 on `"language": ""`)."""
    one_of = component(schema, "CustomerIn")["properties"]["language"]["oneOf"]

    def matches(branch: dict) -> bool:
        if "maxLength" in branch and len(language) > branch["maxLength"]:
            return False
        return "pattern" not in branch or re.search(branch["pattern"], language) is not None

    assert sum(map(matches, one_of)) == branches


def test_the_server_takes_a_blank_customer_language_as_none_given(api_client, intake_user):
    body = {"customer": {"external_id": "C-blank-language", "language": ""}, "channel": "app", "nps": 7}

    assert api_client(intake_user).post("/api/v1/feedback/", body, format="json").status_code == 201


@pytest.mark.parametrize("component_name", ["CustomerIn", "WidgetFeedbackIn"])
def test_an_email_s_blank_branch_takes_whitespace_alone_as_the_server_trims_it(schema, component_name):
    blank = component(schema, component_name)["properties"]["email"]["oneOf"][1]
    pattern = re.compile(blank["pattern"])

    assert all(pattern.search(text) for text in ("", " ", "\f", "\t\n", "\x1c", "\x85"))
    assert not pattern.search("a@example.com") and not pattern.search(" x ")


@pytest.mark.parametrize("blank", ["", "\f", "  "])
def test_the_server_takes_whitespace_alone_as_no_email_and_no_language(api_client, intake_user, blank):
    customer = {"external_id": f"C-blank-{len(blank)}-{ord(blank[0]) if blank else 0}", "email": blank}
    body = {"customer": customer | {"language": blank}, "channel": "app", "nps": 7}

    assert api_client(intake_user).post("/api/v1/feedback/", body, format="json").status_code == 201
