"""recovery.writes: queued INSERTs land as `save(force_insert=True)` would write them, in one round trip
on PostgreSQL, and a failing row takes the whole batch with it."""

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, connection, transaction

from cases.models import CaseEvent, RecoveryCase, SLAAlarm
from cases.tests.factories import RecoveryCaseFactory
from feedback.tests.factories import CustomerFactory
from recovery.writes import Writes

pytestmark = pytest.mark.django_db(transaction=True)

MOMENT = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def _reserve_case_id() -> int:
    if connection.vendor != "postgresql":
        return (RecoveryCase.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('cases_recoverycase', 'id'))")
        return cursor.fetchone()[0]


def _queue_a_case_its_alarm_and_its_event(writes: Writes, customer) -> RecoveryCase:
    case = RecoveryCase(
        pk=_reserve_case_id(),
        customer=customer,
        title='Broken "kettle" 100%',
        severity="high",
        sla_started_at=MOMENT,
    )
    writes.insert(case)
    writes.insert(SLAAlarm(case_id=case.pk, rings_at=MOMENT))
    writes.insert(CaseEvent(case=case, kind=CaseEvent.Kind.CREATED, message="it's 50% off?", data={"a": [1]}))
    return case


def test_rows_queued_with_their_ids_land_together_with_defaults_filled_in(django_assert_max_num_queries):
    customer = CustomerFactory()
    with transaction.atomic():  # the first batch on a connection also prepares its statements there
        writes = Writes()
        _queue_a_case_its_alarm_and_its_event(writes, customer)
        writes.send()
    writes = Writes()
    with transaction.atomic():
        case = _queue_a_case_its_alarm_and_its_event(writes, customer)
        with django_assert_max_num_queries(1 if connection.vendor == "postgresql" else 3):
            writes.send()

    stored = RecoveryCase.objects.get(pk=case.pk)
    assert (stored.title, stored.stage, stored.created_at is not None) == (
        'Broken "kettle" 100%',
        "new",
        True,
    )
    assert SLAAlarm.objects.get(case_id=case.pk).rings_at == MOMENT
    event = CaseEvent.objects.get(case_id=case.pk)
    assert (event.message, event.data, event.created_at is not None) == ("it's 50% off?", {"a": [1]}, True)
    assert not case._state.adding


def test_a_row_the_database_refuses_leaves_none_of_the_batch_stored():
    taken = RecoveryCaseFactory()
    fresh = RecoveryCase(
        pk=_reserve_case_id(), customer=taken.customer, title="New", severity="low", sla_started_at=MOMENT
    )
    writes = Writes()
    writes.insert(fresh)
    writes.insert(SLAAlarm(case_id=fresh.pk, rings_at=MOMENT))
    writes.insert(SLAAlarm(case_id=fresh.pk, rings_at=MOMENT))  # the same case twice: a duplicate key

    with pytest.raises(IntegrityError), transaction.atomic():
        writes.send()

    assert not RecoveryCase.objects.filter(pk=fresh.pk).exists()
    assert not SLAAlarm.objects.filter(case_id=fresh.pk).exists()


def test_sending_nothing_touches_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        Writes().send()


def test_a_statement_compiled_for_one_row_carries_the_next_rows_own_values_and_defaults():
    customer = CustomerFactory()
    # Three ids: PostgreSQL's sequence gives three; elsewhere the helper's guess is spread by hand.
    ids = [_reserve_case_id() + (0 if connection.vendor == "postgresql" else n) for n in range(3)]
    first, second = (
        RecoveryCase(pk=pk, customer=customer, title=title, severity=severity, sla_started_at=MOMENT)
        for pk, title, severity in ((ids[0], "First", "low"), (ids[1], "Second", "critical"))
    )
    second.hold_reason = "Waiting on the courier"  # a column with a database default, given this time
    writes = Writes()
    with transaction.atomic():
        writes.insert(first)
        writes.insert(second)
        writes.insert(RecoveryCase(pk=ids[2], customer=customer, title="Third", sla_started_at=MOMENT))
        writes.send()

    stored = {case.title: case for case in RecoveryCase.objects.filter(customer=customer)}
    assert (stored["First"].severity, stored["First"].hold_reason) == ("low", "")
    assert (stored["Second"].severity, stored["Second"].hold_reason) == ("critical", "Waiting on the courier")
    assert (stored["Third"].severity, stored["Third"].hold_reason) == ("medium", "")
    assert all(case.created_at for case in stored.values())  # auto_now_add, through the reused statement
