"""A case's first-contact facts (`RecoveryCase.reassigned`, `resolved_by`), and their backfill:
one UPDATE from each case's timeline, on the historical models."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def backfill(apps, schema_editor):
    from cases.metrics import facts

    facts.refresh_first_contact(
        models=(apps.get_model("cases", "RecoveryCase"), apps.get_model("cases", "CaseEvent"))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0046_case_complaint_facts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="recoverycase",
            name="reassigned",
            field=models.BooleanField(db_default=False, default=False, editable=False),
        ),
        migrations.AddField(
            model_name="recoverycase",
            name="resolved_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
