"""The metrics service against a world whose every number was worked out by hand (metrics_world.py)."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.test import override_settings

from cases import workflow
from cases.metrics import period as metrics_period
from cases.metrics import queries
from cases.metrics.period import Period, Scope
from cases.models import BusinessCalendar, OpeningHours, Severity, SLAPolicy, Stage
from cases.tests import metrics_world
from cases.tests.factories import RecoveryCaseFactory
from cases.tests.metrics_world import NOW, TIME_ZONE
from feedback.models import Sentiment
from feedback.tests.factories import CustomerFactory, FeedbackFactory
from recovery.errors import InvalidInput

H = 3600.0
H_DELTA = timedelta(hours=1)
pytestmark = [pytest.mark.django_db]


@pytest.fixture
def world(agent, other_agent):
    with override_settings(TIME_ZONE=TIME_ZONE), time_machine.travel(NOW, tick=False):
        yield metrics_world.build(agent, other_agent)


def compute(**scope):
    period, parsed = metrics_period.parse({"from": metrics_world.FROM, "to": metrics_world.TO, **scope})
    return queries.compute(period, parsed, now=NOW)


def test_a_local_period_starts_and_ends_at_local_midnight_not_utc():
    with override_settings(TIME_ZONE=TIME_ZONE):
        period = Period(date(2026, 11, 9), date(2026, 11, 15))
        assert period.start == datetime(2026, 11, 8, 23, 0, tzinfo=UTC)
        assert period.end == datetime(2026, 11, 15, 23, 0, tzinfo=UTC)
        assert period.previous() == Period(date(2026, 11, 2), date(2026, 11, 8))


def test_feedback_counts_what_arrived_in_the_local_period(world):
    feedback = compute()["feedback"]
    # A, C, D, E's complaints, two survey answers, alice's later rating, bob's 23:30 local on the 15th.
    assert (feedback["total"], feedback["negative"], feedback["negative_share"]) == (8, 5, 0.625)
    assert feedback["cases_with_negative"] == 4  # A, C, D (twice), E
    assert feedback["previous"] == {"total": 1, "negative": 1, "negative_share": 1.0}  # B's complaint
    by_channel = {row["channel"]: (row["total"], row["negative"]) for row in feedback["by_channel"]}
    assert by_channel == {"web": (3, 2), "survey": (2, 1), "email": (1, 1), "phone": (1, 1), "app": (1, 0)}


def test_case_flow_and_backlog(world):
    cases = compute()["cases"]
    assert (cases["opened"], cases["closed"], cases["open_now"], cases["reopened"]) == (4, 1, 5, 1)
    assert cases["backlog"]["by_stage"] == {
        "new": 3, "acknowledged": 1, "apologized": 0, "resolved": 1, "followed_up": 0,
    }  # fmt: skip
    assert cases["backlog"]["by_severity"] == {"low": 1, "medium": 2, "high": 1, "critical": 1}
    assert cases["previous"] == {"opened": 1, "reopened": 0, "closed": 0}  # B, 23:30 local on the 8th


def test_speed_is_the_median_and_90th_percentile_from_opening(world):
    speed = compute()["speed"]
    # Acknowledged after 1 h (A), 30 min (D), 2 h (E): p90 interpolates 1 h .. 2 h at 0.8.
    assert speed["time_to_acknowledge"] == {"measured": 3, "median": 3600.0, "p90": 6480.0}
    # Only A is resolved now (D's resolution went with its reopening): 5 h.
    assert speed["time_to_resolve"] == {"measured": 1, "median": 18000.0, "p90": 18000.0}
    assert speed["previous"]["time_to_acknowledge"] == {"measured": 0, "median": None, "p90": None}


def test_speed_counts_the_working_time_of_a_severity_whose_policy_has_a_business_calendar(agent):
    office = BusinessCalendar.objects.create(name="Berlin office", time_zone=TIME_ZONE)
    for weekday in range(5):
        OpeningHours.objects.create(calendar=office, weekday=weekday, opens=time(9), closes=time(17))
    policy = SLAPolicy.objects.get(severity=Severity.HIGH)
    policy.calendar = office
    policy.save()
    friday_4pm, monday_10am, monday_noon = (
        datetime(2026, 11, 13, 15, tzinfo=UTC), datetime(2026, 11, 16, 9, tzinfo=UTC),
        datetime(2026, 11, 16, 11, tzinfo=UTC),
    )  # fmt: skip
    with override_settings(TIME_ZONE=TIME_ZONE), time_machine.travel(friday_4pm, tick=False):
        office_case = RecoveryCaseFactory(severity=Severity.HIGH)
        around_the_clock = RecoveryCaseFactory(severity=Severity.MEDIUM)
    with time_machine.travel(monday_10am, tick=False):
        for case in (office_case, around_the_clock):
            workflow.acknowledge(case_id=case.pk, actor=agent)
    with time_machine.travel(monday_noon, tick=False):
        workflow.apologize(case_id=office_case.pk, actor=agent, note="Sorry")
        workflow.resolve(case_id=office_case.pk, actor=agent, resolution="Replaced")

    with override_settings(TIME_ZONE=TIME_ZONE):
        period, scope = metrics_period.parse({"from": "2026-11-09", "to": "2026-11-15"})
        speed = queries.compute(period, scope, now=monday_noon)["speed"]

    # Friday 16:00-17:00 and Monday 09:00-10:00 (or -12:00) local: 1 h + 1 h, and 1 h + 3 h, against
    # the 66 h the medium case's around-the-clock policy counts.
    # Percentiles interpolate: the median of 2 h and 66 h is 34 h, the 90th percentile 59.6 h.
    assert speed["time_to_acknowledge"] == {"measured": 2, "median": 34 * H, "p90": 59.6 * H}
    assert speed["time_to_resolve"] == {"measured": 1, "median": 4 * H, "p90": 4 * H}
    assert "working time" in speed["measure"]


def test_sla_compliance_counts_targets_due_in_the_period_and_leaves_out_a_case_on_hold(world):
    sla = compute()["sla"]
    # C (on hold, unmet) is left out of every target; F's fall due after the period.
    assert sla["compliance"] == {
        "acknowledge": {"due": 4, "met": 3, "share": 0.75},  # A, D, E met; B missed
        "apologize": {"due": 4, "met": 1, "share": 0.25},  # A met; B, D (reopened), E missed
        "resolve": {"due": 3, "met": 1, "share": 0.3333},  # A met; B, E missed; D's due on the 17th
    }
    assert sla["breached_now"] == 2  # B and D; C is on hold, F is due tomorrow
    assert sla["escalations"] == {"level_1": 1, "level_2": 1}  # D, E


def test_follow_up_recovery_and_the_paradox(world):
    result = compute()
    assert result["follow_up"] == {"due": 2, "done": 2, "done_on_time": 1, "completion_rate": 1.0}
    recovery = result["recovery"]
    assert {k: recovery[k] for k in ("surveyed", "surveyed_customers", "mean_satisfaction")} == {
        "surveyed": 2, "surveyed_customers": 2, "mean_satisfaction": 3.5,
    }  # fmt: skip
    assert (recovery["recovered"], recovery["recovered_share"]) == (1, 0.5)  # A's 5; D's 2 is not
    # alice rated 4 after her survey, against the 2 that opened case A.
    assert recovery["paradox"] == {"recovered_with_later_feedback": 1, "improved": 1, "share": 1.0}
    assert recovery["reopened_by_customer"] == 1  # D


def test_repeat_customers_gestures_and_root_causes(world):
    result = compute()
    assert result["repeat_customers"] == {"customers": 1, "cases": 1, "share_of_cases": 0.25}  # alice's A
    gestures = result["gestures"]
    assert gestures["granted"] == [
        {"kind": "refund", "currency": "EUR", "count": 1, "value": "15.50"},
        {"kind": "voucher", "currency": "EUR", "count": 1, "value": "20.00"},
    ]
    assert gestures["cases"] == 2
    assert gestures["pending_approvals"] == {"count": 1, "oldest_age": 86400.0}  # E's gift, a day old
    roots = result["root_causes"]
    assert [(r["title"], r["cases"], r["customers"]) for r in roots["top"]] == [
        ("Courier misses the slot", 2, 2)
    ]
    assert roots["rest"] == {"root_causes": 0, "cases": 0, "customers": 0}
    assert roots["no_root_cause"] == {"cases": 2, "share": 0.5}  # C, E (B's is the previous period's)


def test_agents(world):
    agents = {row["name"]: row for row in compute()["agents"]}
    assert agents["Alice"] | {"id": None} == {
        "id": None,
        "name": "Alice",
        "handled": 3,
        "median_time_to_resolve": 18000.0,
        "sla_compliance": 0.6667,
        "mean_satisfaction": 5.0,
    }  # fmt: skip  (A, C, E: of 6 targets due, A's three and E's acknowledge met)
    assert agents["Bob"] | {"id": None} == {
        "id": None, "name": "Bob", "handled": 1, "median_time_to_resolve": None,
        "sla_compliance": 0.5, "mean_satisfaction": 2.0,
    }  # fmt: skip


def test_weekly_trend_beside_the_previous_period(world):
    trend = compute()["trend"]
    assert trend["weeks"] == [
        {"start": "2026-11-09", "feedback": 8, "negative": 5, "opened": 4, "closed": 1,
         "median_time_to_acknowledge": 3600.0},
    ]  # fmt: skip
    assert trend["previous"] == [
        {"start": "2026-11-02", "feedback": 1, "negative": 1, "opened": 1, "closed": 0,
         "median_time_to_acknowledge": None},
    ]  # fmt: skip


def test_an_empty_period_has_zero_counts_and_no_shares(world):
    result = queries.compute(Period(date(2025, 1, 6), date(2025, 1, 12)), Scope(), now=NOW)
    assert result["feedback"]["total"] == 0 and result["feedback"]["negative_share"] is None
    assert result["cases"]["opened"] == 0
    assert result["speed"]["time_to_resolve"]["median"] is None
    assert all(v["share"] is None for v in result["sla"]["compliance"].values())
    assert result["follow_up"]["completion_rate"] is None
    assert result["recovery"]["recovered_share"] is None
    assert result["repeat_customers"]["share_of_cases"] is None
    assert result["root_causes"]["no_root_cause"]["share"] is None
    assert result["agents"] == []
    assert result["cases"]["open_now"] == 5  # "now" is not bound to the period


def test_filters_narrow_cases_and_feedback(world):
    medium = compute(severity="medium")
    assert medium["cases"]["opened"] == 1  # D (B is medium too, but the previous period's)
    assert medium["feedback"]["total"] == 2  # D's complaint and its survey answer
    unowned = compute(owner="none")
    assert (unowned["cases"]["opened"], unowned["cases"]["open_now"]) == (0, 2)  # B, F
    email = compute(channel="email")
    assert (email["cases"]["opened"], email["feedback"]["total"]) == (1, 1)  # C
    checkout = compute(touchpoint="checkout")
    assert checkout["cases"]["previous"]["opened"] == 1  # B opened from checkout feedback


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2026-11-10", "to": "2026-11-01"}, "after"),
        ({"from": "2026-13-01"}, "YYYY-MM-DD"),
        ({"to": "yesterday"}, "YYYY-MM-DD"),
        ({"from": "2023-01-01", "to": "2026-01-01"}, "two years"),
        ({"colour": "red"}, "Unknown parameter"),
        ({"severity": "urgent"}, "severity"),
        ({"owner": "bob"}, "owner"),
        ({"days": "14"}, "days"),
    ],
)
def test_a_bad_period_or_filter_is_refused_by_name(params, message):
    with pytest.raises(InvalidInput, match=message):
        metrics_period.parse(params)


def test_trend_and_percentiles_are_the_same_on_either_engine_across_a_change_of_clocks(agent, other_agent):
    """Run on SQLite (`make run`) and on PostgreSQL alike: the same figures, worked out by hand.

    Berlin leaves summer time at 03:00 on Sunday 25 October 2026, so the second week of 19 October -
    1 November starts at 23:00 UTC on the 25th, not 7 x 24 h after the first (22:00 UTC)."""
    m = timedelta(minutes=1)

    def opened(created, *, ack=None, res=None, owner=agent, closed=None):
        fields = {"acknowledged_at": created + ack} if ack else {}
        if res:
            fields |= {"resolved_at": created + res}
        if closed:
            fields |= {"stage": Stage.CLOSED, "closed_at": closed}
        customer = CustomerFactory()
        case = metrics_world.case_as_given(
            customer, created=created, severity=Severity.HIGH, owner=owner, **fields
        )
        FeedbackFactory(customer=customer, case=case, sentiment=Sentiment.NEGATIVE, received_at=created)

    monday = datetime(2026, 10, 19, 6, tzinfo=UTC)
    with override_settings(TIME_ZONE=TIME_ZONE):
        opened(monday, ack=10 * m, res=2 * H_DELTA, closed=monday + 3 * H_DELTA)
        opened(monday + timedelta(days=1), ack=20 * m, res=5 * H_DELTA)
        opened(monday + timedelta(days=2), ack=30 * m, owner=other_agent)
        opened(monday + timedelta(days=3), ack=40 * m, owner=other_agent)
        # 23:30 local on Sunday the 25th: the first week's, though past 7 x 24 h from its start.
        opened(datetime(2026, 10, 25, 22, 30, tzinfo=UTC), ack=60 * m, owner=None)
        opened(datetime(2026, 10, 26, 9, tzinfo=UTC), ack=5 * m, closed=datetime(2026, 10, 27, 9, tzinfo=UTC))
        result = queries.compute(
            Period(date(2026, 10, 19), date(2026, 11, 1)), Scope(), now=datetime(2026, 11, 5, tzinfo=UTC)
        )

    assert result["trend"]["weeks"] == [
        {"start": "2026-10-19", "feedback": 5, "negative": 5, "opened": 5, "closed": 1,
         "median_time_to_acknowledge": 1800.0},  # of 10, 20, 30, 40, 60 min
        {"start": "2026-10-26", "feedback": 1, "negative": 1, "opened": 1, "closed": 1,
         "median_time_to_acknowledge": 300.0},
    ]  # fmt: skip
    assert [week["start"] for week in result["trend"]["previous"]] == ["2026-10-05", "2026-10-12"]
    speed = result["speed"]
    # 5, 10, 20, 30, 40, 60 min: the median halfway between 20 and 30; p90 at 4.5, halfway 40 .. 60.
    assert speed["time_to_acknowledge"] == {"measured": 6, "median": 1500.0, "p90": 3000.0}
    # 2 h and 5 h: p90 at 0.9 of the way.
    assert speed["time_to_resolve"] == {"measured": 2, "median": 3.5 * H, "p90": 2 * H + 0.9 * 3 * H}
    agents = {row["name"]: (row["handled"], row["median_time_to_resolve"]) for row in result["agents"]}
    assert agents == {"Alice": (3, 3.5 * H), "Bob": (2, None)}
