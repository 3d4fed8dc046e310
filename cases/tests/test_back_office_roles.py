"""Agents and managers work in the back office with their demo logins; each role sees what it may do."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.utils.dateparse import parse_datetime

from cases.devdata import demo
from cases.models import BusinessCalendar, RecoveryCase, SLAPolicy, Stage
from cases.tests.factories import RecoveryCaseFactory
from cases.tests.test_admin import act, message_texts
from cases.tests.test_sla_admin import BERLIN_CALENDAR_FORM
from recovery import accounts
from recovery.roles import BACK_OFFICE_PERMISSIONS, Role

pytestmark = pytest.mark.django_db


def sign_in(client, username: str):
    """Sign in through the admin's own login form, with the password `make run` prints."""
    login = next(login for login in demo.DEMO_LOGINS if login.username == username)
    user = demo.ensure_login(login)
    response = client.post(
        "/admin/login/", {"username": login.username, "password": login.password, "next": "/admin/"}
    )
    assert response.status_code == 302, "the back office refused the demo login"
    return user


def test_an_agent_signs_in_and_works_unassigned_cases_but_not_someone_elses(client, other_agent):
    agent = sign_in(client, "agent")
    free, theirs = RecoveryCaseFactory(), RecoveryCaseFactory(owner=other_agent)

    listing = client.get("/admin/cases/recoverycase/")
    response = act(client, "acknowledge_cases", [free, theirs])

    assert listing.status_code == 200
    assert {case.pk for case in listing.context["cl"].result_list} == {free.pk, theirs.pk}
    assert any("belongs to another agent" in text for text in message_texts(response))
    stages = dict(RecoveryCase.objects.values_list("pk", "stage"))
    assert stages == {free.pk: Stage.ACKNOWLEDGED, theirs.pk: Stage.NEW}
    assert RecoveryCase.objects.get(pk=free.pk).owner == agent


def test_an_agent_reads_sla_policies_and_calendars_but_may_not_change_them(client):
    sign_in(client, "agent")
    policy = SLAPolicy.objects.get(severity="high")

    assert client.get(f"/admin/cases/slapolicy/{policy.pk}/change/").status_code == 200
    assert client.post(f"/admin/cases/slapolicy/{policy.pk}/change/", {}).status_code == 403
    assert client.post("/admin/cases/businesscalendar/add/", BERLIN_CALENDAR_FORM).status_code == 403
    assert client.get("/admin/cases/notification/").status_code == 403  # the outbox is the managers'
    assert not BusinessCalendar.objects.exists()


def test_a_manager_edits_sla_policies_and_calendars(client):
    sign_in(client, "manager")
    policy = SLAPolicy.objects.get(severity="high")

    calendar = client.post("/admin/cases/businesscalendar/add/", BERLIN_CALENDAR_FORM)
    edited = client.post(
        f"/admin/cases/slapolicy/{policy.pk}/change/",
        {
            "severity": "high",
            "acknowledge_within": "00:30:00",
            "apologize_within": "02:00:00",
            "resolve_within": "1 00:00:00",
            "follow_up_after": "3 00:00:00",
            "warn_at_fraction": "0.75",
            "calendar": BusinessCalendar.objects.get().pk,
        },
    )

    assert (calendar.status_code, edited.status_code) == (302, 302)
    policy.refresh_from_db()
    assert (str(policy.acknowledge_within), policy.calendar.name) == ("0:30:00", "Berlin office")


def test_agents_and_managers_become_staff_and_intake_clients_do_not(django_user_model):
    people = {role: django_user_model.objects.create_user(username=f"someone-{role}") for role in Role}
    for role, user in people.items():
        accounts.grant_role(user=user, role=role)

    staff = {role: django_user_model.objects.get(pk=user.pk).is_staff for role, user in people.items()}
    assert staff == {Role.AGENT: True, Role.MANAGER: True, Role.INTAKE: False}


def test_after_migrate_each_role_has_exactly_its_back_office_permissions(django_user_model):
    agents = Group.objects.get(name=Role.AGENT)
    agents.permissions.clear()
    agents.permissions.add(Permission.objects.get(codename="delete_recoverycase"))  # never an agent's
    member = django_user_model.objects.create_user(username="hired-before-the-upgrade")
    member.groups.add(agents)

    call_command("migrate", verbosity=0)

    for role, names in BACK_OFFICE_PERMISSIONS.items():
        granted = Group.objects.get(name=role).permissions.select_related("content_type")
        assert {f"{p.content_type.app_label}.{p.codename}" for p in granted} == set(names)
    member.refresh_from_db()
    assert member.is_staff


def test_an_agents_queue_is_most_urgent_first_and_filters_to_theirs_or_nobodys(client, other_agent):
    agent = sign_in(client, "agent")
    started = parse_datetime("2026-11-20T10:00:00Z")
    low = RecoveryCaseFactory(severity="low", sla_started_at=started, owner=agent)  # due in 24 h
    critical = RecoveryCaseFactory(severity="critical", sla_started_at=started)  # due in 15 min
    high = RecoveryCaseFactory(severity="high", sla_started_at=started, owner=other_agent)  # in 1 h
    done = RecoveryCaseFactory(stage=Stage.CLOSED, owner=agent)  # no clock runs: last

    def listed(**params):
        response = client.get("/admin/cases/recoverycase/", params)
        return [case.pk for case in response.context["cl"].result_list]

    assert listed() == [critical.pk, high.pk, low.pk, done.pk]
    assert listed(assigned="me") == [low.pk, done.pk]
    assert listed(assigned="nobody") == [critical.pk]
