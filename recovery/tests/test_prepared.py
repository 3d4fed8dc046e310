"""recovery.prepared: a statement is prepared once per connection on PostgreSQL and then run by name,
answering what its text would; elsewhere, or switched off, the text itself is sent."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from recovery import prepared

ECHO = prepared.Statement("SELECT %(word)s::text || '%%', %(number)s::int + 1, %(word)s::text")
POSITIONAL = prepared.Statement("SELECT %s::int * %s::int")


def _run(statement, params):
    with connection.cursor() as cursor:
        prepared.execute(cursor, statement, params)
        return cursor.fetchone()


def _sent(statement, params) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        row = _run(statement, params)
    assert row is not None
    return [query["sql"] for query in context.captured_queries]


def _prepared_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


def test_placeholders_become_numbered_parameters_and_a_repeated_name_one_parameter():
    assert ECHO._prepare == f"PREPARE {ECHO.name} AS SELECT $1::text || '%', $2::int + 1, $1::text"
    assert ECHO._execute == f"EXECUTE {ECHO.name}(%s, %s)"
    assert ECHO._arguments({"number": 4, "word": "it's"}) == ["it's", 4]
    assert POSITIONAL._prepare.endswith("AS SELECT $1::int * $2::int")
    assert POSITIONAL._arguments((6, 7)) == [6, 7]


def test_a_statement_mixing_both_placeholder_styles_is_refused():
    with pytest.raises(ValueError, match="all %s or all"):
        prepared.Statement("SELECT %s, %(name)s")


def test_the_same_text_has_the_same_name_and_another_text_another():
    assert prepared.Statement(ECHO.sql).name == ECHO.name
    assert POSITIONAL.name != ECHO.name


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_first_run_on_a_connection_prepares_and_every_run_after_executes_by_name():
    connection.close()  # a connection of its own: nothing prepared on it yet
    first = _sent(ECHO, {"word": "50", "number": 1})
    assert first == [ECHO._prepare, f"EXECUTE {ECHO.name}('50', 1)"]
    assert _sent(ECHO, {"word": "it's", "number": 41}) == [f"EXECUTE {ECHO.name}('it''s', 41)"]
    assert _run(ECHO, {"word": "it's", "number": 41}) == ("it's%", 42, "it's")
    assert ECHO.name in _prepared_names()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_again():
    _run(POSITIONAL, (2, 3))
    connection.close()

    assert _sent(POSITIONAL, (6, 7))[0] == POSITIONAL._prepare
    assert _run(POSITIONAL, (6, 7)) == (42,)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_statement_prepared_in_a_transaction_that_rolls_back_stays_prepared():
    connection.close()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        _run(POSITIONAL, (2, 3))
        raise ZeroDivisionError  # any failure: the transaction rolls back

    assert _sent(POSITIONAL, (5, 5)) == [f"EXECUTE {POSITIONAL.name}(5, 5)"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_statements_lacking_on_the_connection_are_prepared_together_in_one_round_trip():
    connection.close()
    _run(ECHO, {"word": "a", "number": 1})
    with CaptureQueriesContext(connection) as context, connection.cursor() as cursor:
        bound = prepared.bind_all(cursor, [(ECHO, {"word": "b", "number": 2}), (POSITIONAL, (3, 4))])

    assert [query["sql"] for query in context.captured_queries] == [POSITIONAL._prepare]
    assert bound == [(ECHO._execute, ["b", 2]), (POSITIONAL._execute, [3, 4])]


@pytest.mark.django_db
def test_switched_off_or_on_another_database_the_statement_goes_as_text(settings):
    settings.DATABASE_PREPARED_STATEMENTS = False
    product = prepared.Statement("SELECT %s * %s")  # SQLite's SQL too

    assert _sent(product, (6, 7)) == ["SELECT 6 * 7"]
    assert _run(product, (6, 7)) == (42,)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_statements_deallocated_behind_mends_back_fail_once_then_the_next_connection_prepares_again():
    _run(POSITIONAL, (2, 3))
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # as `DISCARD ALL`, or a pooler handing over another session

    with pytest.raises(DatabaseError, match="does not exist"):
        _run(POSITIONAL, (6, 7))

    assert connection.connection is None  # closed: the next statement opens a new one
    assert _run(POSITIONAL, (6, 7)) == (42,)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_statement_the_server_already_holds_fails_once_then_the_next_connection_prepares_again():
    _run(POSITIONAL, (2, 3))
    prepared._PREPARED.pop(connection.connection)  # this process's record lost, the server's kept

    with pytest.raises(DatabaseError, match="already exists"), transaction.atomic():
        _run(POSITIONAL, (6, 7))

    assert _run(POSITIONAL, (6, 7)) == (42,)
