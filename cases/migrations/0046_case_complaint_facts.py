"""A case's facts of its complaint (`cases.metrics.facts.COMPLAINT_FACTS`), and their backfill: one
UPDATE from the originating feedback, on the historical models."""

from django.db import migrations, models


def backfill(apps, schema_editor):
    from cases.metrics import facts

    facts.refresh_complaints(
        models=(apps.get_model("cases", "RecoveryCase"), apps.get_model("feedback", "Feedback"))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0045_root_cause_reopened_notice"),
    ]

    operations = [
        migrations.AddField(
            model_name="recoverycase",
            name="opening_rating",
            field=models.PositiveSmallIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="recoverycase",
            name="touchpoint",
            field=models.CharField(blank=True, default="", editable=False, max_length=80),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
