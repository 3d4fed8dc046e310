"""Triage rules: `decide` over values (no database), then `apply` opening or joining cases."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from cases.models import CaseEvent, RecoveryCase, Severity, Stage
from cases.tests.factories import RecoveryCaseFactory
from feedback import intake, triage
from feedback.models import Sentiment
from feedback.tests.factories import CustomerFactory, feedback_input

NEG, NEU, POS = Sentiment.NEGATIVE, Sentiment.NEUTRAL, Sentiment.POSITIVE
LOW, MEDIUM, HIGH, CRITICAL = Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL

ANGRY = "Terrible service, the worst experience ever. I am very angry."
RUDE = "The courier was rude and my order is still missing."
CRUSHED = "Parcel arrived two days late and the box was crushed."  # VADER -0.42: just clearly negative
HAPPY = "Lovely staff and fast delivery, very happy."
FLAT = "It was ok."

# (rating, nps, comment) -> (sentiment, opens a case, severity), written out by hand.
MATRIX = [
    (5, None, "", (POS, False, None)),
    (4, None, "", (POS, False, None)),
    (3, None, "", (NEU, False, None)),
    (2, None, "", (NEG, True, MEDIUM)),
    (1, None, "", (NEG, True, HIGH)),
    (None, 10, "", (POS, False, None)),
    (None, 9, "", (POS, False, None)),
    (None, 8, "", (NEU, False, None)),
    (None, 7, "", (NEU, False, None)),
    (None, 6, "", (NEG, True, MEDIUM)),
    (None, 4, "", (NEG, True, MEDIUM)),
    (None, 3, "", (NEG, True, HIGH)),
    (None, 0, "", (NEG, True, HIGH)),
    (2, 2, "", (NEG, True, HIGH)),  # the worst signal wins
    (5, 5, "", (NEG, True, MEDIUM)),  # a detractor NPS opens a case whatever the rating
    (1, 9, "", (NEG, True, HIGH)),
    (None, None, ANGRY, (NEG, True, LOW)),
    (None, None, CRUSHED, (NEG, True, LOW)),
    (None, None, HAPPY, (POS, False, None)),
    (None, None, FLAT, (NEU, False, None)),
    (5, None, RUDE, (NEG, True, LOW)),  # a clearly negative comment opens a case on its own
    (3, None, HAPPY, (NEU, False, None)),  # scores first: the rating says neutral
    (2, None, ANGRY, (NEG, True, MEDIUM)),
    (1, None, "I am calling my lawyer about this.", (NEG, True, CRITICAL)),
    (None, None, "My lawyer will be in touch.", (NEG, True, CRITICAL)),
    (None, 9, "My son got hurt on the broken step.", (NEG, True, CRITICAL)),
    (4, None, "The heater caught fire in the room.", (NEG, True, CRITICAL)),
    (5, None, "Lovely suede shoes, and the courtyard was beautiful.", (POS, False, None)),  # whole words only
]


@pytest.mark.parametrize(("rating", "nps", "comment", "expected"), MATRIX)
def test_decide_follows_the_triage_matrix(rating, nps, comment, expected):
    decision = triage.decide(rating=rating, nps=nps, comment=comment)

    assert (decision.sentiment, decision.opens_case, decision.severity) == expected
    assert decision.is_repeat is False
    assert bool(decision.reasons) == decision.opens_case


# severity for a first-time customer -> severity for a repeat customer
REPEAT_MATRIX = [
    ((None, None, ANGRY), LOW, MEDIUM),
    ((2, None, ""), MEDIUM, HIGH),
    ((1, None, ""), HIGH, CRITICAL),
    ((1, None, "I will sue."), CRITICAL, CRITICAL),
]


@pytest.mark.parametrize(("signals", "first_time", "repeat"), REPEAT_MATRIX)
def test_a_repeat_customer_goes_one_level_up_and_is_flagged(signals, first_time, repeat):
    rating, nps, comment = signals

    once = triage.decide(rating=rating, nps=nps, comment=comment)
    again = triage.decide(rating=rating, nps=nps, comment=comment, repeat_customer=True)

    assert (once.severity, once.is_repeat) == (first_time, False)
    assert (again.severity, again.is_repeat) == (repeat, True)
    assert "repeat customer" in again.reasons


def test_positive_feedback_from_a_repeat_customer_stays_positive_and_unflagged():
    decision = triage.decide(rating=5, nps=None, comment="", repeat_customer=True)

    assert (decision.sentiment, decision.opens_case, decision.severity, decision.is_repeat) == (
        POS,
        False,
        None,
        False,
    )


def test_reasons_name_every_signal_that_made_it_negative():
    decision = triage.decide(rating=1, nps=2, comment="The stairs are unsafe.")

    assert decision.reasons == ("rating 1", "NPS 2", "comment mentions unsafe")


def test_rating_threshold_is_configurable(settings):
    settings.MEND_TRIAGE_NEGATIVE_RATING = 3

    decision = triage.decide(rating=3, nps=None, comment="")

    assert (decision.sentiment, decision.severity) == (NEG, MEDIUM)


def test_nps_thresholds_are_configurable(settings):
    settings.MEND_TRIAGE_NEGATIVE_NPS = 4
    settings.MEND_TRIAGE_HIGH_NPS = 1

    assert triage.decide(rating=None, nps=5, comment="").sentiment == NEU
    assert triage.decide(rating=None, nps=2, comment="").severity == MEDIUM


def test_comment_threshold_is_configurable(settings):
    settings.MEND_TRIAGE_NEGATIVE_COMMENT = -0.9

    assert triage.decide(rating=None, nps=None, comment=CRUSHED).sentiment == NEU


def test_critical_terms_are_configurable(settings):
    settings.MEND_TRIAGE_CRITICAL_TERMS = ["ombudsman"]

    assert triage.decide(rating=None, nps=None, comment="Writing to the Ombudsman.").severity == CRITICAL
    assert triage.decide(rating=None, nps=None, comment="My lawyer will call.").opens_case is False


NOW = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)


def submit(client, **fields):
    return intake.submit(client=client, idempotency_key=None, payload=feedback_input(**fields)).feedback


@pytest.mark.django_db
def test_negative_feedback_opens_a_case_whose_clock_starts_when_it_was_received(intake_user):
    with time_machine.travel(NOW, tick=False):
        feedback = submit(intake_user, rating=1, comment=CRUSHED, channel="app", touchpoint="delivery")

    case = feedback.case
    case.refresh_from_db()
    assert (case.severity, case.stage, case.channel, case.is_repeat) == (HIGH, Stage.NEW, "app", False)
    assert case.title == CRUSHED
    assert case.originating_feedback == feedback
    assert case.sla_started_at == feedback.received_at == NOW
    # High: acknowledge within 1 h, apologize within 2 h, resolve within 24 h of the complaint.
    assert (case.acknowledge_due_at, case.apologize_due_at, case.resolve_due_at) == (
        NOW + timedelta(hours=1),
        NOW + timedelta(hours=2),
        NOW + timedelta(hours=24),
    )
    assert list(case.events.values_list("kind", flat=True)) == [CaseEvent.Kind.CREATED]


@pytest.mark.django_db
def test_a_case_without_a_comment_is_titled_by_its_scores(intake_user):
    feedback = submit(intake_user, rating=None, nps=2, comment="", touchpoint="checkout")

    assert feedback.case.title == "Web feedback: NPS 2 at checkout"


@pytest.mark.django_db
def test_positive_and_neutral_feedback_open_no_case(intake_user):
    happy = submit(intake_user, rating=5)
    flat = submit(intake_user, rating=3, external_id="C-2")

    assert (happy.sentiment, happy.case) == (POS, None)
    assert (flat.sentiment, flat.case) == (NEU, None)
    assert RecoveryCase.objects.count() == 0


@pytest.mark.django_db
def test_more_negative_feedback_joins_the_open_case_and_raises_its_severity(intake_user):
    first = submit(intake_user, rating=2, comment="")
    second = submit(intake_user, rating=1, comment="Still nothing.")

    case = first.case
    case.refresh_from_db()
    assert second.case == case
    assert RecoveryCase.objects.count() == 1
    assert case.severity == HIGH
    attached = case.events.get(kind=CaseEvent.Kind.FEEDBACK_ATTACHED)
    assert attached.data == {"feedback_id": second.pk, "severity": HIGH}
    changed = case.events.get(kind=CaseEvent.Kind.SEVERITY_CHANGED)
    assert changed.data == {"from": MEDIUM, "to": HIGH}
    assert case.originating_feedback == first


@pytest.mark.django_db
def test_milder_feedback_joining_an_open_case_never_lowers_its_severity(intake_user):
    first = submit(intake_user, rating=1, comment="")
    submit(intake_user, rating=2, comment="")

    first.case.refresh_from_db()
    assert first.case.severity == HIGH
    assert not first.case.events.filter(kind=CaseEvent.Kind.SEVERITY_CHANGED).exists()


@pytest.mark.django_db
def test_joining_a_case_moves_its_sla_targets_to_the_new_severity_from_the_first_complaint(intake_user):
    with time_machine.travel(NOW, tick=False):
        first = submit(intake_user, rating=2, comment="")
    with time_machine.travel(NOW + timedelta(minutes=30), tick=False):
        submit(intake_user, rating=None, comment="My lawyer will hear about this.")

    case = first.case
    case.refresh_from_db()
    # Critical: acknowledge within 15 min, counted from the first complaint.
    assert (case.severity, case.acknowledge_due_at) == (CRITICAL, NOW + timedelta(minutes=15))


@pytest.mark.django_db
def test_positive_feedback_does_not_join_an_open_case(intake_user):
    first = submit(intake_user, rating=1, comment="")
    happy = submit(intake_user, rating=5)

    assert happy.case is None
    assert first.case.events.count() == 1


@pytest.mark.django_db
def test_a_customer_whose_last_case_is_closed_gets_a_new_repeat_case_one_level_up(intake_user):
    customer = CustomerFactory(external_id="C-1001")
    with time_machine.travel(NOW - timedelta(days=89), tick=False):
        earlier = RecoveryCaseFactory(customer=customer, closed=True)

    with time_machine.travel(NOW, tick=False):
        feedback = submit(intake_user, rating=2, comment="")

    assert feedback.case != earlier
    assert (feedback.case.severity, feedback.case.is_repeat) == (HIGH, True)
    assert feedback.response_case["severity"] == HIGH


@pytest.mark.django_db
def test_a_case_older_than_the_repeat_window_does_not_make_a_repeat_customer(intake_user):
    customer = CustomerFactory(external_id="C-1001")
    with time_machine.travel(NOW - timedelta(days=91), tick=False):
        RecoveryCaseFactory(customer=customer, closed=True)

    with time_machine.travel(NOW, tick=False):
        feedback = submit(intake_user, rating=2, comment="")

    assert (feedback.case.severity, feedback.case.is_repeat) == (MEDIUM, False)


@pytest.mark.django_db
def test_joining_an_open_case_of_a_repeat_customer_raises_it_one_level_more(intake_user):
    customer = CustomerFactory(external_id="C-1001")
    with time_machine.travel(NOW - timedelta(days=30), tick=False):
        RecoveryCaseFactory(customer=customer, closed=True)
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        open_case = RecoveryCaseFactory(customer=customer, severity=MEDIUM, is_repeat=True)

    with time_machine.travel(NOW, tick=False):
        feedback = submit(intake_user, rating=2, comment="")

    open_case.refresh_from_db()
    assert feedback.case == open_case
    assert open_case.severity == HIGH
