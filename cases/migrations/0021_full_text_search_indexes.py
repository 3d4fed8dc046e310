"""Full-text GIN indexes for the queue's `q` (`cases.search`), in place of 0010's trigram indexes.

PostgreSQL only (SQLite scans, which is fine there). Each index is built from the very expression
`cases.search` queries with, so the planner can match them; built CONCURRENTLY, so a large table keeps
taking intake while it builds (hence a non-atomic migration). The trigram indexes go: nothing reads
them any more, and every intake paid for their upkeep.
"""

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations

TRIGRAM_INDEXES = ("case_title_trgm", "customer_name_trgm", "customer_email_trgm", "feedback_comment_trgm")


def _indexes(apps):
    from cases import search

    return [
        (apps.get_model("cases", "RecoveryCase"), GinIndex(search.title_vector(), name="case_title_search")),
        (apps.get_model("feedback", "Customer"), GinIndex(search.customer_vector(), name="customer_search")),
        (
            apps.get_model("feedback", "Feedback"),
            GinIndex(search.comment_vector(), name="feedback_comment_search"),
        ),
    ]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model, index in _indexes(apps):
        sql = str(index.create_sql(model, schema_editor))
        schema_editor.execute(sql.replace("CREATE INDEX", "CREATE INDEX CONCURRENTLY IF NOT EXISTS", 1))
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _model, index in _indexes(apps):
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {index.name}")
    trigram = __import__("cases.migrations.0010_search_trigram_indexes", fromlist=["INDEXES"]).INDEXES
    for name, target in trigram.items():
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {target}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('cases', '0019_idempotent_request'),
        ("feedback", "0002_feedback_response_case"),
    ]

    operations = [migrations.RunPython(create, drop)]
