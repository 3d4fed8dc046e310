"""Facts of survey answers for the dashboard (`cases.metrics.facts`), and their backfill.

The backfill runs the same `facts.refresh` the services call, over every answer, on the historical
models: one UPDATE (about a minute at a million cases, bench/dashboard).
"""

import django.db.models.deletion
from django.db import migrations, models


def backfill(apps, schema_editor):
    from cases.metrics import facts

    facts.refresh(models=(apps.get_model("cases", "FollowUp"), apps.get_model("feedback", "Feedback")))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0040_presence_notices"),
        ("feedback", "0011_widget_keys"),
    ]

    operations = [
        migrations.AddField(
            model_name="followup",
            name="later_feedback",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="feedback.feedback",
            ),
        ),
        migrations.AddField(
            model_name="followup",
            name="later_rating",
            field=models.PositiveSmallIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="followup",
            name="later_rating_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="followup",
            name="next_answer_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
