"""The at-risk score: hand-computed fixtures against the documented formula, and its refresh on the
events that move it (for that customer only)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from cases import services, workflow
from cases.at_risk import formula
from cases.at_risk import services as at_risk
from cases.at_risk.models import CustomerRisk
from cases.models import FollowUp, Severity
from cases.tests import test_survey
from cases.tests.factories import RecoveryCaseFactory
from feedback.tests.factories import CustomerFactory, FeedbackFactory

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
# The survey's fixtures: a resolved case and the link its customer received.
case, link = test_survey.case, test_survey.link


def test_the_formula_adds_each_part_as_documented():
    inputs = formula.Inputs(
        failures=3,
        open_by_severity={"high": 1, "medium": 1},
        oldest_open_since=NOW - timedelta(days=5, hours=3),
        poor_answers=1,
        reopened=1,
        value=Decimal("4500"),
    )
    risk = formula.score(inputs, now=NOW)
    # 3 failures x 10 = 30; high 10 + medium 5 = 15; 5 whole days = 5; 1 poor answer = 10;
    # 1 reopened = 5; 4,500 of value = 4 whole thousands = 4. Sum: 69.
    assert risk.score == 69
    assert [(r.code, r.count, r.points) for r in risk.reasons] == [
        ("failures", 3, 30),
        ("open_cases", 2, 15),
        ("unresolved", 5, 5),
        ("poor_answers", 1, 10),
        ("reopened", 1, 5),
        ("value", 4000, 4),
    ]
    assert risk.reasons[1].worst == "high"


def test_every_part_is_capped_and_the_score_never_passes_100():
    inputs = formula.Inputs(
        failures=5,
        open_by_severity={"critical": 5},
        oldest_open_since=NOW - timedelta(days=40),
        poor_answers=3,
        reopened=3,
        value=Decimal("50000"),
    )
    risk = formula.score(inputs, now=NOW)
    # Capped: 30 + 25 + 15 + 20 + 10 + 10 = 110, then 100.
    assert [r.points for r in risk.reasons] == [30, 25, 15, 20, 10, 10]
    assert risk.score == 100


def test_a_valuable_customer_nobody_failed_is_not_at_risk():
    risk = formula.score(formula.Inputs(value=Decimal("90000")), now=NOW)
    assert (risk.score, risk.reasons) == (0, ())


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [(4500, Decimal(4500)), ("4500.50", Decimal("4500.50")), ("lots", None), (True, None), (None, None)],
)
def test_a_value_is_a_number_or_numeric_text_and_anything_else_is_ignored(raw, parsed):
    assert formula.parse_value(raw) == parsed


def test_reasons_read_as_words_with_their_points():
    assert formula.describe({"code": "failures", "count": 3, "points": 30}) == (
        "3 failures in the last 90 days (+30)"
    )
    assert formula.describe({"code": "open_cases", "count": 1, "points": 10, "worst": "high"}) == (
        "1 open case, the worst high (+10)"
    )


@pytest.mark.django_db
def test_the_stored_score_of_a_customer_matches_the_hand_computed_fixture():
    customer = CustomerFactory(external_id="C-RISK")
    with time_machine.travel(NOW - timedelta(days=100), tick=False):
        RecoveryCaseFactory(customer=customer, closed=True)  # outside the 90 days: not a failure
    with time_machine.travel(NOW - timedelta(days=30), tick=False):
        reopened = RecoveryCaseFactory(customer=customer, closed=True, reopen_count=1)
    FollowUp.objects.create(
        case=reopened, due_at=NOW - timedelta(days=20), done_at=NOW - timedelta(days=20), satisfaction=1
    )
    FollowUp.objects.create(  # a good answer is no reason
        case=reopened, due_at=NOW - timedelta(days=19), done_at=NOW - timedelta(days=19), satisfaction=5
    )
    with time_machine.travel(NOW - timedelta(days=5), tick=False):
        RecoveryCaseFactory(customer=customer, severity=Severity.HIGH)
    with time_machine.travel(NOW - timedelta(days=2), tick=False):
        RecoveryCaseFactory(customer=customer, severity=Severity.MEDIUM, acknowledged=True)
    FeedbackFactory(customer=customer, metadata={"value": "4500"}, received_at=NOW - timedelta(days=3))
    FeedbackFactory(customer=customer, metadata={"order": "SO-1"}, received_at=NOW - timedelta(days=1))

    risk = at_risk.refresh(customer_id=customer.pk, now=NOW)

    stored = CustomerRisk.objects.get(customer=customer)
    assert risk.score == stored.score == 69  # as in the formula's fixture above
    assert stored.reasons == [
        {"code": "failures", "count": 3, "points": 30},
        {"code": "open_cases", "count": 2, "points": 15, "worst": "high"},
        {"code": "unresolved", "count": 5, "points": 5},
        {"code": "poor_answers", "count": 1, "points": 10},
        {"code": "reopened", "count": 1, "points": 5},
        {"code": "value", "count": 4000, "points": 4},
    ]


@pytest.mark.django_db
def test_opening_a_case_scores_its_customer_in_the_same_transaction(agent):
    customer = CustomerFactory()
    case = services.open_case(customer=customer, title="Parcel lost", severity=Severity.CRITICAL)
    # 1 failure (10) and 1 critical open case (15), open for less than a day.
    assert CustomerRisk.objects.get(customer=customer).score == 25
    workflow.acknowledge(case_id=case.pk, actor=agent)
    workflow.apologize(case_id=case.pk, actor=agent, note="Sorry.")
    workflow.resolve(case_id=case.pk, actor=agent, resolution="Sent a new one.")
    # Resolved is still open (until closed): the same 25; reopening adds a reopened case (5).
    assert CustomerRisk.objects.get(customer=customer).score == 25
    workflow.reopen(case_id=case.pk, actor=agent, reason="It never arrived.")
    assert CustomerRisk.objects.get(customer=customer).score == 30


@pytest.mark.django_db
def test_a_refresh_reads_one_customer_and_leaves_the_others_alone(django_assert_num_queries):
    others = [RecoveryCaseFactory().customer for _ in range(3)]
    for other in others:
        at_risk.refresh(customer_id=other.pk, now=NOW - timedelta(hours=1))
    case = RecoveryCaseFactory()
    with django_assert_num_queries(2):  # one read of this customer's rows, one upsert
        at_risk.refresh(customer_id=case.customer_id, now=NOW)
    assert {r.computed_at for r in CustomerRisk.objects.filter(customer__in=others)} == {
        NOW - timedelta(hours=1)
    }


@pytest.mark.django_db
def test_the_list_is_highest_first_and_leaves_out_customers_at_no_risk():
    low, high = RecoveryCaseFactory(severity=Severity.LOW), RecoveryCaseFactory(severity=Severity.CRITICAL)
    nobody = CustomerFactory()
    for customer_id in (low.customer_id, high.customer_id, nobody.pk):
        at_risk.refresh(customer_id=customer_id, now=NOW)
    assert [row.customer_id for row in at_risk.at_risk()] == [high.customer_id, low.customer_id]


@pytest.mark.django_db
def test_a_poor_survey_answer_raises_the_customers_score_as_it_is_stored(case, link):
    test_survey.answer(link, rating="1", comment="Still broken.")
    risk = CustomerRisk.objects.get(customer=case.customer)
    # The factory's case (1 failure: 10), reopened by the answer (open medium case: 5; reopened: 5), one
    # poor answer (10); opened 2026-11-22 by the test clock is under a day before the answer.
    assert [reason["code"] for reason in risk.reasons] == [
        "failures",
        "open_cases",
        "poor_answers",
        "reopened",
    ]
    assert risk.score == 10 + 5 + 10 + 5


@pytest.mark.django_db
def test_the_backfill_scores_the_customers_without_a_score_once():
    open_case = RecoveryCaseFactory(severity=Severity.HIGH)
    with time_machine.travel(NOW - timedelta(days=200), tick=False):
        long_closed = RecoveryCaseFactory(closed=True)
    scored_already = RecoveryCaseFactory()
    at_risk.refresh(customer_id=scored_already.customer_id, now=NOW - timedelta(hours=1))

    assert at_risk.backfill(now=NOW) == 1
    assert CustomerRisk.objects.get(customer=open_case.customer).score == 20  # 1 failure, 1 high open
    assert not CustomerRisk.objects.filter(customer=long_closed.customer).exists()  # nothing to score
    assert CustomerRisk.objects.get(customer=scored_already.customer).computed_at == NOW - timedelta(hours=1)
    assert at_risk.backfill(now=NOW) == 0
