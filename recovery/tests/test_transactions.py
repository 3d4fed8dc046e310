"""recovery.transactions: a carried transaction is one transaction (all or nothing, `on_commit` after
the commit), though its BEGIN travels with its first statement and its COMMIT with its last."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.transaction import TransactionManagementError

from conftest import from_another_session
from feedback.models import Customer
from recovery import transactions
from recovery.writes import Writes

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _seen_from_another_session(external_id: str) -> bool:
    """Whether a second client of the server sees the customer: only once it is committed."""
    [seen] = from_another_session(
        "SELECT EXISTS (SELECT FROM feedback_customer WHERE external_id = %s)", external_id
    )
    return seen


def _in_transaction_on_the_server() -> bool:
    from psycopg2.extensions import TRANSACTION_STATUS_INTRANS

    return connection.connection.info.transaction_status == TRANSACTION_STATUS_INTRANS


def test_the_first_statement_opens_the_transaction_and_the_end_commits_it():
    committed = []
    with transactions.carried():
        transaction.on_commit(lambda: committed.append(_seen_from_another_session("C-1")))
        assert not _in_transaction_on_the_server()  # nothing sent yet: no BEGIN of its own
        Customer.objects.create(external_id="C-1")
        assert _in_transaction_on_the_server()
        assert not _seen_from_another_session("C-1")
    assert _seen_from_another_session("C-1")
    assert committed == [True]  # on_commit ran after the commit, not before
    assert connection.get_autocommit()


def test_the_commit_travels_with_the_writes_sent_last():
    with transactions.carried():
        Customer.objects.create(external_id="C-1")
        writes = Writes()
        writes.insert(Customer(external_id="C-2"))
        writes.send(commit=True)
        # Still inside the block, and both rows are already committed.
        assert not _in_transaction_on_the_server()
        assert _seen_from_another_session("C-1")
        assert _seen_from_another_session("C-2")
        with pytest.raises(TransactionManagementError, match="committed with its last statement"):
            Customer.objects.create(external_id="C-3")
    assert Customer.objects.filter(external_id__in=["C-1", "C-2"]).count() == 2


def test_one_round_trip_can_begin_and_commit_a_transaction():
    with transactions.carried():
        writes = Writes()
        writes.insert(Customer(external_id="C-1"))
        writes.insert(Customer(external_id="C-2"))
        writes.send(commit=True)
        assert _seen_from_another_session("C-2")


def test_an_error_rolls_back_every_statement_and_leaves_the_connection_usable():
    Customer.objects.create(external_id="C-taken")
    with pytest.raises(IntegrityError), transactions.carried():
        Customer.objects.create(external_id="C-1")
        writes = Writes()
        writes.insert(Customer(external_id="C-2"))
        writes.insert(Customer(external_id="C-taken"))  # the unique external_id refuses it
        writes.send(commit=True)
    assert not _in_transaction_on_the_server()
    assert list(Customer.objects.values_list("external_id", flat=True)) == ["C-taken"]


def test_an_exception_of_the_caller_rolls_back():
    with pytest.raises(LookupError), transactions.carried():
        Customer.objects.create(external_id="C-1")
        raise LookupError
    assert not Customer.objects.exists()
    assert connection.get_autocommit()


def test_set_rollback_rolls_back_without_an_exception():
    with transactions.carried():
        Customer.objects.create(external_id="C-1")
        transaction.set_rollback(True)
    assert not Customer.objects.exists()


def test_a_savepoint_inside_still_undoes_only_its_own_writes():
    with transactions.carried():
        Customer.objects.create(external_id="C-1")
        with pytest.raises(IntegrityError), transaction.atomic():
            Customer.objects.create(external_id="C-1")
        Customer.objects.create(external_id="C-2")
    assert sorted(Customer.objects.values_list("external_id", flat=True)) == ["C-1", "C-2"]


def test_writes_sent_last_inside_an_inner_atomic_block_leave_the_commit_to_the_end():
    with transactions.carried():
        Customer.objects.create(external_id="C-1")
        with transaction.atomic():
            writes = Writes()
            writes.insert(Customer(external_id="C-2"))
            writes.send(commit=True)
        assert not _seen_from_another_session("C-2")
        Customer.objects.create(external_id="C-3")
    assert sorted(Customer.objects.values_list("external_id", flat=True)) == ["C-1", "C-2", "C-3"]


def test_inside_an_open_transaction_it_is_a_savepoint_of_that_transaction():
    with pytest.raises(LookupError), transaction.atomic():
        with transactions.carried():
            Customer.objects.create(external_id="C-1")
        assert _in_transaction_on_the_server()
        assert not _seen_from_another_session("C-1")
        raise LookupError
    assert not Customer.objects.exists()


def test_a_block_that_sends_nothing_sends_no_commit():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    with transactions.carried():
        pass
    assert from_another_session("SELECT query FROM pg_stat_activity WHERE pid = %s", pid) == (
        "SELECT pg_backend_pid()",
    )


def test_an_executemany_first_begins_the_transaction_on_its_own():
    insert = (
        "INSERT INTO feedback_customer (external_id, name, email, phone, segment, created_at, updated_at)"
        " VALUES (%s, '', '', '', '', now(), now())"
    )
    with pytest.raises(LookupError), transactions.carried():
        with connection.cursor() as cursor:
            cursor.executemany(insert, [("C-1",), ("C-2",)])
        assert _in_transaction_on_the_server()
        raise LookupError
    assert not Customer.objects.exists()
