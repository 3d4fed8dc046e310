"""`/gestures/pending/`: the managers' approval inbox."""

import pytest
from django.contrib.messages import get_messages

from cases.gestures import services as gestures
from cases.models import CaseEvent, Gesture
from cases.tests.factories import GestureFactory, RecoveryCaseFactory

pytestmark = pytest.mark.django_db

INBOX = "/gestures/pending/"


def pending(agent, **fields):
    fields = {"amount": "80.00", **fields}
    return GestureFactory(status=Gesture.Status.PENDING_APPROVAL, requested_by=agent, **fields)


def decide(client, gesture, decision, note="", **headers):
    return client.post(f"/gestures/{gesture.pk}/decide/", {"decision": decision, "note": note}, **headers)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert client.get(INBOX)["Location"] == f"/login/?next={INBOX}"


@pytest.mark.parametrize("role", ["agent", "other_agent", "intake_user"])
def test_only_managers_open_the_inbox(client, request, role):
    client.force_login(request.getfixturevalue(role))

    assert client.get(INBOX).status_code == 403


@pytest.mark.parametrize("role", ["agent", "intake_user"])
def test_only_managers_decide_and_a_refused_decision_changes_nothing(client, request, agent, role):
    gesture = pending(agent)
    client.force_login(request.getfixturevalue(role))

    assert decide(client, gesture, "approve").status_code == 403
    gesture.refresh_from_db()
    assert (gesture.status, gesture.case.events.count()) == (Gesture.Status.PENDING_APPROVAL, 0)


def test_the_inbox_lists_waiting_gestures_oldest_first_with_what_a_manager_decides_on(
    client, manager, agent, django_assert_max_num_queries
):
    newest, oldest = pending(agent, description="Parcel crushed twice"), pending(agent, amount="120.50")
    Gesture.objects.filter(pk=oldest.pk).update(created_at=newest.created_at.replace(year=2025))
    GestureFactory(status=Gesture.Status.GRANTED, requested_by=agent)  # decided: not in the inbox
    for _ in range(20):
        pending(agent)
    client.force_login(manager)

    with django_assert_max_num_queries(7):  # + the user's teams (the scope)
        page = client.get(INBOX).text

    assert page.count('<tr id="gesture-') == 22
    assert page.index(f'id="gesture-{oldest.pk}"') < page.index(f'id="gesture-{newest.pk}"')
    assert f'href="/cases/{newest.case.reference}/"' in page
    assert "120.50&nbsp;EUR" in page and "Parcel crushed twice" in page and "Voucher" in page
    assert f'<label for="note-{newest.pk}">Note</label>' in page
    assert ">Approve</button>" in page and ">Reject</button>" in page


def test_an_empty_inbox_says_so(client, manager):
    client.force_login(manager)

    assert "No gesture is waiting for a decision." in client.get(INBOX).text


@pytest.mark.parametrize(("decision", "status"), [("approve", "approved"), ("reject", "rejected")])
def test_without_javascript_a_decision_redirects_back_with_a_flash(client, manager, agent, decision, status):
    gesture = pending(agent)
    client.force_login(manager)

    response = decide(client, gesture, decision, note="  Fair, given the delay ")

    assert (response.status_code, response["Location"]) == (302, INBOX)
    gesture.refresh_from_db()
    assert (gesture.status, gesture.decided_by, gesture.decision_note) == (
        status,
        manager,
        "Fair, given the delay",
    )
    event = gesture.case.events.get(kind=CaseEvent.Kind.GESTURE)
    assert (event.actor, event.data["status"]) == (manager, status)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"{gesture.case.reference}: Voucher 80.00 EUR {status}."
    ]


def test_with_htmx_the_answer_removes_the_row_and_fills_the_status_line(client, manager, agent):
    gesture = pending(agent)
    client.force_login(manager)

    response = decide(client, gesture, "approve", HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert 'id="decision-status" hx-swap-oob="innerHTML"' in response.text
    assert f"{gesture.case.reference}: Voucher 80.00 EUR approved." in response.text
    assert "<tr" not in response.text
    gesture.refresh_from_db()
    assert gesture.status == Gesture.Status.APPROVED


def test_a_gesture_another_manager_decided_meanwhile_is_refused_clearly_and_left_alone(
    client, manager, agent, django_user_model
):
    gesture = pending(agent)
    rival = django_user_model.objects.create_superuser("boss", first_name="Rosa")
    gestures.reject(gesture_id=gesture.pk, actor=rival, note="Too much")
    client.force_login(manager)

    plain = decide(client, gesture, "approve")
    htmx = decide(client, gesture, "approve", HTTP_HX_REQUEST="true")

    assert plain["Location"] == INBOX
    (message,) = [str(m) for m in get_messages(plain.wsgi_request)]
    assert message.startswith(
        f"The Voucher 80.00 EUR on {gesture.case.reference} was already rejected by Rosa at "
    )
    assert message.endswith("; nothing changed.")
    assert "flash-error" in htmx.text and "already rejected by Rosa" in htmx.text
    gesture.refresh_from_db()
    assert (gesture.status, gesture.decided_by, gesture.decision_note) == ("rejected", rival, "Too much")
    assert gesture.case.events.filter(kind=CaseEvent.Kind.GESTURE).count() == 1


def test_an_unknown_decision_or_gesture_is_refused(client, manager, agent):
    gesture = pending(agent)
    client.force_login(manager)

    assert decide(client, gesture, "maybe").status_code == 400
    assert client.post("/gestures/999999/decide/", {"decision": "approve"}).status_code == 404
    assert client.get(f"/gestures/{gesture.pk}/decide/").status_code == 405
    gesture.refresh_from_db()
    assert gesture.status == Gesture.Status.PENDING_APPROVAL


def test_the_approval_email_links_to_the_inbox(agent, manager, settings):
    settings.SITE_URL = "https://mend.example"
    manager.email = "maria@example.com"
    manager.save()
    case = RecoveryCaseFactory(owner=agent)

    gestures.request_gesture(
        case_id=case.pk,
        actor=agent,
        kind="refund",
        amount="75.00",
        currency="EUR",
        description="Charged twice",
    )

    (body,) = case.notifications.values_list("body", flat=True)
    assert "Reason: Charged twice" in body
    assert "https://mend.example/gestures/pending/" in body
    assert "/api/v1/" not in body
