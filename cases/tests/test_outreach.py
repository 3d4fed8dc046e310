"""Notify impacted customers: who is told, once, through the conversation; and the proactive cases of
customers who were hit but never complained."""

import pytest
from django.core import mail

from cases import root_causes
from cases.models import CaseEvent, Message, ResponseTemplate, Stage
from cases.outreach import rows as outreach_rows
from cases.outreach import services as outreach
from cases.outreach.models import CustomerOutreach
from cases.tests.factories import RecoveryCaseFactory, RootCauseFactory
from conftest import run_at_once
from feedback.models import Customer
from feedback.tests.factories import CustomerFactory
from recovery.errors import InvalidInput, NotPermitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def hit(manager):
    """A root cause with two reachable customers (Ana with two linked cases), one opted out, one without
    an email, and one customer with a case not linked to it."""
    root_cause = RootCauseFactory(title="Courier lost parcels in Leeds")
    ana = CustomerFactory(external_id="C-ANA", name="Ana Lopez", email="ana@example.com")
    ben = CustomerFactory(external_id="C-BEN", name="Ben Okafor", email="ben@example.com")
    cara = CustomerFactory(external_id="C-CARA", name="Cara", email="cara@example.com", contact_opt_out=True)
    dan = CustomerFactory(external_id="C-DAN", name="Dan", email="")
    linked = [RecoveryCaseFactory(customer=c) for c in (ana, ana, ben, cara, dan)]
    for case in linked:
        root_causes.link_case(root_cause_id=root_cause.pk, case_id=case.pk, actor=manager)
    RecoveryCaseFactory(customer=CustomerFactory(email="other@example.com"))
    template = ResponseTemplate.objects.create(
        kind=ResponseTemplate.Kind.APOLOGY,
        name="Courier",
        body="Dear {customer_name}, we are sorry ({reference}).",
    )
    return {"root_cause": root_cause, "ana": ana, "ben": ben, "cases": linked, "template": template}


def notify_url(root_cause) -> str:
    return f"/api/v1/root-causes/{root_cause.pk}/notify/"


def test_the_preview_lists_each_reachable_customer_once_and_counts_the_rest(hit, manager):
    text = outreach.text_for(template_id=hit["template"].pk)
    found, rendered = outreach.preview(root_cause_id=hit["root_cause"].pk, actor=manager, text=text)
    assert [r.customer.external_id for r in found.recipients] == ["C-ANA", "C-BEN"]
    assert found.recipients[0].case_id == hit["cases"][1].pk  # Ana's newest linked case
    assert found.skipped == {"already_told": 0, "no_email": 1, "opted_out": 1}
    assert rendered == f"Dear Ana Lopez, we are sorry ({hit['cases'][1].reference})."
    assert not Message.objects.exists()  # a preview sends nothing


def test_notifying_emails_each_customer_once_on_their_case_and_a_second_press_sends_nothing(
    hit, manager, api_client, django_capture_on_commit_callbacks
):
    client = api_client(manager)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(notify_url(hit["root_cause"]), {"template": hit["template"].pk}, format="json")
    assert first.status_code == 200
    assert first.json() == {"queued": 2, "skipped": {"already_told": 0, "no_email": 1, "opted_out": 1}}
    assert sorted(m.to for m in mail.outbox) == [["ana@example.com"], ["ben@example.com"]]
    ana_case = hit["cases"][1]
    [message] = Message.objects.filter(case=ana_case)
    assert message.body == f"Dear Ana Lopez, we are sorry ({ana_case.reference})."
    event = CaseEvent.objects.get(case=ana_case, kind=CaseEvent.Kind.CUSTOMER_NOTIFIED)
    assert (event.actor, event.message) == (manager, "Courier lost parcels in Leeds")
    assert event.data["message"] == message.pk
    told = CustomerOutreach.objects.get(customer=hit["ana"])
    assert (told.case, told.message, told.actor, told.template) == (
        ana_case,
        message,
        manager,
        hit["template"],
    )

    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(
            notify_url(hit["root_cause"]), {"body": "Again, {customer_name}."}, format="json"
        )
    assert second.json() == {"queued": 0, "skipped": {"already_told": 2, "no_email": 1, "opted_out": 1}}
    assert len(mail.outbox) == 2
    assert CustomerOutreach.objects.count() == 2


