"""`intake.submit`: exactly once, all or nothing, and idempotent by the database's word."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import DatabaseError, connection

from cases import services
from cases.models import CaseEvent, RecoveryCase, Severity
from cases.tests.factories import RecoveryCaseFactory
from feedback import intake
from feedback.models import Customer, Feedback
from feedback.tests.factories import CustomerFactory, feedback_input
from recovery.errors import IdempotencyKeyReused, InvalidInput, NotPermitted

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)


def stored_counts() -> tuple[int, int, int, int]:
    return (
        Customer.objects.count(),
        Feedback.objects.count(),
        RecoveryCase.objects.count(),
        CaseEvent.objects.count(),
    )


def test_same_key_and_body_replays_the_first_answer_and_stores_nothing_new(intake_user):
    payload = feedback_input(rating=1)
    first = intake.submit(client=intake_user, idempotency_key="order-1", payload=payload)
    before = stored_counts()

    again = intake.submit(client=intake_user, idempotency_key="order-1", payload=payload)

    assert (first.replayed, again.replayed) == (False, True)
    assert again.feedback.pk == first.feedback.pk
    assert again.status == first.status == 201
    assert stored_counts() == before == (1, 1, 1, 1)


def test_a_replay_answers_the_case_as_it_was_even_after_the_case_moved_on(intake_user, manager):
    payload = feedback_input(rating=2, comment="")
    first = intake.submit(client=intake_user, idempotency_key="k", payload=payload)
    services.change_severity(case=first.feedback.case, severity=Severity.CRITICAL, actor=manager)

    again = intake.submit(client=intake_user, idempotency_key="k", payload=payload)

    assert again.feedback.response_case == first.feedback.response_case
    assert again.feedback.response_case["severity"] == Severity.MEDIUM


def test_same_key_with_another_body_is_refused_and_stores_nothing(intake_user):
    intake.submit(client=intake_user, idempotency_key="k", payload=feedback_input(rating=5))
    before = stored_counts()

    with pytest.raises(IdempotencyKeyReused, match="different request body"):
        intake.submit(client=intake_user, idempotency_key="k", payload=feedback_input(rating=1))

    assert stored_counts() == before


def test_the_same_key_from_two_clients_is_two_submissions(intake_user, agent):
    payload = feedback_input()

    one = intake.submit(client=intake_user, idempotency_key="k", payload=payload)
    two = intake.submit(client=agent, idempotency_key="k", payload=payload)

    assert not one.replayed and not two.replayed
    assert Feedback.objects.count() == 2


def test_submissions_without_a_key_are_each_kept(intake_user):
    payload = feedback_input()

    intake.submit(client=intake_user, idempotency_key=None, payload=payload)
    intake.submit(client=intake_user, idempotency_key=None, payload=payload)

    assert Feedback.objects.count() == 2


def test_a_key_still_replays_just_inside_the_window(intake_user):
    payload = feedback_input()
    with time_machine.travel(NOW, tick=False):
        first = intake.submit(client=intake_user, idempotency_key="k", payload=payload)
    with time_machine.travel(NOW + timedelta(hours=23, minutes=59), tick=False):
        again = intake.submit(client=intake_user, idempotency_key="k", payload=payload)

    assert again.replayed and again.feedback.pk == first.feedback.pk


def test_a_key_older_than_the_window_is_released_and_used_afresh(intake_user):
    with time_machine.travel(NOW, tick=False):
        old = intake.submit(client=intake_user, idempotency_key="k", payload=feedback_input(rating=5))
    with time_machine.travel(NOW + timedelta(hours=24, seconds=1), tick=False):
        new = intake.submit(client=intake_user, idempotency_key="k", payload=feedback_input(rating=4))

    old.feedback.refresh_from_db()
    assert not new.replayed and new.feedback.pk != old.feedback.pk
    assert (old.feedback.idempotency_key, old.feedback.rating) == (None, 5)
    assert Feedback.objects.get(idempotency_key="k") == new.feedback


@pytest.mark.parametrize("key", ["", "x" * 256, "line\nbreak", "tab\there"])
def test_an_invalid_key_is_refused_and_stores_nothing(intake_user, key):
    with pytest.raises(InvalidInput) as refused:
        intake.submit(client=intake_user, idempotency_key=key, payload=feedback_input())

    assert refused.value.field == "Idempotency-Key"
    assert stored_counts() == (0, 0, 0, 0)


def test_a_key_of_255_printable_characters_is_accepted(intake_user):
    result = intake.submit(client=intake_user, idempotency_key="k" * 255, payload=feedback_input())

    assert result.feedback.idempotency_key == "k" * 255


def test_a_user_in_no_role_may_not_submit(outsider):
    with pytest.raises(NotPermitted):
        intake.submit(client=outsider, idempotency_key=None, payload=feedback_input())

    assert stored_counts() == (0, 0, 0, 0)


def test_the_service_refuses_feedback_without_a_signal_even_if_an_interface_let_it_through(intake_user):
    with pytest.raises(InvalidInput):
        intake.submit(
            client=intake_user, idempotency_key=None, payload=feedback_input(rating=None, comment=" ")
        )

    assert stored_counts() == (0, 0, 0, 0)


def test_the_service_refuses_feedback_from_the_future(intake_user):
    with pytest.raises(InvalidInput) as refused:
        intake.submit(
            client=intake_user,
            idempotency_key=None,
            payload=feedback_input(occurred_at=datetime(2999, 1, 1, tzinfo=UTC)),
        )

    assert refused.value.field == "occurred_at"
    assert stored_counts() == (0, 0, 0, 0)


def test_occurred_at_defaults_to_when_it_was_received(intake_user):
    with time_machine.travel(NOW, tick=False):
        feedback = intake.submit(client=intake_user, idempotency_key=None, payload=feedback_input()).feedback

    assert feedback.occurred_at == feedback.received_at == NOW


def test_the_customer_is_created_then_updated_by_external_id_keeping_what_a_request_leaves_blank(
    intake_user, intake_trusted
):
    intake.submit(
        client=intake_user,
        idempotency_key=None,
        payload=feedback_input(customer={"name": "Ana Lopez", "email": "ana@example.com"}),
    )
    intake.submit(
        client=intake_trusted,  # changing a known name needs trust (test_contact_trust.py)
        idempotency_key=None,
        payload=feedback_input(customer={"name": "Ana López", "phone": "+34 600 000 000"}),
    )

    customer = Customer.objects.get()
    assert (customer.external_id, customer.name, customer.email, customer.phone) == (
        "C-1001",
        "Ana López",
        "ana@example.com",
        "+34 600 000 000",
    )
    assert customer.feedback.count() == 2


# A real database error part-way through, raised by a trigger: not a mock of the database.
REFUSE_SQL = {
    "postgresql": [
        "CREATE FUNCTION mend_test_refuse() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'refused by a test trigger'; END $$",
        "CREATE TRIGGER mend_test_refuse BEFORE INSERT ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION mend_test_refuse()",
    ],
    "sqlite": [
        "CREATE TRIGGER mend_test_refuse BEFORE INSERT ON {table} "
        "BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END",
    ],
}


def refuse_inserts_into(table: str) -> None:
    """Make the database refuse every insert into `table` for the rest of this test's transaction."""
    with connection.cursor() as cursor:
        for statement in REFUSE_SQL[connection.vendor]:
            cursor.execute(statement.format(table=table))


