"""The admin changes stages only through the workflow, and shows what services wrote without editing it."""

import pytest
import time_machine
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core import mail
from django.utils.dateparse import parse_datetime

from cases import outbox
from cases.admin import RecoveryCaseAdmin
from cases.models import CaseEvent, Notification, RecoveryCase, Stage
from cases.tests.factories import CaseEventFactory, RecoveryCaseFactory, RootCauseFactory
from conftest import make_user
from recovery.roles import Role

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/cases/recoverycase/"


def act(client, action: str, cases, **form):
    return client.post(
        CHANGELIST, {"action": action, ACTION_CHECKBOX_NAME: [c.pk for c in cases], **form}, follow=True
    )


def message_texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def staff_agent(django_user_model):
    """An agent who may use the admin but is not a superuser."""
    user = make_user(django_user_model, "staff-agent", Role.AGENT, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename="view_recoverycase"))
    return user


def test_acknowledge_action_moves_the_cases_through_the_workflow(admin_client, admin_user):
    cases = [RecoveryCaseFactory(), RecoveryCaseFactory()]

    response = act(admin_client, "acknowledge_cases", cases)

    assert "Acknowledged: 2 cases." in message_texts(response)
    for case in cases:
        case.refresh_from_db()
        assert (case.stage, case.version, case.owner) == (Stage.ACKNOWLEDGED, 1, admin_user)
        event = case.events.get(kind=CaseEvent.Kind.STAGE_CHANGED)
        assert (event.actor, event.from_stage, event.to_stage) == (admin_user, Stage.NEW, Stage.ACKNOWLEDGED)


def test_action_needing_text_asks_for_it_first_and_changes_nothing_meanwhile(admin_client):
    case = RecoveryCaseFactory(acknowledged=True)

    response = act(admin_client, "apologize_cases", [case])

    assert response.status_code == 200
    assert "Apology given, or the channel used" in response.text
    assert case.reference in response.text
    case.refresh_from_db()
    assert (case.stage, case.events.count()) == (Stage.ACKNOWLEDGED, 0)


def test_resolve_action_with_its_summary_resolves_through_the_workflow(admin_client, admin_user):
    case = RecoveryCaseFactory(apologized=True)

    response = act(admin_client, "resolve_cases", [case], apply="1", text="Refunded the delivery fee.")

    assert "Resolved: 1 case." in message_texts(response)
    case.refresh_from_db()
    assert (case.stage, case.resolution_summary) == (Stage.RESOLVED, "Refunded the delivery fee.")
    assert case.follow_ups.filter(done_at__isnull=True).count() == 1
    assert case.events.get(kind=CaseEvent.Kind.STAGE_CHANGED).actor == admin_user


def test_follow_up_action_records_the_satisfaction(admin_client):
    case = RecoveryCaseFactory(resolved=True)

    act(admin_client, "follow_up_cases", [case], apply="1", text="Happy again.", satisfaction="4")

    case.refresh_from_db()
    assert case.stage == Stage.FOLLOWED_UP
    assert case.follow_ups.get().satisfaction == 4


def test_resolve_action_without_a_summary_is_refused_and_changes_nothing(admin_client):
    case = RecoveryCaseFactory(apologized=True)

    response = act(admin_client, "resolve_cases", [case], apply="1", text="  ")

    assert f"{case.reference}: Resolving a case needs a resolution summary." in message_texts(response)
    case.refresh_from_db()
    assert (case.stage, case.version, case.events.count()) == (Stage.APOLOGIZED, 0, 0)


def test_forbidden_action_is_reported_per_case_and_the_others_proceed(admin_client):
    fresh, done = RecoveryCaseFactory(), RecoveryCaseFactory(closed=True)

    response = act(admin_client, "acknowledge_cases", [fresh, done])

    texts = message_texts(response)
    assert f"{done.reference}: Cannot acknowledge a case that is closed. Allowed now: reopen." in texts
    assert "Acknowledged: 1 case." in texts
    fresh.refresh_from_db()
    done.refresh_from_db()
    assert (fresh.stage, done.stage) == (Stage.ACKNOWLEDGED, Stage.CLOSED)


