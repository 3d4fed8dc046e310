"""Statements PostgreSQL parses, analyses and plans once per connection, then runs by name.

Intake's statements never change shape: the token read, the customer upsert and the INSERTs of a
case, its alarm, its event and the feedback. Sent as text, PostgreSQL parsed, analysed and planned
every one of them again on every post: about a third of its CPU time per post (`perf` on the backend).
A prepared statement keeps that work for the connection's life; each post sends `EXECUTE name(...)`.

psycopg2 has no protocol-level prepare, so this uses SQL's PREPARE and EXECUTE. The values still go
as literals bound on the client (psycopg2's quoting), and PostgreSQL casts them to the parameter types
it inferred when it prepared the statement. A statement is prepared on first use on a connection,
in one round trip of its own; a new connection (Django reconnects after `CONN_MAX_AGE`, or after a
failed health check) is a new psycopg2 object and starts with none. PREPARE is not transactional,
so a statement prepared in a transaction that rolls back stays prepared.

Reads prepare too (`with_constants`, `repeated_reads`). Their text is the statement as psycopg2
would send it, every value written in, except the values that differ from one run to the next (the
words of a search, the ids of a page of matches), which stay parameters. Planning a queue page or a
search's probe took as long as running it (about 0.8 ms each at 1M cases), and a page's ORDER BY
and a probe's text search match their indexes only through the constants written in them: a
parameter in their place would leave the index unused.

A pooler that runs one client connection's statements on several server sessions (PgBouncer in
transaction mode) would lose them: `DATABASE_PREPARED_STATEMENTS=0` turns this off, and every
statement is then sent as text.
"""

import hashlib
import re
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from psycopg2 import errorcodes
from psycopg2.extensions import AsIs

# psycopg2's placeholders: %s, %(name)s, and %% for a literal percent sign.
_PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?s|%%")


class Statement:
    """One SQL statement in psycopg2's placeholder style, either all positional (`%s`) or all named
    (`%(name)s`, a name may repeat). Run it with `execute`, or several together with `bind_all`."""

    def __init__(self, sql: str, *, generic: bool = False) -> None:
        self.sql = sql
        self.name = _name(sql)
        self.generic = generic
        names: list[str | None] = []

        def number(match: re.Match) -> str:
            if match.group(0) == "%%":
                return "%"
            name = match.group(1)
            if name is not None and name in names:
                return f"${names.index(name) + 1}"
            names.append(name)
            return f"${len(names)}"

        text = _PLACEHOLDER.sub(number, sql)
        if len({name is None for name in names}) > 1:
            raise ValueError("A statement's placeholders are either all %s or all %(name)s.")
        self._names = names if names and names[0] is not None else None
        self._prepare = f"PREPARE {self.name} AS {text}"
        arguments = f"({', '.join(['%s'] * len(names))})" if names else ""
        self._execute = f"EXECUTE {self.name}{arguments}"

    def _arguments(self, params: Sequence | Mapping) -> list:
        if self._names is None:
            return list(params)
        assert isinstance(params, Mapping)
        return [params[name] for name in self._names]


class _Numbered(Statement):
    """A statement already in PostgreSQL's own form: parameters `$1`.., a percent sign as itself."""

    def __init__(self, text: str, count: int, *, generic: bool) -> None:
        self.sql, self.name, self.generic, self._names = text, _name(text), generic, None
        self._prepare = f"PREPARE {self.name} AS {text}"
        arguments = f"({', '.join(['%s'] * count)})" if count else ""
        self._execute = f"EXECUTE {self.name}{arguments}"


def _name(text: str) -> str:
    return "mend_" + hashlib.sha1(text.encode()).hexdigest()[:24]


def execute(cursor: CursorWrapper, statement: Statement, params: Sequence | Mapping) -> None:
    """Run `statement` with `params` on `cursor`: by name on PostgreSQL, as text elsewhere."""
    [(sql, arguments)] = bind_all(cursor, [(statement, params)])
    if statement.generic and _outside_transactions(cursor.db):
        sql = _GENERIC + sql
    send(cursor, sql, arguments)


