"""The management commands, run as an operator runs them: through call_command, output captured."""

import itertools
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db.models import Min
from rest_framework.authtoken.models import Token

from cases.follow_ups import sweep as follow_up_sweep
from cases.models import (
    CaseEvent,
    FollowUp,
    Gesture,
    Notification,
    RecoveryCase,
    RootCause,
    Severity,
    SLAAlarm,
    Stage,
)
from cases.sla import sweep as sla_sweep
from cases.tests.factories import RecoveryCaseFactory
from feedback.models import Customer, Feedback, Sentiment
from recovery.roles import Role, is_agent, is_manager

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def demo_counts() -> tuple[int, ...]:
    return (
        Customer.objects.count(),
        Feedback.objects.count(),
        RecoveryCase.objects.count(),
        CaseEvent.objects.count(),
        RootCause.objects.count(),
        Gesture.objects.count(),
        User.objects.count(),
    )


# seed_demo -------------------------------------------------------------------------------------


@pytest.fixture
def debug(settings):
    """As `make run` runs seed_demo: DEBUG=1."""
    settings.DEBUG = True


def test_seed_demo_with_debug_off_refuses_and_creates_nothing(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError) as refused:
        run("seed_demo")

    assert refused.value.returncode == 1  # manage.py exits non-zero
    assert "only with DEBUG on" in str(refused.value)
    assert "--i-know-this-is-not-production" in str(refused.value)
    assert demo_counts() == (0, 0, 0, 0, 0, 0, 0)
    assert not User.objects.filter(username="admin").exists()


def test_seed_demo_with_debug_off_creates_the_logins_when_told_it_is_not_production(settings):
    settings.DEBUG = False

    run("seed_demo", "--i-know-this-is-not-production")

    assert User.objects.get(username="admin").check_password("admin-demo-pw")


@pytest.mark.usefixtures("debug")
def test_seed_demo_prints_logins_that_work():
    output = run("seed_demo")

    for username, password in [
        ("agent", "agent-demo-pw"),
        ("agent2", "agent2-demo-pw"),
        ("manager", "manager-demo-pw"),
        ("admin", "admin-demo-pw"),
    ]:
        assert f"{username:<8} / {password}" in output
        assert User.objects.get(username=username).check_password(password)
    assert is_agent(User.objects.get(username="agent"))
    assert not is_manager(User.objects.get(username="agent"))
    assert is_manager(User.objects.get(username="manager"))
    assert User.objects.get(username="admin").is_superuser


@pytest.mark.usefixtures("debug")
def test_seed_demo_covers_every_stage_and_severity_with_real_timelines():
    run("seed_demo")

    combinations = set(RecoveryCase.objects.values_list("stage", "severity"))
    assert combinations == {(stage, severity) for stage in Stage.values for severity in Severity.values}
    assert Customer.objects.filter(external_id__startswith="DEMO-").count() == 200
    # Every stage reached was reached through the workflow: one stage_changed event per move.
    for case in RecoveryCase.objects.exclude(stage=Stage.NEW):
        assert case.events.filter(kind=CaseEvent.Kind.STAGE_CHANGED, to_stage=case.stage).exists()
    assert RecoveryCase.objects.filter(reopen_count=1).exists()
    assert RootCause.objects.filter(cases__isnull=False).distinct().count() >= 3
    assert Gesture.objects.exists()


@pytest.mark.usefixtures("debug")
def test_seed_demo_gives_every_negative_feedback_its_case_and_every_case_its_feedback():
    run("seed_demo")

    assert not Feedback.objects.filter(sentiment=Sentiment.NEGATIVE, case__isnull=True).exists()
    assert not RecoveryCase.objects.filter(originating_feedback__isnull=True).exists()
    for case in RecoveryCase.objects.select_related("originating_feedback")[:20]:
        assert case.originating_feedback.case_id == case.pk


@pytest.mark.usefixtures("debug")
def test_seed_demo_twice_adds_nothing_and_says_so():
    run("seed_demo")
    first = demo_counts()

    output = run("seed_demo")

    assert demo_counts() == first
    assert "already present" in output


