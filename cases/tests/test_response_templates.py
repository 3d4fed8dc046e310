"""Response templates: managers write them, agents read them, and each fills in for one case."""

import pytest

from cases import response_templates
from cases.models import ResponseTemplate
from cases.tests.factories import RecoveryCaseFactory
from conftest import signed_in
from recovery.errors import InvalidInput, NotPermitted

pytestmark = pytest.mark.django_db


def test_filling_in_names_the_customer_the_case_and_the_agent(agent, manager):
    case = RecoveryCaseFactory(customer__name="Tom Reyes")
    template = response_templates.create(
        actor=manager, kind="apology", name="Sorry", body="Dear {customer_name}, {reference}. {agent_name}"
    )

    assert (
        response_templates.fill(template, case=case, agent=agent)
        == f"Dear Tom Reyes, {case.reference}. Alice"
    )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"body": "Dear {name}"},
            "body",
            "{name} is not a placeholder; use {customer_name}, {reference}, {agent_name}.",
        ),
        ({"body": "  "}, "body", "A template needs a text."),
        ({"name": ""}, "name", "A template needs a name."),
        ({"kind": "letter"}, "kind", "Kind is one of acknowledgement, apology, resolution, follow_up."),
    ],
)
def test_a_bad_template_is_refused_with_a_clear_message_and_nothing_stored(manager, fields, field, message):
    values = {"kind": "apology", "name": "Sorry", "body": "Dear {customer_name}", **fields}

    with pytest.raises(InvalidInput) as refused:
        response_templates.create(actor=manager, **values)

    assert (refused.value.field, refused.value.message) == (field, message)
    assert not ResponseTemplate.objects.exists()


def test_agents_may_not_write_templates(agent):
    with pytest.raises(NotPermitted):
        response_templates.create(actor=agent, kind="apology", name="Sorry", body="Sorry.")


def test_agents_see_the_list_without_edit_links(agent, manager):
    template = response_templates.create(
        actor=manager, kind="resolution", name="Refund issued", body="Refunded."
    )

    html = signed_in(agent).get("/templates/").text

    assert "Refund issued" in html and "Refunded." in html
    assert f"/templates/{template.pk}/" not in html and "New template" not in html


def test_agents_may_not_open_the_editor(agent, manager):
    template = response_templates.create(
        actor=manager, kind="resolution", name="Refund issued", body="Refunded."
    )
    client = signed_in(agent)

    assert client.get("/templates/new/").status_code == 403
    assert (
        client.post(
            f"/templates/{template.pk}/", {"kind": "resolution", "name": "X", "body": "Y"}
        ).status_code
        == 403
    )
    assert ResponseTemplate.objects.get().name == "Refund issued"


def test_a_manager_creates_and_edits_a_template(manager):
    client = signed_in(manager)

    created = client.post(
        "/templates/new/", {"kind": "apology", "name": "Late parcel", "body": "Sorry, {customer_name}."}
    )
    template = ResponseTemplate.objects.get()
    edited = client.post(
        f"/templates/{template.pk}/", {"kind": "apology", "name": "Late parcel", "body": "So sorry."}
    )

    assert (created.status_code, created["Location"]) == (302, "/templates/")
    assert edited.status_code == 302
    assert ResponseTemplate.objects.get().body == "So sorry."
    assert "New template" in client.get("/templates/").text


def test_a_bad_placeholder_in_the_editor_shows_next_to_the_text_and_keeps_it(manager):
    response = signed_in(manager).post(
        "/templates/new/", {"kind": "apology", "name": "Oops", "body": "Hi {first_name}"}
    )

    assert response.status_code == 422
    assert "{first_name} is not a placeholder" in response.text
    assert "Hi {first_name}</textarea>" in response.text
    assert not ResponseTemplate.objects.exists()


def test_two_templates_of_a_kind_may_not_share_a_name(manager):
    response_templates.create(actor=manager, kind="apology", name="Sorry", body="Sorry.")

    with pytest.raises(InvalidInput, match="Another apology template is already named 'Sorry'"):
        response_templates.create(actor=manager, kind="apology", name="Sorry", body="Very sorry.")


def test_the_list_costs_a_fixed_number_of_queries(agent, manager, django_assert_max_num_queries):
    for n in range(20):
        response_templates.create(actor=manager, kind="apology", name=f"Sorry {n}", body="Sorry.")
    client = signed_in(agent)

    with django_assert_max_num_queries(6):  # + the bell's unread count, + the user's teams (the scope)
        assert client.get("/templates/").status_code == 200


def test_the_demo_data_comes_with_a_template_of_each_kind(settings):
    from cases.devdata import demo

    settings.DEBUG = True  # as `make run` seeds it
    demo.seed()

    assert set(ResponseTemplate.objects.values_list("kind", flat=True)) == set(ResponseTemplate.Kind.values)