def with_constants(
    cursor: CursorWrapper, sql: str, params: Sequence, numbers: Sequence[int | None], *, generic: bool = False
) -> None:
    """Run `sql` with `params` as a statement prepared with its constants written in: a parameter whose
    `numbers` entry is None is written into the text as psycopg2 would send it, the others stay
    parameters, `$n` by their number (several may share one). Elsewhere, or switched off, as text.

    `generic`: plan once for every value of the parameters (a plan built for no value in particular),
    where PostgreSQL would plan each run for its values while their plans seemed cheaper. Outside a
    transaction only: inside one, the settings that force it would last to the transaction's end."""
    if not enabled(cursor.db):
        send(cursor, sql, params)
        return
    statement, values = _numbered(cursor, sql, params, numbers, generic=generic)
    execute(cursor, statement, values)


def _numbered(
    cursor: CursorWrapper, sql: str, params: Sequence, numbers: Sequence[int | None], *, generic: bool
) -> tuple[_Numbered, list]:
    pairs = list(zip(params, numbers, strict=True))
    values: dict[int, object] = {}
    for value, number in pairs:
        if number is not None:
            values.setdefault(number, value)
    if sorted(values) != list(range(1, len(values) + 1)):
        raise ValueError(f"Parameters are numbered from 1 without gaps: {sorted(values)}")
    arguments = [values[n] for n in sorted(values)]
    # Writing a search's probe in took a fifth of a millisecond (quoting, then naming by its hash):
    # the text is kept for constants of plain types, which quote the same whenever they are equal.
    constants = tuple((type(value), value) for value, number in pairs if number is None)
    key = (sql, tuple(numbers), generic, constants)
    plain = all(kind in _PLAIN for kind, _ in constants)
    statement = _WRITTEN.get(key) if plain else None
    if statement is None:
        written = [value if number is None else AsIs(f"${number}") for value, number in pairs]
        statement = _Numbered(cursor.cursor.mogrify(sql, written).decode(), len(values), generic=generic)
        if plain:
            if len(_WRITTEN) >= _WRITTEN_AT_MOST:
                _WRITTEN.clear()
            _WRITTEN[key] = statement
    return statement, arguments


_PLAIN = {int, str, bool, float, type(None)}
_WRITTEN: dict[tuple, _Numbered] = {}
_WRITTEN_AT_MOST = 1000


@contextmanager
def repeated_reads() -> Iterator[None]:
    """Within: a SELECT that this connection has sent before is prepared, its constants written in and
    each list (an array: the ids and ranks of a search's page) kept as a parameter.

    A second sighting, not the first: a statement that carries a page's cursor values, or a one-off
    filter, is seldom sent twice, and would only fill the connection's statements. These stay few:
    past `_KEPT_AT_MOST` the connection's are deallocated together, and prepared again as used."""
    if not enabled(connection):
        yield
        return
    with connection.execute_wrapper(_prepare_repeated):
        yield


def _prepare_repeated(execute, sql, params, many, context):
    cursor = context["cursor"]
    if many or params is None or not sql.startswith("SELECT"):
        return execute(sql, params, many, context)
    arrays = iter(range(1, len(params) + 1))
    numbers = [next(arrays) if isinstance(value, list) else None for value in params]
    statement, values = _numbered(cursor, sql, params, numbers, generic=False)
    prepared = _PREPARED.setdefault(cursor.db.connection, set())
    if statement.name not in prepared:
        sighted = _SIGHTED.setdefault(cursor.db.connection, set())
        if statement.name not in sighted:
            if len(sighted) >= _SIGHTED_AT_MOST:
                sighted.clear()
            sighted.add(statement.name)
            return execute(sql, params, many, context)
    [(text, arguments)] = bind_all(cursor, [(statement, values)])
    try:
        return execute(text, arguments, many, context)
    except DatabaseError as error:
        if getattr(error.__cause__, "pgcode", None) in _OUT_OF_STEP:
            cursor.db.close()
        raise