def test_a_body_of_ones_own_is_filled_in_per_customer(hit, manager, api_client):
    response = api_client(manager).post(
        notify_url(hit["root_cause"]), {"body": "Hello {customer_name}: {agent_name} here."}, format="json"
    )
    assert response.json()["queued"] == 2
    bodies = sorted(Message.objects.values_list("body", flat=True))
    name = manager.get_full_name() or manager.get_username()
    assert bodies == [f"Hello Ana Lopez: {name} here.", f"Hello Ben Okafor: {name} here."]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "template"),
        ({"template": 1, "body": "Hi"}, "body"),
        ({"template": 999999}, "template"),
        ({"template": "one"}, "template"),
        ({"body": ""}, "body"),
        ({"body": "Hi {order}"}, "body"),
        ({"body": "Hi", "to": "all"}, "to"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_sends_nothing(hit, manager, api_client, body, field):
    response = api_client(manager).post(notify_url(hit["root_cause"]), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Message.objects.exists()


def test_agents_may_not_notify_and_an_unknown_root_cause_is_404(hit, agent, manager, api_client):
    response = api_client(agent).post(notify_url(hit["root_cause"]), {"body": "Hi"}, format="json")
    assert response.status_code == 403
    assert api_client(manager).post("/api/v1/root-causes/999999/notify/", {"body": "Hi"}).status_code == 404
    assert not Message.objects.exists()


def test_the_notify_endpoint_is_in_the_schema(api_client, manager):
    schema = api_client(manager).get("/api/v1/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/root-causes/{id}/notify/"]["post"]
    assert set(operation["responses"]) >= {"200", "400", "403", "404"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_presses_at_once_email_each_customer_once(manager):
    root_cause = RootCauseFactory()
    for n in range(3):
        case = RecoveryCaseFactory(customer=CustomerFactory(email=f"c{n}@example.com"))
        root_causes.link_case(root_cause_id=root_cause.pk, case_id=case.pk, actor=manager)
    text = outreach.Text(None, "We are sorry.")

    def press():
        return len(outreach.notify(root_cause_id=root_cause.pk, actor=manager, text=text).recipients)

    assert sorted(run_at_once(press, press)) == [0, 3]
    assert Message.objects.count() == CustomerOutreach.objects.count() == 3


# Customers who were hit but never complained -------------------------------------------------------
def test_pasted_ids_open_proactive_cases_at_apologized_through_the_workflow(hit, manager):
    CustomerFactory(external_id="C-QUIET", email="quiet@example.com")
    rows = outreach_rows.from_pasted("C-QUIET\nC-NOBODY, C-BEN\nC-QUIET")
    results = outreach.add_hit_customers(root_cause_id=hit["root_cause"].pk, actor=manager, rows=rows)

    assert [(r.row.line, r.row.external_id, r.status) for r in results] == [
        (1, "C-QUIET", "opened"),
        (2, "C-NOBODY", "refused"),
        (3, "C-BEN", "skipped"),  # already has a case linked to this root cause
        (4, "C-QUIET", "skipped"),  # listed twice
    ]
    assert "C-NOBODY" in results[1].message
    case = Customer.objects.get(external_id="C-QUIET").cases.get()
    assert results[0].reference == case.reference
    assert case.stage == Stage.APOLOGIZED and case.owner == manager
    assert list(case.root_causes.all()) == [hit["root_cause"]]
    stages = list(case.events.filter(kind=CaseEvent.Kind.STAGE_CHANGED).values_list("to_stage", flat=True))
    assert stages == [Stage.ACKNOWLEDGED, Stage.APOLOGIZED]
    assert case.events.filter(kind=CaseEvent.Kind.NOTE, message__startswith="Opened proactively").exists()
    # Now among the customers a notification reaches.
    found = outreach.audience(root_cause_id=hit["root_cause"].pk)
    assert "C-QUIET" in [r.customer.external_id for r in found.recipients]


def test_a_csv_is_checked_row_by_row_and_may_add_a_customer_with_an_email(hit, manager):
    data = (
        b"external_id,name,email\n"
        b"C-NEW,Nia New,nia@example.com\n"
        b",Nameless,x@example.com\n"
        b"C-BAD,Bad Mail,not-an-address\n"
        b"\n"
        b"C-ANA,,\n"
    )
    rows = outreach_rows.from_csv(data)
    results = outreach.add_hit_customers(root_cause_id=hit["root_cause"].pk, actor=manager, rows=rows)
    assert [(r.row.line, r.status) for r in results] == [
        (2, "opened"),
        (3, "refused"),
        (4, "refused"),
        (6, "skipped"),
    ]
    assert "not-an-address" in results[2].message
    nia = Customer.objects.get(external_id="C-NEW")
    assert (nia.name, nia.email, nia.cases.get().stage) == ("Nia New", "nia@example.com", Stage.APOLOGIZED)


def test_a_csv_without_a_header_is_one_id_per_line_and_an_empty_list_is_refused():
    assert [r.external_id for r in outreach_rows.from_csv(b"C-1\nC-2\n")] == ["C-1", "C-2"]
    with pytest.raises(InvalidInput) as refused:
        outreach_rows.from_pasted("  \n ")
    assert refused.value.field == "external_ids"


def test_agents_may_not_add_hit_customers(hit, agent):
    with pytest.raises(NotPermitted):
        outreach.add_hit_customers(
            root_cause_id=hit["root_cause"].pk, actor=agent, rows=outreach_rows.from_pasted("C-ANA")
        )