@pytest.mark.parametrize(
    "table",
    ["cases_recoverycase", "cases_caseevent", "feedback_feedback"],
    ids=["case insert fails", "case event insert fails", "feedback insert fails last"],
)
def test_a_new_case_failing_part_way_leaves_no_customer_feedback_or_case_behind(intake_user, table):
    refuse_inserts_into(table)

    with pytest.raises(DatabaseError, match="refused by a test trigger"):
        intake.submit(client=intake_user, idempotency_key="k", payload=feedback_input(rating=1))

    assert stored_counts() == (0, 0, 0, 0)


def test_joining_a_case_failing_part_way_leaves_the_case_and_customer_as_they_were(intake_user):
    customer = CustomerFactory(external_id="C-1001", name="Ana Lopez")
    case = RecoveryCaseFactory(customer=customer, severity=Severity.LOW)
    before = stored_counts()
    refuse_inserts_into("cases_caseevent")

    with pytest.raises(DatabaseError, match="refused by a test trigger"):
        intake.submit(
            client=intake_user,
            idempotency_key=None,
            payload=feedback_input(rating=1, customer={"name": "Someone Else"}),
        )

    case.refresh_from_db()
    customer.refresh_from_db()
    assert stored_counts() == before
    assert (case.severity, customer.name) == (Severity.LOW, "Ana Lopez")


def test_a_failed_submission_does_not_burn_its_key(intake_user):
    refuse_inserts_into("cases_caseevent")
    with pytest.raises(DatabaseError):
        intake.submit(client=intake_user, idempotency_key="k", payload=feedback_input(rating=1))
    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TRIGGER mend_test_refuse"
            + (" ON cases_caseevent" if connection.vendor == "postgresql" else "")
        )

    result = intake.submit(client=intake_user, idempotency_key="k", payload=feedback_input(rating=1))

    assert not result.replayed
    assert stored_counts() == (1, 1, 1, 1)


def test_a_bodys_fingerprint_stays_what_earlier_releases_stored():
    """Fingerprints are stored with each key: a change to how one is computed would refuse a retry
    sent across a deploy as a reuse with another body."""
    payload = intake.FeedbackInput(
        channel="web",
        customer=intake.CustomerInput(external_id="C-7", name="Ana", email="ana@example.com"),
        rating=1,
        comment="Late",
        touchpoint="delivery",
        occurred_at=datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
        metadata={"order": "A-1", "lines": [1, {"sku": "K"}]},
    )

    assert payload.fingerprint() == "ea5cedb885ed0af4a05c305ca5708df4eb05fbaa502ed30e929925d1cbddd5e8"