@pytest.mark.usefixtures("debug")
def test_seed_demo_restores_a_demo_password_someone_changed():
    run("seed_demo")
    manager = User.objects.get(username="manager")
    manager.set_password("something-else")
    manager.save()

    run("seed_demo")

    manager.refresh_from_db()
    assert manager.check_password("manager-demo-pw")


@pytest.mark.usefixtures("debug")
def test_the_first_sweeps_after_seed_demo_send_nothing_old(mailoutbox):
    seeded_at = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    with time_machine.travel(seeded_at, tick=False):
        run("seed_demo")

        sla_counts = sla_sweep.sweep(now=seeded_at)
        follow_up_counts = follow_up_sweep.sweep(now=seeded_at)

    assert (sla_counts["warnings"], sla_counts["breaches"], sla_counts["escalations"]) == (0, 0, 0)
    assert follow_up_counts == {"reminded": 0, "surveys": 0, "escalated": 0}
    assert (Notification.objects.count(), mailoutbox) == (0, [])
    # What happened in the demo's past is on the timelines, as handled.
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.SLA_BREACHED).exists()
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.REMINDER).exists()


@pytest.mark.usefixtures("debug")
def test_seed_demo_stamps_each_sweep_event_when_it_came_due_and_customers_before_their_feedback():
    seeded_at = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    with time_machine.travel(seeded_at, tick=False):
        run("seed_demo")

    sla_events = CaseEvent.objects.filter(
        kind__in=(CaseEvent.Kind.SLA_WARNING, CaseEvent.Kind.SLA_BREACHED, CaseEvent.Kind.ESCALATED),
        data__has_key="moment",
    )
    assert sla_events.count() >= 20
    for event in sla_events:  # not "9 min ago ... was due 2026-11-01": at the moment itself
        assert event.created_at == datetime.fromisoformat(event.data["moment"]) <= seeded_at
    reminders = CaseEvent.objects.filter(kind=CaseEvent.Kind.REMINDER)
    assert reminders.exists()
    for event in reminders:
        assert event.created_at == FollowUp.objects.get(pk=event.data["follow_up"]).due_at
    overdue = CaseEvent.objects.filter(kind=CaseEvent.Kind.ESCALATED, data__reason="follow_up_overdue")
    for event in overdue:
        due_at = FollowUp.objects.get(pk=event.data["follow_up"]).due_at
        assert event.created_at == due_at + follow_up_sweep.ESCALATE_AFTER
    # Gestures and root-cause links too: during the case's life, not "2 min ago" on a case long closed.
    acted = CaseEvent.objects.filter(kind__in=(CaseEvent.Kind.GESTURE, CaseEvent.Kind.ROOT_CAUSE_LINKED))
    assert acted.count() >= 40
    for event in acted.select_related("case"):
        assert event.case.created_at < event.created_at < seeded_at, event
    assert not RootCause.objects.filter(
        created_at__gt=RecoveryCase.objects.aggregate(Min("created_at"))["created_at__min"]
    ).exists()
    first_feedback = dict(
        Feedback.objects.order_by()
        .values("customer")
        .annotate(first=Min("occurred_at"))
        .values_list("customer", "first")
    )
    for customer in Customer.objects.filter(external_id__startswith="DEMO-"):
        assert customer.created_at < first_feedback.get(customer.pk, seeded_at), customer


@pytest.mark.usefixtures("debug")
def test_seed_demo_never_gives_a_customer_two_open_cases_at_once():
    run("seed_demo")

    far_future = datetime.max.replace(tzinfo=UTC)
    by_customer: dict[int, list[tuple[datetime, datetime]]] = {}
    for customer_id, opened, closed in RecoveryCase.objects.values_list(
        "customer_id", "created_at", "closed_at"
    ):
        by_customer.setdefault(customer_id, []).append((opened, closed or far_future))
    for spans in by_customer.values():
        spans.sort()
        assert all(earlier[1] <= later[0] for earlier, later in itertools.pairwise(spans))
    repeats = RecoveryCase.objects.filter(is_repeat=True)
    assert repeats.count() >= 5
    assert all(len(by_customer[case.customer_id]) == 2 for case in repeats)


# issue_token -----------------------------------------------------------------------------------