def test_manager_close_before_follow_up_needs_a_reason_and_gets_it_from_the_form(admin_client):
    case = RecoveryCaseFactory()

    refused = act(admin_client, "close_cases", [case], apply="1", text="")
    case.refresh_from_db()
    assert case.stage == Stage.NEW
    assert any("needs a reason" in text for text in message_texts(refused))

    act(admin_client, "close_cases", [case], apply="1", text="Duplicate of another case.")
    case.refresh_from_db()
    assert (case.stage, case.close_reason) == (Stage.CLOSED, "Duplicate of another case.")


def test_reopen_action_restarts_the_case_with_its_reason(admin_client):
    case = RecoveryCaseFactory(closed=True)

    act(admin_client, "reopen_cases", [case], apply="1", text="Customer wrote again: still broken.")

    case.refresh_from_db()
    assert (case.stage, case.reopen_count) == (Stage.ACKNOWLEDGED, 1)


def test_an_agent_cannot_act_in_the_admin_on_another_agents_case(client, staff_agent, other_agent):
    case = RecoveryCaseFactory(owner=other_agent)
    client.force_login(staff_agent)

    response = act(client, "acknowledge_cases", [case])

    assert any("belongs to another agent" in text for text in message_texts(response))
    case.refresh_from_db()
    assert (case.stage, case.events.count()) == (Stage.NEW, 0)


def test_stage_is_not_an_editable_field_of_the_change_form(admin_client):
    case = RecoveryCaseFactory()

    response = admin_client.get(f"{CHANGELIST}{case.pk}/change/")

    assert response.status_code == 200
    assert "stage" not in response.context["adminform"].form.fields
    assert "severity" not in response.context["adminform"].form.fields


def test_the_change_form_shows_when_the_sla_sweep_looks_at_the_case_next(admin_client):
    case = RecoveryCaseFactory(severity="high", sla_started_at=parse_datetime("2026-11-20T10:00:00Z"))
    closed = RecoveryCaseFactory(stage=Stage.CLOSED)
    case_admin = RecoveryCaseAdmin(RecoveryCase, admin.site)

    response = admin_client.get(f"{CHANGELIST}{case.pk}/change/")

    assert response.status_code == 200
    assert "Next SLA alert" in response.text
    assert case_admin.next_sla_alert(case) == parse_datetime("2026-11-20T10:45:00Z")  # acknowledge's warning
    assert case_admin.next_sla_alert(closed) is None


def test_the_case_list_shows_and_filters_by_sla_state(admin_client):
    with time_machine.travel("2026-11-20T12:00:00Z", tick=False):
        breached = RecoveryCaseFactory(severity="high", sla_started_at=parse_datetime("2026-11-20T10:00:00Z"))
        on_track = RecoveryCaseFactory(severity="high", sla_started_at=parse_datetime("2026-11-20T11:50:00Z"))

        everything = admin_client.get(CHANGELIST)
        only_breached = admin_client.get(CHANGELIST, {"sla_state": "breached"})
        only_on_track = admin_client.get(CHANGELIST, {"sla_state": "on_track"})

    case_admin = RecoveryCaseAdmin(RecoveryCase, admin.site)
    with time_machine.travel("2026-11-20T12:00:00Z", tick=False):
        shown = {case.pk: case_admin.sla(case) for case in everything.context["cl"].result_list}
    assert shown == {breached.pk: "Breached", on_track.pk: "On track"}
    assert list(only_breached.context["cl"].result_list) == [breached]
    assert list(only_on_track.context["cl"].result_list) == [on_track]


def edit_details(client, case, **details):
    form = {"title": case.title, "description": case.description, "channel": case.channel, **details}
    return client.post(
        f"{CHANGELIST}{case.pk}/change/", {**form, "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0"}
    )


def test_editing_details_goes_through_the_service_and_leaves_the_stage(admin_client, admin_user):
    case = RecoveryCaseFactory(title="Old title", channel="web", acknowledged=True)

    edit_details(admin_client, case, title="Parcel lost", channel="phone")

    case.refresh_from_db()
    assert (case.title, case.channel, case.stage, case.version) == (
        "Parcel lost",
        "phone",
        Stage.ACKNOWLEDGED,
        1,
    )
    updated = case.events.get(kind=CaseEvent.Kind.UPDATED)
    assert updated.actor == admin_user
    assert updated.data == {"title": ["Old title", "Parcel lost"], "channel": ["web", "phone"]}


