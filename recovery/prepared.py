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

A pooler that runs one client connection's statements on several server sessions (PgBouncer in
transaction mode) would lose them: `DATABASE_PREPARED_STATEMENTS=0` turns this off, and every
statement is then sent as text.
"""

import hashlib
import re
import weakref
from collections.abc import Iterable, Mapping, Sequence

from django.conf import settings
from django.db import DatabaseError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from psycopg2 import errorcodes

# psycopg2's placeholders: %s, %(name)s, and %% for a literal percent sign.
_PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?s|%%")


class Statement:
    """One SQL statement in psycopg2's placeholder style, either all positional (`%s`) or all named
    (`%(name)s`, a name may repeat). Run it with `execute`, or several together with `bind_all`."""

    def __init__(self, sql: str) -> None:
        self.sql = sql
        self.name = "mend_" + hashlib.sha1(sql.encode()).hexdigest()[:24]
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


def execute(cursor: CursorWrapper, statement: Statement, params: Sequence | Mapping) -> None:
    """Run `statement` with `params` on `cursor`: by name on PostgreSQL, as text elsewhere."""
    [(sql, arguments)] = bind_all(cursor, [(statement, params)])
    send(cursor, sql, arguments)


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
        send(cursor, ";\n".join(statement._prepare for statement in missing.values()))
        prepared.update(missing)
    return [(statement._execute, statement._arguments(params)) for statement, params in statements]


def enabled(database: BaseDatabaseWrapper) -> bool:
    return database.vendor == "postgresql" and settings.DATABASE_PREPARED_STATEMENTS


# A statement prepared twice, or run by a name the server does not know.
_OUT_OF_STEP = {errorcodes.DUPLICATE_PREPARED_STATEMENT, errorcodes.INVALID_SQL_STATEMENT_NAME}

# psycopg2 connection -> names of the statements prepared on it. Keyed weakly by the driver's own
# connection object, so a reconnect (a new object) starts empty and a closed one is forgotten.
_PREPARED: "weakref.WeakKeyDictionary[object, set[str]]" = weakref.WeakKeyDictionary()
