"""A transaction with no round trips of its own: BEGIN travels with its first statement, COMMIT with
its last.

psycopg2 sends BEGIN by itself before a transaction's first statement, and COMMIT by itself at the
end: two of the five round trips an intake post made to PostgreSQL, each about 0.15 ms on one
connection (client, network and server). In `carried()`, Django's atomic block works as it always
does (savepoints, `on_commit`, rollback on an error or after `set_rollback`); only the driver is left
out of it. PostgreSQL receives `BEGIN;` in front of the first statement, and COMMIT after the statement
that a caller names as the last one (`commit_with_next_statement`, `Writes.send(commit=True)`), or on
its own at the end when no statement carried it. An error sends ROLLBACK.

Elsewhere (SQLite), and inside a transaction already open, `carried()` is `transaction.atomic()`.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.transaction import TransactionManagementError


@contextmanager
def carried() -> Iterator[None]:
    """`transaction.atomic()` whose BEGIN and COMMIT ride on its statements (see the module)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        with transaction.atomic():
            yield
        return
    with transaction.atomic():
        driver = connection.connection  # atomic() connected
        # In autocommit, psycopg2 sends no BEGIN, COMMIT or ROLLBACK of its own; Django, which still
        # believes autocommit off, keeps running the atomic block (its commit is then a no-op).
        driver.autocommit = True
        carrier = _Carrier(depth=len(connection.atomic_blocks))
        try:
            with connection.execute_wrapper(carrier):
                yield
            carrier.end("ROLLBACK" if connection.needs_rollback else "COMMIT")
        except BaseException:
            carrier.end("ROLLBACK")
            raise
        finally:
            if not driver.closed:
                driver.autocommit = False


def commit_with_next_statement() -> bool:
    """Have the open carried transaction send COMMIT right after the next statement, as part of it.
    False when no carried transaction is open, or an atomic block inside it is (the transaction then
    commits as usual, at the end of its block).

    Only for a caller's last statement: a statement after it would run outside the transaction, and
    is refused."""
    for wrapper in connection.execute_wrappers:
        if isinstance(wrapper, _Carrier) and wrapper.depth == len(connection.atomic_blocks):
            wrapper.commit_next = True
            return True
    return False


class _Carrier:
    """The execute wrapper of a carried transaction: puts BEGIN in front of its first statement and,
    when asked, COMMIT after the next one."""

    def __init__(self, *, depth: int) -> None:
        self.depth = depth  # Django's atomic blocks open, its own included: a deeper one holds a savepoint
        self.begun = self.ended = self.commit_next = False

    def __call__(self, execute, sql, params, many, context):
        if self.ended:
            raise TransactionManagementError("This transaction was committed with its last statement.")
        if not self.begun:
            if many:  # each row of executemany() would begin again: BEGIN goes first, on its own
                context["cursor"].cursor.execute("BEGIN")
            else:
                sql = f"BEGIN;\n{sql}"
            self.begun = True
        committing = self.commit_next and not many
        if committing:
            sql = f"{sql};\nCOMMIT"
        result = execute(sql, params, many, context)
        self.ended = committing
        return result

    def end(self, command: str) -> None:
        """COMMIT or ROLLBACK, unless the transaction has not begun or a statement ended it. A ROLLBACK
        that cannot reach the server is dropped: the server rolls back what a lost session left."""
        if not self.begun or (self.ended and command == "COMMIT"):
            return
        self.ended = True
        driver = connection.connection
        if driver is None or driver.closed:
            return
        try:
            with connection.wrap_database_errors, driver.cursor() as cursor:
                cursor.execute(command)
        except Exception:
            if command == "COMMIT":
                raise