def _outside_transactions(database: BaseDatabaseWrapper) -> bool:
    """Each statement string is a transaction of its own: SET LOCAL lasts to its end."""
    return not database.in_atomic_block and database.get_autocommit()


def send(cursor: CursorWrapper, sql: str, params: Sequence | Mapping | None = None) -> None:
    """`cursor.execute` for SQL that may name prepared statements (what `bind_all` returned).

    Should the server's prepared statements and this process's record of them ever disagree (a
    statement deallocated behind Mend's back by `DISCARD ALL`, a pooler that switched sessions), the
    statement fails: the connection is then closed, so the next request starts on a new one and
    prepares again, instead of every later request failing the same way."""
    try:
        cursor.execute(sql, params)
    except DatabaseError as error:
        if getattr(error.__cause__, "pgcode", None) in _OUT_OF_STEP:
            cursor.db.close()
        raise


def bind_all(
    cursor: CursorWrapper, statements: Iterable[tuple[Statement, Sequence | Mapping]]
) -> list[tuple[str, Sequence | Mapping]]:
    """SQL and parameters to send on `cursor` for each statement and its values: `EXECUTE name(...)`
    on PostgreSQL, after preparing together the statements its connection lacks; the statement
    itself elsewhere, or when prepared statements are off. The cursor is open, so its connection is
    the one they will run on (a failed health check reconnects when a cursor opens)."""
    statements = list(statements)
    if not enabled(cursor.db):
        return [(statement.sql, params) for statement, params in statements]
    prepared = _PREPARED.setdefault(cursor.db.connection, set())
    missing = {statement.name: statement for statement, _ in statements if statement.name not in prepared}
    if missing:
        prepares = [statement._prepare for statement in missing.values()]
        if len(prepared) + len(missing) > _KEPT_AT_MOST:
            # Every statement of the connection goes; those still in use are prepared again as used.
            prepared.clear()
            missing = {statement.name: statement for statement, _ in statements}
            prepares = ["DEALLOCATE ALL", *(statement._prepare for statement in missing.values())]
        send(cursor, ";\n".join(prepares))
        prepared.update(missing)
    return [(statement._execute, statement._arguments(params)) for statement, params in statements]


def enabled(database: BaseDatabaseWrapper) -> bool:
    return database.vendor == "postgresql" and settings.DATABASE_PREPARED_STATEMENTS


# A statement prepared twice, or run by a name the server does not know; or one whose columns a
# migration changed while the connection held it ("cached plan must not change result type").
_OUT_OF_STEP = {
    errorcodes.DUPLICATE_PREPARED_STATEMENT,
    errorcodes.INVALID_SQL_STATEMENT_NAME,
    errorcodes.FEATURE_NOT_SUPPORTED,
}

# A generic plan chosen by cost would run in parallel workers: starting them takes longer than a
# probe does (17 ms against 1.1 for a name at 1M cases).
_GENERIC = "SET LOCAL plan_cache_mode = force_generic_plan; SET LOCAL max_parallel_workers_per_gather = 0;\n"

# A connection's prepared statements, at most (intake's, the token's, and the reads' shapes: a queue
# page per filter and order). Each holds its plan in the server session's memory.
_KEPT_AT_MOST = 100
# Names of statements seen once by `repeated_reads`, at most, per connection.
_SIGHTED_AT_MOST = 500

# psycopg2 connection -> names of the statements prepared on it. Keyed weakly by the driver's own
# connection object, so a reconnect (a new object) starts empty and a closed one is forgotten.
_PREPARED: "weakref.WeakKeyDictionary[object, set[str]]" = weakref.WeakKeyDictionary()
# psycopg2 connection -> names of the reads `repeated_reads` saw once on it and did not prepare.
_SIGHTED: "weakref.WeakKeyDictionary[object, set[str]]" = weakref.WeakKeyDictionary()
