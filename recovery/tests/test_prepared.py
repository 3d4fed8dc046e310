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


def _plans(name: str) -> tuple[int, int]:
    """(generic, custom) plans the server has made for the prepared statement `name`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = %s", [name]
        )
        return cursor.fetchone()


def _statement(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE name = %s", [name])
        return cursor.fetchone()[0]


def _setting(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]


def _with_constants(sql, params, numbers, **options) -> tuple[tuple, list[str]]:
    with CaptureQueriesContext(connection) as context, connection.cursor() as cursor:
        prepared.with_constants(cursor, sql, params, numbers, **options)
        row = cursor.fetchone()
    return row, [query["sql"] for query in context.captured_queries]


# A number may repeat in `numbers`: the same value in two places is one parameter.
WORDS = "SELECT %s::text || '%%' || %s::text || %s::text || %s::int"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_with_constants_writes_the_constants_in_and_keeps_the_numbered_values_as_parameters():
    connection.close()
    row, sent = _with_constants(WORDS, ["a", "it's", "a", 7], [1, None, 1, None])

    assert row == ("a%it'sa7",)
    prepare, execute = sent
    assert prepare.endswith(" AS SELECT $1::text || '%' || 'it''s'::text || $1::text || 7::int")
    assert execute.endswith("('a')")

    row, sent = _with_constants(WORDS, ["b", "it's", "b", 7], [1, None, 1, None])
    assert row == ("b%it'sb7",)
    assert sent == [execute.replace("('a')", "('b')")]  # the same statement, by name


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_other_constants_are_another_statement():
    _, first = _with_constants(WORDS, ["a", "x", "a", 7], [1, None, 1, None])
    row, second = _with_constants(WORDS, ["a", "y", "a", 7], [1, None, 1, None])

    assert row == ("a%ya7",)
    assert second[0].startswith("PREPARE ") and second[0] != first[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_constants_equal_in_python_but_written_differently_are_different_statements():
    # True == 1 in Python, yet one is written `true` and the other `1`: a statement kept for the one
    # must not answer for the other.
    assert _with_constants("SELECT %s, %s", [True, 0], [None, 1])[0] == (True, "0")
    assert _with_constants("SELECT %s, %s", [1, 0], [None, 1])[0] == (1, "0")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_generic_statement_outside_a_transaction_is_planned_once_for_every_value():
    sql = "SELECT count(*) FROM auth_user WHERE username = %s OR username = %s"
    for word in ("ana", "ben", "cy"):
        row, sent = _with_constants(sql, [word, "nobody"], [1, None], generic=True)
        assert row == (0,)

    assert sent[-1].startswith("SET LOCAL plan_cache_mode = force_generic_plan;")
    name = sent[-1].split("EXECUTE ")[1].split("(")[0]
    assert _plans(name) == (3, 0)
    # SET LOCAL ended with the statement's own transaction: nothing else is planned so.
    assert _setting("plan_cache_mode") == "auto"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_a_generic_statement_leaves_the_planning_to_postgresql():
    sql = "SELECT count(*) FROM auth_user WHERE username = %s"
    with transaction.atomic():
        row, sent = _with_constants(sql, ["ana"], [1], generic=True)
        assert row == (0,)
        assert sent[-1].startswith("EXECUTE ")
        assert _setting("plan_cache_mode") == "auto"  # SET LOCAL would have lasted to the commit


@pytest.mark.postgres
@pytest.mark.django_db
def test_parameters_are_numbered_from_one_without_gaps():
    with connection.cursor() as cursor, pytest.raises(ValueError, match="without gaps"):
        prepared.with_constants(cursor, "SELECT %s, %s", [1, 2], [1, 3])


@pytest.mark.django_db
def test_with_constants_switched_off_or_elsewhere_sends_the_text(settings):
    settings.DATABASE_PREPARED_STATEMENTS = False
    row, sent = _with_constants("SELECT %s * %s", [6, 7], [1, None])

    assert row == (42,)
    assert sent == ["SELECT 6 * 7"]


def _read(sql: str, params) -> tuple[list, list[str]]:
    with (
        CaptureQueriesContext(connection) as context,
        prepared.repeated_reads(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return rows, [query["sql"] for query in context.captured_queries]


PAGE = "SELECT id FROM generate_series(1, 9) AS id WHERE id = ANY(%s::int[]) AND id > %s ORDER BY id"


def _written(sql: str, *literals: str) -> str:
    for literal in literals:
        sql = sql.replace("%s", literal, 1)
    return sql


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_read_sent_a_second_time_is_prepared_with_its_lists_as_parameters():
    connection.close()
    first = _read(PAGE, [[2, 4, 6], 3])
    assert first == ([(4,), (6,)], [_written(PAGE, "ARRAY[2,4,6]", "3")])

    rows, sent = _read(PAGE, [[5, 7], 3])
    assert rows == [(5,), (7,)]
    prepare, execute = sent
    assert prepare.endswith("WHERE id = ANY($1::int[]) AND id > 3 ORDER BY id")
    assert execute.endswith("(ARRAY[5,7])")

    assert _read(PAGE, [[1, 9], 3]) == ([(9,)], [execute.replace("ARRAY[5,7]", "ARRAY[1,9]")])
    # Another cursor position is another statement: sent as text until it is seen again.
    assert _read(PAGE, [[1, 9], 8]) == ([(9,)], [_written(PAGE, "ARRAY[1,9]", "8")])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_repeated_reads_leave_writes_and_reads_outside_the_block_alone():
    write = "UPDATE auth_user SET is_active = is_active WHERE id = %s RETURNING id"
    for _ in range(2):
        assert _read(write, [0]) == ([], [write.replace("%s", "0")])
    with CaptureQueriesContext(connection) as context, connection.cursor() as cursor:
        for _ in range(2):
            cursor.execute(PAGE, [[4], 1])
    assert [query["sql"][:6] for query in context.captured_queries] == ["SELECT", "SELECT"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_past_the_limit_a_connection_deallocates_its_statements_and_prepares_again_as_used(monkeypatch):
    connection.close()
    monkeypatch.setattr(prepared, "_KEPT_AT_MOST", 3)
    for bound in range(3):
        _with_constants("SELECT %s::int + %s", [1, bound], [1, None])
    assert len(_prepared_names()) == 3

    row, sent = _with_constants("SELECT %s::int + %s", [1, 10], [1, None])

    assert row == (11,)
    assert sent[0].startswith("DEALLOCATE ALL;\nPREPARE ")
    assert len(_prepared_names()) == 1
    assert _run(POSITIONAL, (6, 7)) == (42,)  # prepared again on the connection


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_read_whose_columns_a_migration_changed_fails_once_then_the_next_connection_prepares_again():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE mend_test_widened (n int); INSERT INTO mend_test_widened VALUES (1)")
    read = "SELECT n FROM mend_test_widened WHERE n >= %s"
    try:
        for _ in range(2):
            assert _read(read, [0])[0] == [(1,)]
        with connection.cursor() as cursor:  # as a migration would, while the connection holds the read
            cursor.execute("ALTER TABLE mend_test_widened ALTER n TYPE bigint")

        with pytest.raises(DatabaseError, match="must not change result type"):
            _read(read, [0])

        assert connection.connection is None  # closed: the next request opens a new one
        assert _read(read, [0])[0] == [(1,)]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE mend_test_widened")
