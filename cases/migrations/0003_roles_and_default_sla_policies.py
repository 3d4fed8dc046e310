from datetime import timedelta

from django.db import migrations

ROLES = ("agents", "managers", "intake")
# (acknowledge, apologize, resolve); follow-up 3 days after resolving; warn at 75 %.
DEFAULT_TARGETS = {
    "critical": (timedelta(minutes=15), timedelta(minutes=30), timedelta(hours=4)),
    "high": (timedelta(hours=1), timedelta(hours=2), timedelta(hours=24)),
    "medium": (timedelta(hours=4), timedelta(hours=8), timedelta(hours=72)),
    "low": (timedelta(hours=24), timedelta(hours=48), timedelta(days=7)),
}


def create_roles_and_policies(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    SLAPolicy = apps.get_model("cases", "SLAPolicy")
    for name in ROLES:
        Group.objects.get_or_create(name=name)
    for severity, (acknowledge, apologize, resolve) in DEFAULT_TARGETS.items():
        SLAPolicy.objects.get_or_create(
            severity=severity,
            defaults={
                "acknowledge_within": acknowledge,
                "apologize_within": apologize,
                "resolve_within": resolve,
                "follow_up_after": timedelta(days=3),
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("cases", "0002_initial"),
    ]

    operations = [migrations.RunPython(create_roles_and_policies, migrations.RunPython.noop)]
