"""Agents and managers work cases in the back office (the Django admin), so their roles carry the
admin permissions that work needs, and their members are staff. Stage actions need no permission of
their own there: the workflow checks the role and who owns the case, as it does for the API.

Agents: open cases by hand and edit their details; read customers, feedback, timelines, gestures,
follow-ups, root causes, SLA policies and calendars. Managers: that, plus editing SLA policies and
business calendars (opening hours, holidays) and root causes, and reading the outbox and the SLA alerts.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

AGENT = (
    "cases.add_recoverycase",
    "cases.change_recoverycase",
    "cases.view_recoverycase",
    "cases.view_caseevent",
    "cases.view_gesture",
    "cases.view_followup",
    "cases.view_rootcause",
    "cases.view_slapolicy",
    "cases.view_businesscalendar",
    "cases.view_openinghours",
    "cases.view_holiday",
    "feedback.view_customer",
    "feedback.view_feedback",
)
MANAGER = AGENT + (
    "cases.add_rootcause",
    "cases.change_rootcause",
    "cases.change_slapolicy",
    "cases.add_businesscalendar",
    "cases.change_businesscalendar",
    "cases.add_openinghours",
    "cases.change_openinghours",
    "cases.delete_openinghours",
    "cases.add_holiday",
    "cases.change_holiday",
    "cases.delete_holiday",
    "cases.view_notification",
    "cases.view_slaalert",
)
BACK_OFFICE = {"agents": AGENT, "managers": MANAGER}


def grant(apps, schema_editor):
    # Permissions are normally created after the last migration; these grants need them now.
    for app_label in ("cases", "feedback"):
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True  # historical apps have none, which create_permissions skips
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    User = apps.get_model("auth", "User")
    for role, names in BACK_OFFICE.items():
        group, _ = Group.objects.get_or_create(name=role)
        for name in names:
            app_label, codename = name.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    User.objects.filter(groups__name__in=BACK_OFFICE).update(is_staff=True)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=BACK_OFFICE):
        group.permissions.clear()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("feedback", "0002_feedback_response_case"),
        ("cases", "0014_case_table_room_for_in_place_updates"),
    ]

    operations = [
        migrations.RunPython(grant, revoke),
    ]
