"""A database that goes away mid-service: 503 with Retry-After, never a 500, and service comes back."""

import psycopg2
import pytest
from django.db import close_old_connections, connection
from django.test import Client

from cases.tests.factories import RecoveryCaseFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _reconnect_after():
    yield
    close_old_connections()  # the next test (and the database flush) start on a live connection


def kill_own_connection() -> None:
    """Terminate this thread's PostgreSQL backend from outside, as a database restart would."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    outsider = psycopg2.connect(**params)
    try:
        outsider.autocommit = True
        with outsider.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        outsider.close()


def test_the_api_answers_503_json_with_retry_after_and_recovers_on_the_next_request(api_client, agent):
    RecoveryCaseFactory()
    client = api_client(agent)
    client.raise_request_exception = False
    kill_own_connection()

    response = client.get("/api/v1/cases/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "retry" in response.json()["detail"]
    close_old_connections()  # what a server does at the end of every request
    assert client.get("/api/v1/cases/").status_code == 200


def test_a_page_answers_503_html_with_retry_after(agent):
    client = Client(raise_request_exception=False)
    client.force_login(agent)
    kill_own_connection()

    response = client.get("/admin/cases/recoverycase/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "briefly unavailable" in response.content.decode()
