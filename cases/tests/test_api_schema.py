"""The OpenAPI document: served, valid, free of generator warnings, and honest about errors."""

import re

import pytest
from django.core.management import call_command
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db

# Every case-API operation and the error statuses it documents (written out, not derived).
ALL_UNSAFE = {"400", "401", "403", "404", "409", "413", "415", "422"}
DOCUMENTED_ERRORS = {
    ("/api/v1/cases/", "get"): {"400", "401", "403"},
    ("/api/v1/cases/", "post"): {"400", "401", "403", "409", "413", "415", "422"},
    ("/api/v1/cases/{reference}/", "get"): {"401", "403", "404"},
    ("/api/v1/cases/{reference}/", "patch"): {"400", "401", "403", "404", "412", "413", "415", "428"},
    ("/api/v1/cases/{reference}/actions/{action}/", "post"): ALL_UNSAFE,
    ("/api/v1/cases/{reference}/events/", "get"): {"400", "401", "403", "404"},
    ("/api/v1/cases/{reference}/notes/", "post"): {"400", "401", "403", "404", "409", "413", "415", "422"},
    ("/api/v1/cases/{reference}/gestures/", "post"): {"400", "401", "403", "404", "409", "413", "415", "422"},
    ("/api/v1/gestures/{id}/approve/", "post"): {"400", "401", "403", "404", "409", "413", "415", "422"},
    ("/api/v1/gestures/{id}/reject/", "post"): {"400", "401", "403", "404", "409", "413", "415", "422"},
    ("/api/v1/root-causes/", "get"): {"400", "401", "403"},
    ("/api/v1/root-causes/", "post"): {"400", "401", "403", "409", "413", "415", "422"},
    ("/api/v1/root-causes/{id}/", "get"): {"401", "403", "404"},
    ("/api/v1/root-causes/{id}/", "patch"): {"400", "401", "403", "404", "413", "415"},
    ("/api/v1/root-causes/{id}/cases/", "post"): {"400", "401", "403", "404", "409", "413", "415", "422"},
    ("/api/v1/root-causes/{id}/cases/{reference}/", "delete"): {"401", "403", "404"},
    ("/api/v1/sla-policies/", "get"): {"401", "403"},
    ("/api/v1/sla-policies/{severity}/", "get"): {"401", "403", "404"},
    ("/api/v1/sla-policies/{severity}/", "patch"): {"400", "401", "403", "404", "413", "415"},
}


@pytest.fixture
def schema(api_client, agent):
    response = api_client(agent).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def test_the_served_schema_is_valid_openapi_3(schema):
    validate(schema)

    assert schema["openapi"].startswith("3.")


@pytest.mark.parametrize(("path", "method"), list(DOCUMENTED_ERRORS))
def test_each_endpoint_documents_its_error_responses(schema, path, method):
    responses = schema["paths"][path][method]["responses"]

    assert DOCUMENTED_ERRORS[(path, method)] <= set(responses)
    assert any(code.startswith("2") for code in responses)


def test_the_case_list_documents_its_filters_and_cursor_page(schema):
    operation = schema["paths"]["/api/v1/cases/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]

    assert {
        "stage",
        "severity",
        "owner",
        "sla_state",
        "is_repeat",
        "customer",
        "root_cause",
        "created_after",
        "created_before",
        "q",
        "ordering",
        "cursor",
        "page_size",
    } <= names
    assert set(page.get("required", [])) == {"results", "next", "previous"} or "$ref" in page


def test_the_generator_reports_no_warnings_or_errors(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


def test_interactive_docs_are_served(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_inputs_that_refuse_unknown_fields_say_so(schema):
    components = schema["components"]["schemas"]

    names = ("CaseOpenInput", "NoteInput", "GestureInput", "FeedbackIn", "CustomerIn", "PatchedCaseEditInput")
    for name in names:
        assert components[name]["additionalProperties"] is False, name


def test_required_text_the_server_trims_may_not_be_blank(schema):
    note = schema["components"]["schemas"]["NoteInput"]["properties"]["body"]

    assert (note.get("minLength"), note.get("pattern")) == (1, r"^[^\x00]*[^\s\x00\x1c-\x1f\x85][^\x00]*$")
    assert re.search(note["pattern"], " a ") and not re.search(note["pattern"], "  ")
    assert not re.search(note["pattern"], "a\x00")
    assert not re.search(note["pattern"], "\x1f"), "Python's strip() takes it: blank to the server"


def test_no_text_in_a_request_may_hold_a_nul_character(schema):
    resolution = schema["components"]["schemas"]["ActionInput"]["properties"]["resolution"]

    # optional text: either some text without U+0000, or the empty string
    assert {"type": "string", "pattern": r"^[^\x00]+$"} in resolution["oneOf"]


def test_an_empty_filter_is_documented_as_accepted(schema):
    parameters = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/feedback/"]["get"]["parameters"]}

    assert {"type": "string", "maxLength": 0} in parameters["sentiment"]["anyOf"]


def test_unsafe_endpoints_document_the_idempotency_key(schema):
    operation = schema["paths"]["/api/v1/cases/{reference}/notes/"]["post"]

    assert "Idempotency-Key" in {p["name"] for p in operation["parameters"]}
