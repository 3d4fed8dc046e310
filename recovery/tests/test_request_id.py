"""Every request has an id: in the response's X-Request-ID, in API error bodies and on its log lines."""

import json
import logging
import uuid

import pytest

from recovery.logs import Formatter

pytestmark = pytest.mark.django_db


def test_an_api_error_names_the_request_id_its_header_and_its_log_line_carry(api_client, agent, caplog):
    caplog.set_level(logging.INFO, logger="recovery.api.errors")

    response = api_client(agent).get("/api/v1/cases/RC-999999/")

    assert response.status_code == 404
    request_id = response["X-Request-ID"]
    assert response.json()["request_id"] == request_id
    (line,) = [r for r in caplog.records if getattr(r, "event", "") == "api.refused"]
    assert (line.correlation_id, line.status, line.user_id) == (request_id, 404, agent.pk)


def test_a_per_field_refusal_keeps_its_field_map_and_names_the_request_in_its_header(api_client, intake_user):
    response = api_client(intake_user).post("/api/v1/feedback/", {"channel": "web"}, format="json")

    assert response.status_code == 400
    assert "request_id" not in response.json()
    assert uuid.UUID(response["X-Request-ID"])


def test_a_request_id_the_caller_sends_is_kept_and_a_forged_one_replaced(client):
    mine = uuid.uuid4().hex

    kept = client.get("/healthz", headers={"X-Request-ID": mine})
    forged = client.get("/healthz", headers={"X-Request-ID": "admin logged in\nfake line"})

    assert kept["X-Request-ID"] == mine
    assert forged["X-Request-ID"] != "admin logged in\nfake line"
    assert uuid.UUID(forged["X-Request-ID"])


@pytest.mark.parametrize(("log_format", "looks_like"), [("json", "json"), ("text", "text")])
def test_log_lines_are_json_or_text_as_log_format_says(settings, log_format, looks_like):
    settings.LOG_FORMAT = log_format
    record = logging.LogRecord(
        "cases.outbox", logging.INFO, __file__, 1, "%s %s", ("outbox.sent", "id=7"), None
    )
    record.correlation_id = "abc"
    record.notification_id = 7

    line = Formatter().format(record)

    if looks_like == "json":
        parsed = json.loads(line)
        assert (parsed["message"], parsed["request_id"], parsed["notification_id"]) == (
            "outbox.sent id=7",
            "abc",
            7,
        )
    else:
        assert line.endswith("INFO    cases.outbox outbox.sent id=7 request_id=abc")