def test_issue_token_prints_only_the_key_of_a_user_it_puts_in_the_group(django_user_model):
    django_user_model.objects.create_user(username="survey-tool")

    output = run("issue_token", "survey-tool", "--role", "intake")

    token = Token.objects.get(user__username="survey-tool")
    assert output == token.key + "\n"
    assert list(User.objects.get(username="survey-tool").groups.values_list("name", flat=True)) == [
        Role.INTAKE
    ]


def test_issue_token_with_create_creates_the_user_in_the_role():
    output = run("issue_token", "maria", "--role", "manager", "--create")

    user = User.objects.get(username="maria")
    assert output.strip() == Token.objects.get(user=user).key
    assert is_manager(user)
    assert not user.has_usable_password()


def test_issue_token_again_returns_the_same_key_and_creates_nobody():
    first = run("issue_token", "app", "--role", "agent", "--create")

    second = run("issue_token", "app", "--role", "agent", "--create")

    assert first == second
    assert User.objects.filter(username="app").count() == 1


def test_issue_token_for_an_unknown_user_without_create_fails_and_stores_nothing():
    with pytest.raises(CommandError, match="No user named 'ghost'; pass --create"):
        run("issue_token", "ghost", "--role", "agent")

    assert not User.objects.filter(username="ghost").exists()
    assert not Token.objects.exists()


def test_issue_token_refuses_an_unknown_role():
    with pytest.raises(CommandError, match="invalid choice: 'boss'"):
        run("issue_token", "someone", "--role", "boss", "--create")

    assert not User.objects.filter(username="someone").exists()


# seed_load -------------------------------------------------------------------------------------

NOW = datetime(2025, 3, 10, 9, 30, tzinfo=UTC)
# The default policies, spelled out: (acknowledge, apologize, resolve) after the complaint.
TARGETS = {
    "critical": (timedelta(minutes=15), timedelta(minutes=30), timedelta(hours=4)),
    "high": (timedelta(hours=1), timedelta(hours=2), timedelta(hours=24)),
    "medium": (timedelta(hours=4), timedelta(hours=8), timedelta(hours=72)),
    "low": (timedelta(hours=24), timedelta(hours=48), timedelta(days=7)),
}
REACHED = {
    Stage.NEW: (),
    Stage.ACKNOWLEDGED: ("acknowledged_at",),
    Stage.APOLOGIZED: ("acknowledged_at", "apologized_at"),
    Stage.RESOLVED: ("acknowledged_at", "apologized_at", "resolved_at"),
    Stage.FOLLOWED_UP: ("acknowledged_at", "apologized_at", "resolved_at", "followed_up_at"),
    Stage.CLOSED: ("acknowledged_at", "apologized_at", "resolved_at", "followed_up_at", "closed_at"),
}
STAGE_MOMENTS = ("acknowledged_at", "apologized_at", "resolved_at", "followed_up_at", "closed_at")


def seed_load(*args) -> str:
    with time_machine.travel(NOW, tick=False):
        return run("seed_load", *args)


def expected_running_target(case) -> tuple[datetime, datetime] | None:
    """(due, warn) of the running target, worked out from the rules rather than from cases.sla."""
    if case.stage in (Stage.FOLLOWED_UP, Stage.CLOSED):
        return None
    if case.stage == Stage.RESOLVED:
        return case.resolved_at + timedelta(days=3), case.resolved_at + timedelta(days=3) * 0.75
    within = TARGETS[case.severity][list(REACHED).index(case.stage)]
    return case.sla_started_at + within, case.sla_started_at + within * 0.75


def test_seed_load_writes_cases_with_their_feedback_and_a_third_as_many_customers():
    output = seed_load("--cases", "60")

    assert "Loaded 60 cases" in output
    assert RecoveryCase.objects.count() == 60
    assert Customer.objects.count() == 20
    assert Feedback.objects.filter(sentiment=Sentiment.NEGATIVE).count() == 60
    for case in RecoveryCase.objects.select_related("originating_feedback"):
        assert case.originating_feedback.case_id == case.pk
        assert case.originating_feedback.comment
        assert case.originating_feedback.received_at == case.sla_started_at == case.created_at
    assert len(set(Feedback.objects.values_list("comment", flat=True))) > 50


