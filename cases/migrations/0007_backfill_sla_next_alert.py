from django.db import migrations
from django.db.models import F


def backfill(apps, schema_editor):
    # Cases opened before the sweep existed have no next alert moment and would never be swept. Their
    # warning moment is a safe lower bound: the sweep looks, sends what has passed, and moves it on.
    RecoveryCase = apps.get_model("cases", "RecoveryCase")
    RecoveryCase.objects.exclude(stage="closed").filter(
        sla_next_alert_at__isnull=True, sla_warn_at__isnull=False, on_hold_since__isnull=True
    ).update(sla_next_alert_at=F("sla_warn_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_sla_business_hours_hold_and_alerts"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
