"""The full-text indexes of `q` (0021) keep a short pending list.

A GIN index takes new rows into an unsorted pending list and merges them into its tree later, and
every search reads the whole list: with PostgreSQL's default limit of 4 MB, a search at 1M cases spent
most of its time there (the comment index: 4.5 ms for 378 pending pages, 0.02 ms once merged). At 128 kB
a search reads a few pages at most, and intake still merges in batches rather than one row at a time.
PostgreSQL only, like the indexes.
"""

from django.db import migrations

INDEXES = ("case_title_search", "customer_search", "feedback_comment_search")
PENDING_LIST_KB = 128


def shorten(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"ALTER INDEX {name} SET (gin_pending_list_limit = {PENDING_LIST_KB})")
        schema_editor.execute(f"SELECT gin_clean_pending_list('{name}'::regclass)")


def restore(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"ALTER INDEX {name} RESET (gin_pending_list_limit)")


class Migration(migrations.Migration):
    dependencies = [("cases", "0022_time_to_stage_in_sla_time")]

    operations = [migrations.RunPython(shorten, restore)]
