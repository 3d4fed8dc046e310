"""Customers are searched by the starts of their words (`cases.search.customer_word_starts`).

The index expressions are frozen copies of that module's as it was: editing it must not change what an old
migration builds.

`mark` typed in the queue's `q` used to be a prefix scan of the customer index (0021): PostgreSQL merged
the rows of every term that starts with it (mark, markus, markb, ...), thousands of customers, to find
the fifteen that also match `nguyen`: 1.2 ms of a 2 ms search at 1M cases. Indexed by every start of
every word, `mark` is one term and the intersection skips through it: 0.2 ms. The index is larger (38 MB
against 24 MB for 333,000 customers); the old one goes, since nothing reads it any more.

PostgreSQL only. Built CONCURRENTLY, so intake keeps writing customers while it builds.
"""

from django.db import migrations

# Each lexeme of a tsvector replaced by all of its starts, one character and up (`j`, `je`, `jen`, ...).
# Schema-qualified, as an index expression must not depend on the search_path of whoever writes a row.
WORD_STARTS = """
CREATE OR REPLACE FUNCTION mend_word_starts(words tsvector) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT COALESCE(pg_catalog.array_to_tsvector(pg_catalog.array_agg(DISTINCT pg_catalog.left(word, n))),
                    ''::pg_catalog.tsvector)
    FROM pg_catalog.unnest(pg_catalog.tsvector_to_array(words)) AS word,
         pg_catalog.generate_series(1, pg_catalog.length(word)) AS n
$$
"""
PENDING_LIST_KB = 128  # as 0023 set for the other search indexes


_CUSTOMER_WORDS = "to_tsvector('simple'::regconfig, COALESCE(\"name\", '') || ' ' || COALESCE(translate(\"email\", '@.', '  '), ''))"
NEW = ("customer_word_starts", f"feedback_customer USING gin ((mend_word_starts({_CUSTOMER_WORDS})))")
OLD = ("customer_search", f"feedback_customer USING gin (({_CUSTOMER_WORDS}))")


def _create(index, schema_editor):
    name, target = index
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {target} WITH (gin_pending_list_limit = {PENDING_LIST_KB})"
    )


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(WORD_STARTS)
    _create(NEW, schema_editor)
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {OLD[0]}")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    _create(OLD, schema_editor)
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NEW[0]}")
    schema_editor.execute("DROP FUNCTION IF EXISTS mend_word_starts(tsvector)")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("cases", "0023_search_index_pending_lists")]

    operations = [migrations.RunPython(forward, backward)]
