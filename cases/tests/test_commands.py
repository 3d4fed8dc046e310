"""The management commands, run as an operator runs them: through call_command, output captured."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

from cases.models import CaseEvent, Gesture, RecoveryCase, RootCause, Severity, Stage
from cases.roles import Role, is_agent, is_manager
from feedback.models import Customer, Feedback, Sentiment

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


def test_seed_demo_gives_every_negative_feedback_its_case_and_every_case_its_feedback():
    run("seed_demo")

    assert not Feedback.objects.filter(sentiment=Sentiment.NEGATIVE, case__isnull=True).exists()
    assert not RecoveryCase.objects.filter(originating_feedback__isnull=True).exists()
    for case in RecoveryCase.objects.select_related("originating_feedback")[:20]:
        assert case.originating_feedback.case_id == case.pk


def test_seed_demo_twice_adds_nothing_and_says_so():
    run("seed_demo")
    first = demo_counts()

    output = run("seed_demo")

    assert demo_counts() == first
    assert "already present" in output


def test_seed_demo_restores_a_demo_password_someone_changed():
    run("seed_demo")
    manager = User.objects.get(username="manager")
    manager.set_password("something-else")
    manager.save()

    run("seed_demo")

    manager.refresh_from_db()
    assert manager.check_password("manager-demo-pw")


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
