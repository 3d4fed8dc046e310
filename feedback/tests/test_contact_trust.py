"""Intake may create customers with their details; only a trusted client changes a known customer's name,
email or phone, or fills one that is blank. An untrusted change is kept on the feedback as submitted, and
the customer keeps their details."""

import pytest
from django.core.management import call_command

from feedback.models import Customer, Feedback
from feedback.tests.factories import CustomerFactory
from recovery.roles import Role

pytestmark = pytest.mark.django_db

ATTACKER = {"email": "attacker@evil.example", "name": "Mallory", "phone": "+1 555 0666"}


def post(client, customer: dict, rating: int = 5):
    return client.post(
        "/api/v1/feedback/", {"channel": "web", "rating": rating, "customer": customer}, format="json"
    )


@pytest.fixture
def known():
    return CustomerFactory(external_id="C-1", email="ana@example.com", name="Ana Lopez", phone="+1 555 0100")


def test_an_untrusted_client_cannot_change_a_known_customers_contact_details(api_client, intake_user, known):
    response = post(api_client(intake_user), {"external_id": "C-1", **ATTACKER, "segment": "gold"})

    assert response.status_code == 201
    known.refresh_from_db()
    assert (known.email, known.name, known.phone) == ("ana@example.com", "Ana Lopez", "+1 555 0100")
    assert known.segment == "gold"  # not a contact detail: still updated
    assert Feedback.objects.get().submitted_contact == ATTACKER


def test_an_untrusted_change_shows_on_the_feedback_for_agents(api_client, intake_user, agent, known):
    feedback_id = post(api_client(intake_user), {"external_id": "C-1", "email": "new@example.com"}).json()[
        "id"
    ]

    shown = api_client(agent).get(f"/api/v1/feedback/{feedback_id}/").json()

    assert shown["submitted_contact"] == {"email": "new@example.com"}
    assert shown["customer"]["email"] == "ana@example.com"


def test_an_untrusted_client_cannot_fill_a_known_customers_blank_contact_details(api_client, intake_user):
    CustomerFactory(external_id="C-2", email="", name="", phone="", segment="")
    client = api_client(intake_user)

    response = post(client, {"external_id": "C-2", **ATTACKER, "segment": "gold"})

    assert response.status_code == 201
    blank = Customer.objects.get(external_id="C-2")
    assert (blank.email, blank.name, blank.phone) == ("", "", "")  # no survey link goes to the client
    assert blank.segment == "gold"  # not a contact detail: still filled
    assert Feedback.objects.get().submitted_contact == ATTACKER  # kept for an agent to confirm


def test_an_untrusted_client_sets_the_details_of_a_customer_it_creates(api_client, intake_user):
    post(api_client(intake_user), {"external_id": "C-3", "email": "cy@example.com", "name": "Cy"})

    assert Customer.objects.filter(external_id="C-3", email="cy@example.com", name="Cy").exists()
    assert Feedback.objects.get().submitted_contact is None


def test_a_trusted_client_fills_a_known_customers_blank_contact_details(api_client, intake_trusted):
    CustomerFactory(external_id="C-2", email="", name="Bo", phone="")

    post(
        api_client(intake_trusted),
        {"external_id": "C-2", "email": "bo@example.com", "phone": "+44 20 7946 0000"},
    )

    filled = Customer.objects.get(external_id="C-2")
    assert (filled.email, filled.name, filled.phone) == ("bo@example.com", "Bo", "+44 20 7946 0000")
    assert Feedback.objects.get().submitted_contact is None


def test_a_trusted_client_changes_a_known_customers_contact_details(api_client, intake_trusted, known):
    response = post(api_client(intake_trusted), {"external_id": "C-1", **ATTACKER})

    assert response.status_code == 201
    known.refresh_from_db()
    assert (known.email, known.name, known.phone) == (ATTACKER["email"], ATTACKER["name"], ATTACKER["phone"])
    assert Feedback.objects.get().submitted_contact is None


def test_a_negative_post_by_an_untrusted_client_still_opens_the_case_for_the_real_customer(
    api_client, intake_user, known
):
    response = post(
        api_client(intake_user), {"external_id": "C-1", "email": "attacker@evil.example"}, rating=1
    )

    assert response.status_code == 201
    assert known.cases.get().customer.email == "ana@example.com"


def test_issue_token_trusted_marks_the_client_trusted(django_user_model, capsys):
    call_command("issue_token", "crm", "--role", "intake", "--create", "--trusted")
    call_command("issue_token", "web-button", "--role", "intake", "--create")

    crm, button = (
        django_user_model.objects.get(username="crm"),
        django_user_model.objects.get(username="web-button"),
    )
    assert crm.has_perm("feedback.change_customer_contact")
    assert not button.has_perm("feedback.change_customer_contact")
    assert set(crm.groups.values_list("name", flat=True)) == {Role.INTAKE, Role.TRUSTED_INTAKE}
