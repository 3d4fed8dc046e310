"""The back office (the Django admin) is for managers and the admin; what each may do there comes from
the roles (`recovery.roles.ROLE_PERMISSIONS`), the same table the services and the API ask."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.utils.dateparse import parse_datetime

from cases.devdata import demo
from cases.models import BusinessCalendar, RecoveryCase, RootCause, SLAPolicy, Stage
from cases.tests.factories import RecoveryCaseFactory
from cases.tests.test_admin import act, message_texts
from cases.tests.test_sla_admin import BERLIN_CALENDAR_FORM
from recovery import accounts
from recovery.roles import Role

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


def test_the_demo_agent_is_not_staff_and_the_back_office_turns_them_away(client):
    login = next(login for login in demo.DEMO_LOGINS if login.username == "agent")
    agent = demo.ensure_login(login)

    response = client.post(
        "/admin/login/", {"username": "agent", "password": login.password, "next": "/admin/"}
    )

    assert not agent.is_staff
    assert response.status_code == 200  # the admin's form again, refusing a non-staff account
    assert client.get("/admin/cases/recoverycase/").status_code == 302


def test_an_agent_made_staff_by_hand_still_has_only_an_agents_permissions(client, other_agent):
    agent = demo.ensure_login(next(login for login in demo.DEMO_LOGINS if login.username == "agent"))
    agent.is_staff = True
    agent.save()
    client.force_login(agent)
    free, theirs = RecoveryCaseFactory(), RecoveryCaseFactory(owner=other_agent)
    policy = SLAPolicy.objects.get(severity="high")

    response = act(client, "acknowledge_cases", [free, theirs])

    assert any("belongs to another agent" in text for text in message_texts(response))
    stages = dict(RecoveryCase.objects.values_list("pk", "stage"))
    assert stages == {free.pk: Stage.ACKNOWLEDGED, theirs.pk: Stage.NEW}
    assert client.get(f"/admin/cases/slapolicy/{policy.pk}/change/").status_code == 200  # read only
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


def test_only_managers_become_staff(django_user_model):
    people = {role: django_user_model.objects.create_user(username=f"someone-{role}") for role in Role}
    for role, user in people.items():
        accounts.grant_role(user=user, role=role)

    staff = {role: django_user_model.objects.get(pk=user.pk).is_staff for role, user in people.items()}
    assert staff == {Role.AGENT: False, Role.MANAGER: True, Role.INTAKE: False, Role.TRUSTED_INTAKE: False}


def test_after_migrate_role_groups_exist_without_stored_permissions_and_managers_are_staff(django_user_model):
    managers = Group.objects.get(name=Role.MANAGER)
    managers.permissions.add(Permission.objects.get(codename="delete_recoverycase"))  # left by an old version
    member = django_user_model.objects.create_user(username="hired-before-the-upgrade")
    member.groups.add(managers)

    call_command("migrate", verbosity=0)

    assert set(Group.objects.values_list("name", flat=True)) >= set(Role)
    assert not Permission.objects.filter(group__name__in=list(Role)).exists()
    member = django_user_model.objects.get(pk=member.pk)
    assert member.is_staff
    assert not member.has_perm("cases.delete_recoverycase")  # only ROLE_PERMISSIONS count
    assert member.has_perm("cases.change_slapolicy")


def test_the_back_office_queue_is_most_urgent_first_and_filters_to_mine_or_nobodys(client, other_agent):
    agent = sign_in(client, "manager")
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


ROOT_CAUSE_FORM = {
    "title": "Courier drops parcels",
    "category": "partner",
    "status": "open",
    "description": "",
    # As the add form renders them: the watch window's defaults.
    "watch_days": 30,
    "recurrence_threshold": 3,
}


def test_a_manager_adds_a_root_cause_in_the_admin_through_the_service(client):
    sign_in(client, "manager")

    response = client.post(
        "/admin/cases/rootcause/add/", {**ROOT_CAUSE_FORM, "corrective_action": "New courier"}
    )

    assert response.status_code == 302
    assert RootCause.objects.get().corrective_action == "New courier"


def test_a_root_cause_the_service_refuses_is_explained_in_the_admin_and_not_saved(client):
    sign_in(client, "manager")

    response = client.post(
        "/admin/cases/rootcause/add/", {**ROOT_CAUSE_FORM, "status": "verified"}, follow=True
    )

    assert "needs a note on how the fix was checked" in " ".join(message_texts(response))
    assert not RootCause.objects.exists()


def test_an_agent_made_staff_adds_root_causes_without_the_managers_fields(client):
    agent = demo.ensure_login(next(login for login in demo.DEMO_LOGINS if login.username == "agent"))
    agent.is_staff = True
    agent.save()
    client.force_login(agent)

    form = client.get("/admin/cases/rootcause/add/").text
    response = client.post("/admin/cases/rootcause/add/", {**ROOT_CAUSE_FORM, "status": "fixed"})

    assert 'name="corrective_action"' not in form and 'name="status"' not in form
    assert response.status_code == 302
    assert RootCause.objects.get().status == "open"  # the field was not on the form: ignored
