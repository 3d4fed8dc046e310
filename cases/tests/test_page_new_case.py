"""`/cases/new/`: a complaint taken by phone, opened through `services.open_case_by_hand`."""

import pytest
from django.contrib.messages import get_messages
from django.utils.html import escape

from cases.models import CaseEvent, RecoveryCase
from cases.tests.factories import RecoveryCaseFactory
from feedback.models import Customer
from feedback.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

NEW = "/cases/new/"
COMPLAINT = {
    "title": "Charged twice at checkout",
    "description": "Two debits on the 3rd.",
    "severity": "high",
    "channel": "phone",
}


def test_anonymous_visitors_are_sent_to_sign_in_and_nothing_is_stored(client):
    customer = CustomerFactory()

    assert client.get(NEW)["Location"] == f"/login/?next={NEW}"
    assert client.post(NEW, {**COMPLAINT, "customer": customer.external_id})["Location"].startswith("/login/")
    assert not RecoveryCase.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"), [("agent", 200), ("other_agent", 200), ("manager", 200), ("intake_user", 403)]
)
def test_agents_and_managers_open_the_form_intake_clients_do_not(client, request, role, status):
    client.force_login(request.getfixturevalue(role))

    assert client.get(NEW).status_code == status
    assert client.get(f"{NEW}customers/", {"q": "ana"}).status_code == status


def test_the_form_defaults_to_a_phone_complaint_and_says_what_to_find_a_customer_by(client, agent):
    client.force_login(agent)

    page = client.get(NEW).text

    assert '<option value="phone" selected>Phone</option>' in page
    assert '<label for="id_q">Find customer' in page and "External id, email or name" in page
    assert 'hx-get="/cases/new/customers/"' in page


def test_the_lookup_shows_matches_to_pick_with_an_open_case_linked(
    client, agent, django_assert_max_num_queries
):
    ana = CustomerFactory(name="Ana Lopez", email="ana@example.com")
    open_case = RecoveryCaseFactory(customer=ana)
    client.force_login(agent)

    with django_assert_max_num_queries(5):
        fragment = client.get(f"{NEW}customers/", {"q": "ana@example.com"}, HTTP_HX_REQUEST="true").text

    assert f'value="{ana.external_id}"' in fragment and "Ana Lopez" in fragment
    assert f'href="/cases/{open_case.reference}/"' in fragment and "Has 1 open case" in fragment
    assert "<html" not in fragment


def test_an_agent_opens_a_case_for_a_known_customer_and_lands_on_it(client, agent):
    ana = CustomerFactory(name="Ana Lopez")
    client.force_login(agent)

    response = client.post(NEW, {**COMPLAINT, "q": "Ana", "customer": ana.external_id})

    case = RecoveryCase.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/cases/{case.reference}/")
    assert (case.customer, case.owner, case.severity, case.channel) == (ana, agent, "high", "phone")
    assert (case.title, case.description, case.is_repeat) == (
        COMPLAINT["title"],
        COMPLAINT["description"],
        False,
    )
    assert case.events.get().kind == CaseEvent.Kind.CREATED


def test_a_customer_failed_before_gets_a_repeat_case_and_their_open_case_is_named(client, agent):
    ana = CustomerFactory(name="Ana Lopez")
    earlier = RecoveryCaseFactory(customer=ana, acknowledged=True)
    client.force_login(agent)

    response = client.post(NEW, {**COMPLAINT, "customer": ana.external_id})

    case = RecoveryCase.objects.exclude(pk=earlier.pk).get()
    assert case.is_repeat
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert (
        said[0]
        == f"{case.reference} opened for Ana Lopez. They were failed before: it is marked as a repeat."
    )
    link = f'<a href="/cases/{earlier.reference}/">{earlier.reference}</a>'
    assert said[1] == f"Ana Lopez also has {link} open (acknowledged)."


def test_an_agent_opens_a_case_for_a_new_customer(client, agent):
    client.force_login(agent)

    client.post(
        NEW,
        {
            **COMPLAINT,
            "customer": "new",
            "new_external_id": "C-9001",
            "new_name": "Li Wei",
            "new_email": "li@example.com",
        },
    )

    case = RecoveryCase.objects.select_related("customer").get()
    assert (case.customer.external_id, case.customer.name, case.customer.email) == (
        "C-9001",
        "Li Wei",
        "li@example.com",
    )


@pytest.mark.parametrize(
    ("posted", "field", "message"),
    [
        ({"customer": ""}, "customer", "Pick the customer from the matches, or choose a new customer."),
        ({"customer": "C-NOBODY"}, "customer", "No customer has the external id 'C-NOBODY'."),
        (
            {"customer": "new", "new_name": "Li Wei"},
            "new_external_id",
            "A new customer needs an external id.",
        ),
        (
            {"customer": "new", "new_external_id": "C-1", "new_email": "not-an-email"},
            "new_email",
            "Enter a valid email address.",
        ),
        ({"title": "   "}, "title", "This field is required."),
        ({"severity": "apocalyptic"}, "severity", "Select a valid choice."),
        ({"channel": "pigeon"}, "channel", "Select a valid choice."),
    ],
)
def test_bad_input_is_refused_next_to_its_field_keeps_the_text_and_stores_nothing(
    client, agent, posted, field, message
):
    known = CustomerFactory(external_id="C-KNOWN")
    client.force_login(agent)
    body = {**COMPLAINT, "customer": known.external_id, "description": "Kept: two debits", **posted}

    response = client.post(NEW, body)

    assert response.status_code == 422
    page = response.text
    if field == "customer":
        assert escape(message) in page.split("<legend>Pick the customer</legend>")[1].split("</fieldset>")[0]
    else:
        assert escape(message) in page.split(f'for="id_{field}"')[1].split("</div>")[0]
    assert "Kept: two debits" in page
    assert not RecoveryCase.objects.exists()
    assert list(Customer.objects.values_list("external_id", flat=True)) == ["C-KNOWN"]


def test_the_chosen_customer_stays_picked_when_the_form_comes_back_with_an_error(client, agent):
    ana = CustomerFactory(name="Ana Lopez")
    client.force_login(agent)

    page = client.post(NEW, {**COMPLAINT, "title": "", "q": "", "customer": ana.external_id}).text

    assert f'value="{ana.external_id}" checked' in page


def test_look_up_without_javascript_shows_matches_and_stores_nothing(client, agent):
    CustomerFactory(name="Ana Lopez", email="ana@example.com")
    client.force_login(agent)

    response = client.post(NEW, {**COMPLAINT, "q": "Lopez", "lookup": "1"})

    assert response.status_code == 200
    assert "Ana Lopez" in response.text and COMPLAINT["description"] in response.text
    assert "This field is required" not in response.text
    assert not RecoveryCase.objects.exists()


def test_the_customer_page_link_arrives_with_the_customer_picked(client, agent):
    ana = CustomerFactory(name="Ana Lopez")
    client.force_login(agent)

    page = client.get(NEW, {"customer": ana.external_id}).text

    assert f'value="{ana.external_id}" checked' in page
