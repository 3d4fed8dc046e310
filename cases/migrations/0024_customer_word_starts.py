"""Customers are searched by the starts of their words (`cases.search.customer_word_starts`).

`mark` typed in the queue's `q` used to be a prefix scan of the customer index (0021): PostgreSQL merged
the rows of every term that starts with it (mark, markus, markb, ...), thousands of customers, to find
the fifteen that also match `nguyen`: 1.2 ms of a 2 ms search at 1M cases. Indexed by every start of
every word, `mark` is one term and the intersection skips through it: 0.2 ms. The index is larger (38 MB
against 24 MB for 333,000 customers); the old one goes, since nothing reads it any more.

PostgreSQL only. Built CONCURRENTLY, so intake keeps writing customers while it builds.
"""

from django.contrib.postgres.indexes import GinIndex
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


def _indexes(apps):
    from cases import search

    customer = apps.get_model("feedback", "Customer")
    new = GinIndex(search.customer_word_starts(), name="customer_word_starts")
    old = GinIndex(search.customer_vector(), name="customer_search")
    return customer, new, old


def _create(index, model, schema_editor):
    sql = str(index.create_sql(model, schema_editor))
    sql = sql.replace("CREATE INDEX", "CREATE INDEX CONCURRENTLY IF NOT EXISTS", 1)
    schema_editor.execute(f"{sql} WITH (gin_pending_list_limit = {PENDING_LIST_KB})")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    customer, new, old = _indexes(apps)
    schema_editor.execute(WORD_STARTS)
    _create(new, customer, schema_editor)
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {old.name}")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    customer, new, old = _indexes(apps)
    _create(old, customer, schema_editor)
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {new.name}")
    schema_editor.execute("DROP FUNCTION IF EXISTS mend_word_starts(tsvector)")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("cases", "0023_search_index_pending_lists")]

    operations = [migrations.RunPython(forward, backward)]