def test_saving_the_change_form_unchanged_records_nothing(admin_client):
    case = RecoveryCaseFactory(title="Parcel lost", channel="web")

    edit_details(admin_client, case)

    case.refresh_from_db()
    assert (case.version, case.events.count()) == (0, 0)


def test_an_agent_editing_another_agents_case_in_the_admin_is_refused_and_nothing_changes(
    client, staff_agent, other_agent
):
    staff_agent.user_permissions.add(*Permission.objects.filter(codename="change_recoverycase"))
    case = RecoveryCaseFactory(title="Parcel lost", owner=other_agent)
    client.force_login(staff_agent)

    response = edit_details(client, case, title="Mine now")

    assert response.status_code == 403
    case.refresh_from_db()
    assert (case.title, case.version, case.events.count()) == ("Parcel lost", 0, 0)


def test_adding_a_case_in_the_admin_opens_it_with_a_clock_and_a_created_event(admin_client, admin_user):
    customer = RecoveryCaseFactory().customer

    admin_client.post(
        f"{CHANGELIST}add/",
        {"customer": customer.pk, "title": "Phone complaint", "severity": "high", "channel": "phone"},
    )

    case = RecoveryCase.objects.get(title="Phone complaint")
    assert case.acknowledge_due_at is not None
    assert case.events.get().kind == CaseEvent.Kind.CREATED
    assert case.events.get().actor == admin_user


def test_a_case_added_in_the_admin_for_a_returning_customer_is_a_repeat_owned_by_its_opener(
    admin_client, admin_user
):
    earlier = RecoveryCaseFactory(stage=Stage.CLOSED)

    admin_client.post(
        f"{CHANGELIST}add/",
        {"customer": earlier.customer.pk, "title": "Again", "severity": "high", "channel": "phone"},
    )

    case = RecoveryCase.objects.get(title="Again")
    assert (case.is_repeat, case.owner) == (True, admin_user)


def test_search_finds_a_case_by_its_reference(admin_client):
    wanted, _ = RecoveryCaseFactory(title="Wanted"), RecoveryCaseFactory(title="Other")

    response = admin_client.get(CHANGELIST, {"q": wanted.reference})

    assert list(response.context["cl"].result_list) == [wanted]


def test_search_finds_cases_by_customer_email(admin_client):
    wanted = RecoveryCaseFactory()
    RecoveryCaseFactory()

    response = admin_client.get(CHANGELIST, {"q": wanted.customer.email})

    assert list(response.context["cl"].result_list) == [wanted]


def test_case_events_are_view_only(admin_client):
    event = CaseEventFactory()

    assert admin_client.get(f"/admin/cases/caseevent/{event.pk}/change/").status_code == 200
    assert admin_client.get("/admin/cases/caseevent/add/").status_code == 403
    assert admin_client.post(f"/admin/cases/caseevent/{event.pk}/delete/").status_code == 403
    admin_client.post(f"/admin/cases/caseevent/{event.pk}/change/", {"message": "rewritten"})
    event.refresh_from_db()
    assert event.message != "rewritten"


def test_retry_now_sends_a_failed_email_again(admin_client, django_capture_on_commit_callbacks):
    failed = Notification.objects.create(
        recipient="agent@example.com",
        subject="SLA breached",
        body="RC-000001 breached.\n",
        template="case_update",
        status=Notification.Status.FAILED,
        attempts=outbox.MAX_ATTEMPTS,
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/cases/notification/", {"action": "retry_now", ACTION_CHECKBOX_NAME: [failed.pk]}
        )

    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Notification.Status.SENT, 1)
    assert [m.subject for m in mail.outbox] == ["SLA breached"]


def test_root_cause_list_counts_the_cases_linked_to_each(admin_client):
    root_cause = RootCauseFactory()
    root_cause.cases.add(RecoveryCaseFactory(), RecoveryCaseFactory())

    response = admin_client.get("/admin/cases/rootcause/")

    assert [rc.case_count for rc in response.context["cl"].result_list] == [2]


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        CHANGELIST,
        "/admin/cases/caseevent/",
        "/admin/cases/gesture/",
        "/admin/cases/followup/",
        "/admin/cases/rootcause/",
        "/admin/cases/slapolicy/",
        "/admin/cases/notification/",
        "/admin/feedback/customer/",
        "/admin/feedback/feedback/",
    ],
)
def test_every_admin_list_renders(admin_client, url):
    RecoveryCaseFactory()

    assert admin_client.get(url).status_code == 200
