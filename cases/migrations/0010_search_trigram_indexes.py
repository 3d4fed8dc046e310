"""Trigram indexes for the case queue's `q` search (PostgreSQL only; SQLite scans, which is fine there).

Raw SQL, not Meta indexes: they index UPPER(column), the very expression Django's `icontains` compares,
and span the feedback app's tables that the search reads.
"""

from django.db import migrations

INDEXES = {
    "case_title_trgm": "cases_recoverycase USING gin (upper(title::text) gin_trgm_ops)",
    "customer_name_trgm": "feedback_customer USING gin (upper(name::text) gin_trgm_ops)",
    "customer_email_trgm": "feedback_customer USING gin (upper(email::text) gin_trgm_ops)",
    "feedback_comment_trgm": "feedback_feedback USING gin (upper(comment) gin_trgm_ops)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, target in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_queue_urgency_index"),
        ("feedback", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
