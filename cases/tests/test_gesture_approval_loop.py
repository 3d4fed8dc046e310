"""Issue 23 D3: the gesture approval loop, closed. The agent gives a reason and reads whom the gesture
waits for; the manager sees the case's stage and confirms twice on a closed case; the nav's count stays
current; the agent hears the decision in the workspace and by email, after commit."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail

from cases.gestures import services as gestures
from cases.models import Gesture, Notice, Notification, RecoveryCase, Stage
from cases.tests.factories import GestureFactory, RecoveryCaseFactory
from conftest import signed_in
from recovery.errors import Conflict
from recovery.roles import Role

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def maria(manager):
    manager.first_name, manager.last_name, manager.email = "Maria", "Rossi", "maria@example.com"
    manager.save()
    return manager


def grant(client, case, *, htmx=False, **data):
    data = {"kind": "refund", "amount": "80.00", "currency": "EUR", "reason": "", **data}
    data.setdefault("version", RecoveryCase.objects.get(pk=case.pk).version)
    return client.post(f"/cases/{case.reference}/actions/gesture/", data, **(HTMX if htmx else {}))


def waiting(agent, **fields):
    return GestureFactory(
        status=Gesture.Status.PENDING_APPROVAL, requested_by=agent, amount="80.00", **fields
    )


def decide(client, gesture, decision, *, htmx=False, **data):
    return client.post(
        f"/gestures/{gesture.pk}/decide/", {"decision": decision, **data}, **(HTMX if htmx else {})
    )


# The agent's side ---------------------------------------------------------------------------------
def test_an_over_limit_gesture_without_a_reason_is_refused_next_to_the_field_keeping_the_text(agent, maria):
    case = RecoveryCaseFactory(owner=agent)

    response = grant(signed_in(agent), case, htmx=True, amount="80.00", currency="EUR", kind="voucher")

    assert response.status_code == 422
    html = response.text
    reason_field = html[html.index('<label for="id_reason">') :]
    assert "a manager approves, and reads this reason first" in reason_field[: reason_field.index("</div>")]
    assert 'value="80.00"' in html and '<option value="voucher" selected>' in html
    assert not Gesture.objects.exists()


def test_after_an_over_limit_gesture_the_agent_reads_whom_it_waits_for(agent, maria, django_user_model):
    django_user_model.objects.create_user("inactive-boss", first_name="Old", is_active=False)
    case = RecoveryCaseFactory(owner=agent)

    response = grant(signed_in(agent), case, htmx=True, reason="Charged twice; a week late")

    assert response.status_code == 200
    assert "Gesture recorded. Waiting for approval by Maria Rossi (manager)." in response.text
    (gesture,) = Gesture.objects.all()
    assert (gesture.status, gesture.description) == (
        Gesture.Status.PENDING_APPROVAL,
        "Charged twice; a week late",
    )


def test_without_javascript_the_waiting_message_is_the_flash(agent, maria):
    case = RecoveryCaseFactory(owner=agent)
    client = signed_in(agent)

    grant(client, case, reason="Late twice")

    assert "Waiting for approval by Maria Rossi (manager)." in client.get(f"/cases/{case.reference}/").text


def test_with_two_managers_both_are_named(agent, maria, django_user_model):
    tom = django_user_model.objects.create_user("tom", first_name="Tom", last_name="Lee")
    tom.groups.add(Group.objects.get(name=Role.MANAGER))
    gesture = waiting(agent)

    assert gestures.waiting_for(gesture) == (
        "Waiting for approval by Maria Rossi (manager) or Tom Lee (manager)."
    )


def test_a_gesture_within_the_limit_is_simply_granted(agent):
    case = RecoveryCaseFactory(owner=agent)

    response = grant(signed_in(agent), case, htmx=True, amount="20.00")

    assert "Gesture granted." in response.text
    assert Gesture.objects.get().status == Gesture.Status.GRANTED


# The manager's side -------------------------------------------------------------------------------
def test_the_inbox_shows_each_cases_stage(agent, maria):
    open_one = waiting(agent, case=RecoveryCaseFactory(stage=Stage.APOLOGIZED))
    closed_one = waiting(agent, case=RecoveryCaseFactory(closed=True))

    html = signed_in(maria).get("/gestures/pending/").text

    assert '<th scope="col">Stage</th>' in html
    row = html[html.index(f'id="gesture-{open_one.pk}"') :]
    assert '<td class="stage">Apologized</td>' in row[: row.index("</tr>")]
    row = html[html.index(f'id="gesture-{closed_one.pk}"') :]
    assert 'Closed<div class="small">no longer open</div>' in row[: row.index("</tr>")]


def test_approving_on_a_closed_case_asks_again_keeping_the_note_and_changes_nothing(agent, maria):
    gesture = waiting(agent, case=RecoveryCaseFactory(closed=True))

    response = decide(signed_in(maria), gesture, "approve", htmx=True, note="Promised before closing")

    assert response.status_code == 200
    assert response["HX-Reswap"] == "outerHTML"
    assert f'<tr id="gesture-{gesture.pk}" class="confirm-closed">' in response.text
    assert f"{gesture.case.reference} is closed." in response.text
    assert ">Approve anyway</button>" in response.text
    assert 'value="Promised before closing"' in response.text
    assert 'name="confirm_closed" value="on"' in response.text
    gesture.refresh_from_db()
    assert (gesture.status, gesture.case.events.count(), Notice.objects.count()) == ("pending_approval", 0, 0)


def test_confirming_approves_on_the_closed_case(agent, maria):
    gesture = waiting(agent, case=RecoveryCaseFactory(closed=True))

    response = decide(signed_in(maria), gesture, "approve", htmx=True, note="Promised", confirm_closed="on")

    assert response.status_code == 200 and "approved." in response.text
    gesture.refresh_from_db()
    assert (gesture.status, gesture.decision_note) == (Gesture.Status.APPROVED, "Promised")


def test_without_javascript_the_closed_case_question_is_the_inbox_with_that_row_asking(agent, maria):
    gesture = waiting(agent, case=RecoveryCaseFactory(closed=True))

    response = decide(signed_in(maria), gesture, "approve", note="Promised")

    assert response.status_code == 409
    assert ">Approve anyway</button>" in response.text and 'value="Promised"' in response.text
    assert Gesture.objects.get().status == Gesture.Status.PENDING_APPROVAL


def test_rejecting_on_a_closed_case_needs_no_second_step(agent, maria):
    gesture = waiting(agent, case=RecoveryCaseFactory(closed=True))

    decide(signed_in(maria), gesture, "reject")

    assert Gesture.objects.get().status == Gesture.Status.REJECTED


def test_the_api_refuses_approval_on_a_closed_case_until_confirmed(api_client, agent, maria):
    gesture = waiting(agent, case=RecoveryCaseFactory(closed=True))
    client = api_client(maria)
    url = f"/api/v1/gestures/{gesture.pk}/approve/"

    refused = client.post(url, {}, format="json")
    confirmed = client.post(url, {"closed_case_confirmed": True}, format="json")

    assert refused.status_code == 409 and "is closed" in refused.json()["detail"]
    assert (confirmed.status_code, confirmed.json()["status"]) == (200, "approved")


def test_the_service_refuses_approval_on_a_closed_case_until_confirmed(agent, maria):
    gesture = waiting(agent, case=RecoveryCaseFactory(closed=True))

    with pytest.raises(Conflict, match="confirm to approve anyway"):
        gestures.approve(gesture_id=gesture.pk, actor=maria)

    assert Gesture.objects.get().status == Gesture.Status.PENDING_APPROVAL


def badge(html: str) -> str:
    (link,) = re.findall(r'<a id="nav-approvals"[^>]*>.*?</a>', html, flags=re.S)
    return link


def test_after_a_decision_the_approvals_count_in_the_nav_is_swapped_to_what_still_waits(agent, maria):
    first, _second = waiting(agent), waiting(agent)
    client = signed_in(maria)
    assert ">2<" in badge(client.get("/gestures/pending/").text)

    response = decide(client, first, "approve", htmx=True)

    link = badge(response.text)
    assert 'hx-swap-oob="true"' in link and ">1<" in link and 'aria-current="page"' in link
    assert 'class="count"' not in badge(decide(client, _second, "reject", htmx=True).text)


# The agent is told --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("decision", "kind", "verdict"),
    [("approve", "gesture_approved", "approved"), ("reject", "gesture_rejected", "rejected")],
)
def test_the_agent_is_told_the_decision_in_the_workspace_and_by_email_after_commit(
    agent, maria, decision, kind, verdict, django_capture_on_commit_callbacks
):
    agent.email = "ana@example.com"
    agent.save()
    gesture = waiting(agent)

    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        decide(signed_in(maria), gesture, decision, note="Fair")
        assert mail.outbox == []  # nothing leaves inside the request
    for callback in after_commit:
        callback()

    (notice,) = Notice.objects.all()
    expected = f"Maria Rossi {verdict} your voucher of 80.00 EUR on {gesture.case.reference}. Note: Fair"
    assert (notice.user, notice.kind, notice.case, notice.text, notice.read_at) == (
        agent,
        kind,
        gesture.case,
        expected,
        None,
    )
    (email,) = Notification.objects.filter(template="gesture_decided")
    assert email.recipient == "ana@example.com"
    assert email.subject == f"{gesture.case.reference}: your voucher of 80.00 EUR was {verdict}"
    assert "Their note: Fair" in email.body
    assert [m.to for m in mail.outbox] == [["ana@example.com"]]


def test_a_decision_that_fails_tells_nobody(agent, maria):
    gesture = waiting(agent, case=RecoveryCaseFactory(closed=True))

    decide(signed_in(maria), gesture, "approve")

    assert not Notice.objects.exists()
    assert not Notification.objects.filter(template="gesture_decided").exists()


def test_with_many_managers_three_are_named_and_the_rest_counted(agent, django_user_model):
    group = Group.objects.get_or_create(name=Role.MANAGER)[0]
    for name in ("Ana", "Ben", "Cleo", "Dan", "Eve"):
        django_user_model.objects.create_user(name.lower(), first_name=name).groups.add(group)
    gesture = waiting(agent)

    assert gestures.waiting_for(gesture) == (
        "Waiting for approval by Ana (manager), Ben (manager) or 3 other managers."
    )


def test_the_inbox_gives_a_foreign_gestures_value_in_the_base_currency_and_the_rates_date(agent, maria):
    from datetime import date

    from cases.gestures import rates

    rates.set_rate(actor=maria, currency="KWD", units_per_base="0.3070", as_of=date(2026, 12, 1))
    case = RecoveryCaseFactory(owner=agent)
    gestures.request_gesture(
        case_id=case.pk, actor=agent, kind="refund", amount="50.00", currency="KWD", description="Cake"
    )
    gestures.request_gesture(
        case_id=case.pk, actor=agent, kind="gift", amount="5.00", currency="CHF", description="Flowers"
    )

    html = signed_in(maria).get("/gestures/pending/").text

    assert '50.00&nbsp;KWD<div class="small muted">≈&nbsp;162.87&nbsp;EUR<br>rate of 1 Dec 2026</div>' in html
    assert '5.00&nbsp;CHF<div class="small muted">no rate kept</div>' in html