def test_seed_load_sla_fields_follow_the_policies_and_the_stage():
    seed_load("--cases", "120", "--seed", "7")

    cases = list(RecoveryCase.objects.all())
    assert {c.stage for c in cases} == set(Stage.values)
    assert {c.severity for c in cases} == set(Severity.values)
    for case in cases:
        acknowledge, apologize, resolve = TARGETS[case.severity]
        assert case.acknowledge_due_at == case.sla_started_at + acknowledge
        assert case.apologize_due_at == case.sla_started_at + apologize
        assert case.resolve_due_at == case.sla_started_at + resolve
        reached = REACHED[case.stage]
        moments = [getattr(case, field) for field in reached]
        assert all(getattr(case, field) is None for field in STAGE_MOMENTS if field not in reached)
        assert moments == sorted(moments)
        assert all(case.sla_started_at <= moment <= NOW for moment in moments)
        assert case.sla_started_at >= NOW - timedelta(days=181)
        assert case.version == len(reached)
        target = expected_running_target(case)
        assert (case.sla_due_at, case.sla_warn_at) == (target or (None, None))
        if case.resolved_at:
            assert case.follow_up_due_at == case.resolved_at + timedelta(days=3)
            assert case.follow_ups.get().done_at == case.followed_up_at
        # The default policies count around the clock: the time to each stage is plain elapsed time.
        assert case.time_to_acknowledge == (case.acknowledged_at and case.acknowledged_at - case.created_at)
        assert case.time_to_resolve == (case.resolved_at and case.resolved_at - case.created_at)


def test_seed_load_due_fraction_puts_exactly_that_share_past_due_and_the_rest_ahead():
    seed_load("--cases", "80", "--due-fraction", "0.25")

    due = RecoveryCase.objects.filter(sla_due_at__lte=NOW)
    assert due.count() == 20
    assert due.filter(sla_warn_at__lte=NOW).count() == 20
    running = RecoveryCase.objects.filter(sla_due_at__isnull=False).exclude(pk__in=due)
    assert running.exists()
    assert not running.filter(sla_warn_at__lte=NOW).exists()


def test_seed_load_gives_each_running_stage_clock_an_alarm_and_the_next_sweep_finds_the_due_ones():
    seed_load("--cases", "80", "--due-fraction", "0.25")

    stage_clocks_run = RecoveryCase.objects.filter(
        stage__in=[Stage.NEW, Stage.ACKNOWLEDGED, Stage.APOLOGIZED]
    )
    alarmed = set(SLAAlarm.objects.values_list("case_id", flat=True))
    assert alarmed == set(stage_clocks_run.values_list("pk", flat=True))
    due = stage_clocks_run.filter(sla_due_at__lte=NOW)
    assert due.exists()
    assert SLAAlarm.objects.filter(rings_at__lte=NOW).count() == due.count()
    assert sla_sweep.sweep(now=NOW)["cases"] == due.count()


def test_seed_load_open_only_writes_no_closed_case():
    seed_load("--cases", "60", "--open-only", "--due-fraction", "0")

    assert RecoveryCase.objects.count() == 60
    assert not RecoveryCase.objects.filter(stage=Stage.CLOSED).exists()
    assert not RecoveryCase.objects.filter(sla_due_at__lte=NOW).exists()


def test_seed_load_twice_adds_more_and_ordinary_inserts_still_work_afterwards():
    seed_load("--cases", "30")
    seed_load("--cases", "30")

    later = RecoveryCaseFactory()

    assert RecoveryCase.objects.count() == 61
    assert later.pk > max(RecoveryCase.objects.exclude(pk=later.pk).values_list("pk", flat=True))
    assert Customer.objects.count() == 21  # 10 + 10 from the loads, 1 from the factory


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--cases", "0"), "--cases and --batch-size must be at least 1"),
        (("--cases", "10", "--due-fraction", "1.5"), "invalid fraction value"),
        (("--cases", "ten"), "invalid int value"),
    ],
)
def test_seed_load_refuses_bad_arguments_and_writes_nothing(args, message):
    with pytest.raises(CommandError, match=message):
        seed_load(*args)

    assert (RecoveryCase.objects.count(), Customer.objects.count()) == (0, 0)
