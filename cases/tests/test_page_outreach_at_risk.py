"""The pages: Notify impacted customers (preview, confirm, add hit customers), customers at risk, the
score on the case screen, and the at-risk API."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import root_causes, services
from cases.at_risk import services as at_risk
from cases.models import Message, ResponseTemplate, Severity
from cases.outreach.models import CustomerOutreach
from cases.teams.models import Team
from cases.tests.factories import RecoveryCaseFactory, RootCauseFactory
from conftest import make_user, signed_in
from feedback.tests.factories import CustomerFactory
from recovery.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def root_cause(manager):
    cause = RootCauseFactory(title="Card terminal double charges")
    for external_id, email in (("C-1", "one@example.com"), ("C-2", "two@example.com"), ("C-3", "")):
        case = RecoveryCaseFactory(customer=CustomerFactory(external_id=external_id, email=email))
        root_causes.link_case(root_cause_id=cause.pk, case_id=case.pk, actor=manager)
    return cause


def url(root_cause) -> str:
    return f"/root-causes/{root_cause.pk}/notify/"


def test_the_root_cause_page_offers_managers_the_notify_button(root_cause, manager, agent):
    page = signed_in(manager).get(f"/root-causes/{root_cause.pk}/").content.decode()
    assert "Notify impacted customers" in page and url(root_cause) in page
    assert (
        "Notify impacted customers"
        not in signed_in(agent).get(f"/root-causes/{root_cause.pk}/").content.decode()
    )
    assert signed_in(agent).get(url(root_cause)).status_code == 403


def test_preview_shows_the_count_the_recipients_and_the_filled_text_and_sends_nothing(root_cause, manager):
    template = ResponseTemplate.objects.create(
        kind="apology", name="Terminal", body="Dear {customer_name}, sorry."
    )
    response = signed_in(manager).post(url(root_cause), {"step": "preview", "template": template.pk})
    page = response.content.decode()
    assert response.status_code == 200
    assert "2 customers" in page and "1 without an email address" in page
    assert "one@example.com" in page and "two@example.com" in page
    assert "Confirm: send 2 emails" in page
    assert "sorry." in page
    assert not Message.objects.exists()


def test_confirm_sends_and_a_second_confirm_sends_nothing(
    root_cause, manager, django_capture_on_commit_callbacks
):
    client = signed_in(manager)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(
            url(root_cause), {"step": "confirm", "body": "We are sorry, {customer_name}."}, follow=True
        )
    assert "2 emails queued." in first.content.decode()
    again = client.post(
        url(root_cause), {"step": "confirm", "body": "We are sorry, {customer_name}."}, follow=True
    )
    assert "0 emails queued. Skipped: 2 already told" in again.content.decode()
    assert Message.objects.count() == CustomerOutreach.objects.count() == 2


def test_a_refused_text_is_shown_next_to_its_field_and_kept(root_cause, manager):
    response = signed_in(manager).post(url(root_cause), {"step": "preview", "body": "Hi {order_id}"})
    assert response.status_code == 422
    assert response.context["form"].errors["body"] == [
        "{order_id} is not a placeholder; use {customer_name}, {reference}, {agent_name}."
    ]
    assert "Hi {order_id}" in response.content.decode()


def test_adding_hit_customers_by_csv_reports_each_row(root_cause, manager):
    CustomerFactory(external_id="C-QUIET", email="quiet@example.com")
    upload = SimpleUploadedFile("hit.csv", b"external_id\nC-QUIET\nC-GHOST\n", content_type="text/csv")
    response = signed_in(manager).post(url(root_cause), {"step": "add", "csv_file": upload})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Proactive case opened." in page
    assert "No customer has the external id “C-GHOST”" in page


def test_an_empty_list_of_hit_customers_is_refused_at_the_field(root_cause, manager):
    response = signed_in(manager).post(url(root_cause), {"step": "add", "external_ids": " "})
    assert response.status_code == 422
    assert response.context["hit_form"].errors["external_ids"] == ["Give at least one external id."]


@pytest.fixture
def scored(agent):
    high = services.open_case(
        customer=CustomerFactory(name="Hana High"), title="Lost", severity=Severity.CRITICAL
    )
    low = services.open_case(customer=CustomerFactory(name="Leo Low"), title="Slow", severity=Severity.LOW)
    at_risk.refresh(customer_id=CustomerFactory(name="Nina None").pk)
    return high, low


def test_the_at_risk_page_lists_managers_the_customers_highest_first(scored, manager, agent):
    response = signed_in(manager).get("/customers/at-risk/")
    page = response.content.decode()
    assert page.index("Hana High") < page.index("Leo Low")
    assert "Nina None" not in page
    assert "1 open case, the worst critical (+15)" in page
    assert signed_in(agent).get("/customers/at-risk/").status_code == 403


def test_the_at_risk_api_answers_the_documented_shape(scored, manager, agent, api_client):
    body = api_client(manager).get("/api/v1/customers/at-risk/").json()
    assert [row["name"] for row in body] == ["Hana High", "Leo Low"]
    assert body[0] == {
        "external_id": scored[0].customer.external_id,
        "name": "Hana High",
        "score": 25,
        "reasons": ["1 failure in the last 90 days (+10)", "1 open case, the worst critical (+15)"],
    }
    assert api_client(agent).get("/api/v1/customers/at-risk/").status_code == 403


def test_a_lead_sees_the_customers_of_cases_they_may_see(scored, manager, api_client, django_user_model):
    lead = make_user(django_user_model, "lena", Role.MANAGER)
    Team.objects.create(name="Billing", slug="billing").leads.add(lead)
    scored[0].team = Team.objects.create(name="Claims", slug="claims")  # Hana's only case
    scored[0].save(update_fields=["team"])

    assert [row["name"] for row in api_client(lead).get("/api/v1/customers/at-risk/").json()] == ["Leo Low"]
    page = signed_in(lead).get("/customers/at-risk/").content.decode()
    assert "Leo Low" in page and "Hana High" not in page
    everyone = api_client(manager).get("/api/v1/customers/at-risk/").json()
    assert [row["name"] for row in everyone] == ["Hana High", "Leo Low"]


def test_the_case_screen_shows_the_customers_score_and_why(scored, agent):
    case = scored[0]
    page = signed_in(agent).get(f"/cases/{case.reference}/").content.decode()
    assert "At risk: 25 of 100" in page
    assert "1 open case, the worst critical (+15)" in page
