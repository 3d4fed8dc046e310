"""recovery.db.postgresql: a healthy idle connection passes its health check without a statement; one the
server ended fails it, and the next query runs on a new connection."""

import select

import pytest
from django.db import connection

from conftest import from_another_session, wait_until


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _last_statement_of(pid: int) -> str:
    return from_another_session("SELECT query FROM pg_stat_activity WHERE pid = %s", pid)[0]


def _has_something_to_read() -> bool:
    return bool(select.select([connection.connection.fileno()], [], [], 0)[0])


def _ended(pid: int) -> bool:
    return from_another_session("SELECT NOT EXISTS (SELECT FROM pg_stat_activity WHERE pid = %s)", pid)[0]


pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_healthy_idle_connection_is_usable_without_a_statement():
    pid = _backend_pid()
    assert _last_statement_of(pid) == "SELECT pg_backend_pid()"
    assert connection.is_usable()
    assert _last_statement_of(pid) == "SELECT pg_backend_pid()"


def test_a_connection_with_something_to_read_is_asked_select_1():
    # A notification waiting on the socket: something to read that is not the end of the connection.
    with connection.cursor() as cursor:
        cursor.execute("LISTEN mend_backend_test")
    pid = _backend_pid()
    from_another_session("SELECT pg_notify('mend_backend_test', 'hello'), 1")
    # The server delivers a notification to its listener's socket when it gets to it.
    wait_until(_has_something_to_read, timeout=10, what="the notification to arrive")
    assert connection.is_usable()
    assert _last_statement_of(pid) == "SELECT 1"
    with connection.cursor() as cursor:
        cursor.execute("UNLISTEN *")


def test_a_connection_the_server_ended_is_unusable_and_the_next_request_reconnects():
    pid = _backend_pid()
    assert from_another_session("SELECT pg_terminate_backend(%s)", pid) == (True,)
    # Terminating is asynchronous: wait until the server has closed the session.
    wait_until(lambda: _ended(pid), timeout=10, what="the terminated session to end")
    assert not connection.is_usable()

    connection.health_check_enabled, connection.health_check_done = True, False  # as a new request
    connection.close_if_health_check_failed()
    assert _backend_pid() != pid


def test_a_closed_connection_is_unusable():
    _backend_pid()
    connection.connection.close()
    assert not connection.is_usable()
    connection.close()
