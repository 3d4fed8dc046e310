"""A manager exports everything about a customer, or erases them; counts stay, words go; both audited."""

import json

import pytest
from django.core.management import CommandError, call_command

from cases import services
from cases.conversation import outbound
from cases.models import CaseEvent, Gesture, RecoveryCase
from cases.tests.factories import GestureFactory, RecoveryCaseFactory
from feedback.models import Customer, DataSubjectRequest, Feedback
from feedback.tests.factories import CustomerFactory, FeedbackFactory

pytestmark = pytest.mark.django_db

SECRET = "my neighbour Jo saw the crushed parcel"


@pytest.fixture
def customer(agent):
    customer = CustomerFactory(
        external_id="C-42", name="Ana Lopez", email="ana@example.com", phone="+1 555 0100", segment="gold"
    )
    case = RecoveryCaseFactory(
        customer=customer, title="Ana's parcel crushed", description=SECRET, owner=agent
    )
    FeedbackFactory(customer=customer, case=case, comment=SECRET, rating=1, metadata={"order": "SO-1"})
    FeedbackFactory(customer=customer, comment="Lovely staff", rating=5)
    services.add_note(case=case, actor=agent, body=f"Ana said: {SECRET}", visibility="internal")
    GestureFactory(case=case, description=f"Voucher for Ana ({SECRET})")
    return customer


def test_a_manager_exports_everything_about_a_customer_and_it_is_audited(api_client, manager, customer):
    response = api_client(manager).get("/api/v1/customers/C-42/export/")

    assert response.status_code == 200
    body = response.json()
    assert body["customer"]["email"] == "ana@example.com"
    assert len(body["feedback"]) == 2 and len(body["cases"]) == 1 and len(body["gestures"]) == 1
    assert any(SECRET in event["message"] for event in body["events"])
    (audit,) = DataSubjectRequest.objects.all()
    assert (audit.kind, audit.customer_id, audit.actor, audit.via) == ("export", customer.pk, manager, "api")


def test_the_export_holds_the_conversation_with_them(api_client, manager, customer, agent):
    case = RecoveryCase.objects.get(customer=customer)
    outbound.reply(case_id=case.pk, actor=agent, body="We are sending a new parcel today.")

    body = api_client(manager).get("/api/v1/customers/C-42/export/").json()

    (message,) = body["messages"]
    assert (message["direction"], message["to_address"]) == ("outbound", "ana@example.com")
    assert message["body"] == "We are sending a new parcel today."


def test_erasure_scrubs_the_person_and_keeps_the_counts(api_client, manager, customer):
    counts_before = _counts(customer)

    response = api_client(manager).post("/api/v1/customers/C-42/erase/")

    assert response.status_code == 200
    assert response.json() == {"id": customer.pk, "external_id": f"erased-{customer.pk}"}
    customer.refresh_from_db()
    assert (customer.name, customer.email, customer.phone, customer.segment) == ("", "", "", "gold")
    assert _counts(customer) == counts_before
    everything = json.dumps(
        [
            list(Feedback.objects.values()),
            list(RecoveryCase.objects.values("title", "description")),
            list(CaseEvent.objects.values("message", "data")),
            list(Gesture.objects.values("description")),
        ],
        default=str,
    )
    assert SECRET not in everything and "Ana" not in everything and "ana@example.com" not in everything
    assert sorted(Feedback.objects.values_list("rating", flat=True)) == [1, 5]  # the scores stay
    audit = DataSubjectRequest.objects.get(kind="erase")
    assert (audit.customer_id, audit.actor_username) == (customer.pk, manager.username)


def _counts(customer: Customer) -> tuple:
    return (
        customer.cases.count(),
        customer.feedback.count(),
        Gesture.objects.filter(case__customer=customer).count(),
        CaseEvent.objects.filter(case__customer=customer).count(),
    )


def test_agents_may_neither_export_nor_erase_and_nothing_is_audited(api_client, agent, customer):
    client = api_client(agent)

    assert client.get("/api/v1/customers/C-42/export/").status_code == 403
    assert client.post("/api/v1/customers/C-42/erase/").status_code == 403
    assert not DataSubjectRequest.objects.exists()
    assert Customer.objects.get(pk=customer.pk).email == "ana@example.com"


def test_an_unknown_customer_is_a_404_and_nothing_is_audited(api_client, manager):
    response = api_client(manager).post("/api/v1/customers/C-NOPE/erase/")

    assert response.status_code == 404
    assert "C-NOPE" in response.json()["detail"]
    assert not DataSubjectRequest.objects.exists()


def test_the_command_exports_as_json_and_erases_under_the_managers_name(manager, customer, capsys):
    call_command("data_subject", "export", "C-42", "--actor", manager.username)
    exported = json.loads(capsys.readouterr().out)
    call_command("data_subject", "erase", "C-42", "--actor", manager.username)

    assert exported["customer"]["name"] == "Ana Lopez"
    assert f"erased-{customer.pk}" in capsys.readouterr().out
    assert list(DataSubjectRequest.objects.order_by("pk").values_list("kind", "via")) == [
        ("export", "command"),
        ("erase", "command"),
    ]


def test_the_command_refuses_an_agent_and_changes_nothing(agent, customer):
    with pytest.raises(CommandError, match="Only managers erase"):
        call_command("data_subject", "erase", "C-42", "--actor", agent.username)

    assert Customer.objects.get(pk=customer.pk).name == "Ana Lopez"
    assert not DataSubjectRequest.objects.exists()


def test_erasing_a_customer_empties_their_conversation_and_stops_all_email(
    api_client, manager, agent, customer
):
    from cases.conversation import outbound

    case = customer.cases.get()
    message = outbound.reply(case_id=case.pk, actor=agent, body="Dear Ana, your parcel ...")
    assert api_client(manager).post("/api/v1/customers/C-42/erase/").status_code == 200
    message.refresh_from_db()
    assert (message.body, message.to_address, message.body_html) == ("[erased]", "[erased]", "")
    assert "ana@example.com" not in str(message.notification.headers) + message.notification.body
    customer.refresh_from_db()
    assert outbound.reach(customer).reason == "The customer's data was erased."
