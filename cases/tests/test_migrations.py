"""Migrations that move data: what a running installation had is still there afterwards."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE_ALARMS = [("cases", "0012_drop_redundant_event_and_alert_indexes")]
WITH_ALARMS = [("cases", "0013_sla_alarm_table")]
MOMENT = datetime(2026, 11, 20, 10, 45, tzinfo=UTC)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_each_pending_alert_moment_becomes_an_alarm_row_and_back():
    apps = migrate(BEFORE_ALARMS)
    customer = apps.get_model("feedback", "Customer").objects.create(external_id="C-1")
    cases = apps.get_model("cases", "RecoveryCase").objects
    pending = cases.create(customer=customer, title="Late", sla_started_at=MOMENT, sla_next_alert_at=MOMENT)
    quiet = cases.create(customer=customer, title="Done", sla_started_at=MOMENT, stage="closed")

    try:
        apps = migrate(WITH_ALARMS)
        alarms = apps.get_model("cases", "SLAAlarm").objects
        assert list(alarms.values_list("case_id", "rings_at")) == [(pending.pk, MOMENT)]

        apps = migrate(BEFORE_ALARMS)
        moments = apps.get_model("cases", "RecoveryCase").objects.values_list("pk", "sla_next_alert_at")
        assert dict(moments) == {pending.pk: MOMENT, quiet.pk: None}
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_case_table_leaves_room_on_its_pages_for_in_place_updates():
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'cases_recoverycase'")
        assert cursor.fetchone()[0] == ["fillfactor=90"]
