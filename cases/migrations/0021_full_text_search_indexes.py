"""Full-text GIN indexes for the queue's `q` (`cases.search`), in place of 0010's trigram indexes.

PostgreSQL only (SQLite scans, which is fine there). Each index is built from the very expression
`cases.search` queries with, so the planner can match them; built CONCURRENTLY, so a large table keeps
taking intake while it builds (hence a non-atomic migration). The trigram indexes go: nothing reads
them any more, and every intake paid for their upkeep.
"""

from django.db import migrations

TRIGRAM_INDEXES = ("case_title_trgm", "customer_name_trgm", "customer_email_trgm", "feedback_comment_trgm")

# Frozen copies of the expressions `cases.search` queries with as they were written when this migration
# was (title_vector, customer_vector, comment_vector): editing that module must not change what an old
# migration builds.
INDEXES = {
    "case_title_search": "cases_recoverycase USING gin ((to_tsvector('english'::regconfig, COALESCE(\"title\", ''))))",
    "customer_search": "feedback_customer USING gin ((to_tsvector('simple'::regconfig, COALESCE(\"name\", '')"
    " || ' ' || COALESCE(translate(\"email\", '@.', '  '), ''))))",
    "feedback_comment_search": "feedback_feedback USING gin"
    " ((to_tsvector('english'::regconfig, COALESCE(\"comment\", ''))))",
}
# 0010's trigram indexes, for going back (frozen here too).
TRIGRAM_TARGETS = {
    "case_title_trgm": "cases_recoverycase USING gin (upper(title::text) gin_trgm_ops)",
    "customer_name_trgm": "feedback_customer USING gin (upper(name::text) gin_trgm_ops)",
    "customer_email_trgm": "feedback_customer USING gin (upper(email::text) gin_trgm_ops)",
    "feedback_comment_trgm": "feedback_feedback USING gin (upper(comment) gin_trgm_ops)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, target in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {target}")
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
    for name, target in TRIGRAM_TARGETS.items():
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {target}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("cases", "0019_idempotent_request"),
        ("feedback", "0002_feedback_response_case"),
    ]

    operations = [migrations.RunPython(create, drop)]
