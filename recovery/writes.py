"""INSERTs of a transaction sent together: one round trip for rows whose ids are already known.

Intake writes a case, its SLA alarm, its `created` event and the feedback: four rows, once four round
trips of a few hundred microseconds each, most of a request's database time. The ids come first (the
customer upsert reserves them), foreign keys are checked at commit (Django makes them DEFERRABLE
INITIALLY DEFERRED), so nothing depends on the order of the rows and they can travel as one string
of statements. psycopg2 binds parameters on the client, so PostgreSQL receives them as one simple
query; other databases (SQLite in `make test`) get one statement at a time.

Each row is prepared by Django's own INSERT compiler (`auto_now_add`, defaults, adaptation), exactly
as `save(force_insert=True)` would; only the sending differs, and the statement's text, which is
compiled once per model and shape and prepared once per connection. Nothing comes back: a row without a
primary key gets its id from the database and the instance never learns it.
"""

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models.sql import InsertQuery

from recovery import prepared, transactions


class Writes:
    """Rows to INSERT, in order, when `send()` runs. The caller's transaction must be open."""

    def __init__(self) -> None:
        self._statements: list[tuple[prepared.Statement | str, tuple]] = []

    def insert(self, instance: models.Model) -> models.Model:
        """Queue `instance`'s INSERT. Its foreign keys may name rows queued here or written earlier."""
        model = type(instance)
        with_pk = instance.pk is not None
        fields = [field for field in model._meta.local_concrete_fields if with_pk or not field.primary_key]
        query = InsertQuery(model)
        query.insert_values(fields, [instance])
        # The connection itself, not `django.db.connection`: the compiler reads it once per value, and
        # each read through that proxy looks the connection up again (60 lookups a post).
        database = connections[DEFAULT_DB_ALIAS]
        compiler = query.get_compiler(connection=database)
        # As the compiler's own as_sql() prepares them: pre_save (auto_now_add), then adaptation.
        values = [compiler.prepare_value(field, compiler.pre_save_val(field, instance)) for field in fields]
        expressions = tuple(hasattr(value, "as_sql") for value in values)
        shape = (database.vendor, model, with_pk, expressions)
        statement: prepared.Statement | str | None = _statements.get(shape)
        if statement is None:
            statement, params = _statement(compiler, model, fields, values)
            # A plain value is one %s; an expression (a column's DEFAULT) is SQL of its own. The shape
            # says which is which, so the statement is reusable unless an expression took parameters.
            plain = not any(hasattr(field, "get_placeholder") for field in fields)
            if plain and len(params) == expressions.count(False):
                statement = _statements[shape] = prepared.Statement(statement)
        else:
            params = tuple(value for value, is_sql in zip(values, expressions, strict=True) if not is_sql)
        self._statements.append((statement, params))
        instance._state.adding, instance._state.db = False, database.alias
        return instance

    def send(self, *, commit: bool = False) -> None:
        """Send the queued rows. `commit`: they are the last writes of a transaction carried by
        `recovery.transactions.carried()`, whose COMMIT can travel with them."""
        statements, self._statements = self._statements, []
        if not statements:
            return
        with connection.cursor() as cursor:
            reused = [(statement, ps) for statement, ps in statements if not isinstance(statement, str)]
            bound = iter(prepared.bind_all(cursor, reused))
            # A statement made for one row only (an expression took parameters) goes as text.
            sent = [(s, ps) if isinstance(s, str) else next(bound) for s, ps in statements]
            if connection.vendor == "postgresql":
                if commit:  # after bind_all: its PREPAREs must not carry the COMMIT
                    transactions.commit_with_next_statement()
                prepared.send(cursor, ";\n".join(sql for sql, _ in sent), [p for _, ps in sent for p in ps])
                return
            for sql, params in sent:
                cursor.execute(sql, params)


# (vendor, model, with a primary key, which values are expressions) -> the INSERT statement. Compiling
# it was a sixth of an intake request's time; only its parameters change from one row to the next, so
# PostgreSQL prepares it once per connection too (`recovery.prepared`).
_statements: dict[tuple, prepared.Statement] = {}


def _statement(compiler, model: type[models.Model], fields: list, values: list) -> tuple[str, tuple]:
    quote = connection.ops.quote_name
    [placeholders], [params] = compiler.assemble_as_sql(fields, [values])
    columns = ", ".join(quote(field.column) for field in fields)
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({', '.join(placeholders)})"
    return sql, tuple(params)
