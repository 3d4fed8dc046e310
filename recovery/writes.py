"""INSERTs of a transaction sent together: one round trip for rows whose ids are already known.

Intake writes a case, its SLA alarm, its `created` event and the feedback: four rows, once four round
trips of a few hundred microseconds each, most of a request's database time. The ids come first (the
customer upsert reserves them), foreign keys are checked at commit (Django makes them DEFERRABLE
INITIALLY DEFERRED), so nothing depends on the order of the rows and they can travel as one string
of statements. psycopg2 binds parameters on the client, so PostgreSQL receives them as one simple
query; other databases (SQLite in `make test`) get one statement at a time.

Each row is prepared by Django's own INSERT compiler (`auto_now_add`, defaults, adaptation), exactly
as `save(force_insert=True)` would; only the sending differs. Nothing comes back: a row without a
primary key gets its id from the database and the instance never learns it.
"""

from django.db import connection, models
from django.db.models.sql import InsertQuery


class Writes:
    """Rows to INSERT, in order, when `send()` runs. The caller's transaction must be open."""

    def __init__(self) -> None:
        self._statements: list[tuple[str, tuple]] = []

    def insert(self, instance: models.Model) -> models.Model:
        """Queue `instance`'s INSERT. Its foreign keys may name rows queued here or written earlier."""
        query = InsertQuery(type(instance))
        with_pk = instance.pk is not None
        fields = [field for field in instance._meta.local_concrete_fields if with_pk or not field.primary_key]
        query.insert_values(fields, [instance])
        self._statements += query.get_compiler(connection=connection).as_sql()
        instance._state.adding, instance._state.db = False, connection.alias
        return instance

    def send(self) -> None:
        statements, self._statements = self._statements, []
        if not statements:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    ";\n".join(sql for sql, _ in statements), [p for _, ps in statements for p in ps]
                )
                return
            for sql, params in statements:
                cursor.execute(sql, params)
