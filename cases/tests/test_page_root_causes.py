"""`/root-causes/` and `/root-causes/<id>/`: the list, creating one, its page and a manager's edits."""

import pytest

from cases.models import RootCause
from cases.tests.factories import RecoveryCaseFactory, RootCauseFactory
from feedback.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

LIST = "/root-causes/"


def page_of(root_cause) -> str:
    return f"/root-causes/{root_cause.pk}/"


def with_cases(root_cause, n, *, customer=None):
    cases = [RecoveryCaseFactory(customer=customer or CustomerFactory()) for _ in range(n)]
    root_cause.cases.add(*cases)
    return cases


def test_anonymous_visitors_are_sent_to_sign_in(client):
    root_cause = RootCauseFactory()

    assert client.get(LIST)["Location"] == f"/login/?next={LIST}"
    assert client.get(page_of(root_cause))["Location"] == f"/login/?next={page_of(root_cause)}"
    assert client.post(LIST, {"title": "x", "category": "process"}).status_code == 302
    assert RootCause.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "status"), [("agent", 200), ("other_agent", 200), ("manager", 200), ("intake_user", 403)]
)
def test_agents_and_managers_read_root_causes_intake_clients_do_not(client, request, role, status):
    root_cause = RootCauseFactory()
    client.force_login(request.getfixturevalue(role))

    assert (client.get(LIST).status_code, client.get(page_of(root_cause)).status_code) == (status, status)


def test_the_list_counts_cases_and_customers_and_shows_status_category_and_owner(
    client, agent, manager, django_assert_max_num_queries
):
    shared = CustomerFactory()
    printer = RootCauseFactory(
        title="Label printer jams", status="fixing", category="technology", owner=manager
    )
    with_cases(printer, 2, customer=shared)
    with_cases(printer, 1)
    for _ in range(15):
        with_cases(RootCauseFactory(), 2)
    client.force_login(agent)

    with django_assert_max_num_queries(7):  # + the user's teams (the scope)
        page = client.get(LIST).text

    row = page.split("Label printer jams</a>")[1].split("</tr>")[0]
    assert "Technology" in row and "Fixing" in row and "Maria" in row
    assert f'href="/cases/?root_cause={printer.pk}"' in row and ">3</a>" in row
    assert '<td class="num">2</td>' in row  # two customers between its three cases


def test_the_list_filters_by_status_and_category_and_searches(client, agent):
    RootCauseFactory(title="Courier drops parcels", category="partner", status="open")
    RootCauseFactory(title="Checkout double charge", category="technology", status="fixed")
    client.force_login(agent)

    def titles(query):
        page = client.get(LIST, query).text
        return {t for t in ("Courier drops parcels", "Checkout double charge") if t in page}

    assert titles({"status": "fixed"}) == {"Checkout double charge"}
    assert titles({"category": "partner"}) == {"Courier drops parcels"}
    assert titles({"q": "double"}) == {"Checkout double charge"}
    assert titles({"status": "nonsense"}) == set()


def test_an_agent_creates_a_root_cause_and_lands_on_its_page(client, agent):
    client.force_login(agent)

    response = client.post(
        LIST, {"title": " Courier drops parcels ", "category": "partner", "description": ""}
    )

    created = RootCause.objects.get()
    assert (response.status_code, response["Location"]) == (302, page_of(created))
    assert (created.title, created.category, created.status) == ("Courier drops parcels", "partner", "open")


def test_a_root_cause_without_a_title_is_refused_next_to_the_field_and_the_text_stays(client, agent):
    client.force_login(agent)

    response = client.post(
        LIST, {"title": "  ", "category": "people", "description": "Night shift skips the check"}
    )

    assert response.status_code == 422
    assert "Night shift skips the check" in response.text
    title_field = response.text.split('for="id_title"')[1].split("</div>")[0]
    assert 'aria-invalid="true"' in title_field and "This field is required." in title_field
    assert RootCause.objects.count() == 0


def test_the_page_shows_cases_corrective_action_owner_status_and_verification(
    client, agent, manager, django_assert_max_num_queries
):
    root_cause = RootCauseFactory(
        title="Label printer jams", corrective_action="Replace the rollers weekly", owner=manager,
        status="verified", verification_note="No jam in 30 days",
    )  # fmt: skip
    cases = with_cases(root_cause, 12)
    client.force_login(agent)

    with django_assert_max_num_queries(9):  # + the user's teams (the scope), its matching rules and history
        page = client.get(page_of(root_cause)).text

    for text in (
        "Label printer jams",
        "Replace the rollers weekly",
        "Maria",
        "Verified",
        "No jam in 30 days",
    ):
        assert text in page
    assert all(f'href="/cases/{case.reference}/"' in page for case in cases)
    assert f'href="/customers/{cases[0].customer_id}/"' in page
    assert '<h2 id="edit-title">' not in page  # agents read; managers edit


def test_a_manager_sets_status_owner_corrective_action_and_verification(client, manager, agent):
    root_cause = RootCauseFactory()
    client.force_login(manager)

    response = client.post(
        page_of(root_cause),
        {
            "status": "verified",
            "owner": agent.pk,
            "corrective_action": "Weekly rollers",
            "verification_note": "Held",
        },
    )

    assert (response.status_code, response["Location"]) == (302, page_of(root_cause))
    root_cause.refresh_from_db()
    assert (root_cause.status, root_cause.owner, root_cause.corrective_action) == (
        "verified",
        agent,
        "Weekly rollers",
    )
    assert root_cause.verified_at is not None


def test_verifying_without_a_note_shows_the_services_error_by_the_field_and_keeps_the_text(client, manager):
    root_cause = RootCauseFactory(status="fixed", corrective_action="Old text")
    client.force_login(manager)

    response = client.post(
        page_of(root_cause),
        {"status": "verified", "owner": "", "corrective_action": "New rollers", "verification_note": ""},
    )

    assert response.status_code == 422
    note_field = response.text.split('for="id_verification_note"')[1].split("</div>")[0]
    assert "Verifying a root cause needs a note on how the fix was checked." in note_field
    assert "New rollers" in response.text
    root_cause.refresh_from_db()
    assert (root_cause.status, root_cause.corrective_action, root_cause.verified_at) == (
        "fixed",
        "Old text",
        None,
    )


@pytest.mark.parametrize("role", ["agent", "other_agent"])
def test_agents_may_not_edit_a_root_cause_here(client, request, role):
    root_cause = RootCauseFactory(status="open")
    client.force_login(request.getfixturevalue(role))

    response = client.post(
        page_of(root_cause), {"status": "fixed", "corrective_action": "x", "verification_note": ""}
    )

    assert response.status_code == 403
    root_cause.refresh_from_db()
    assert root_cause.status == "open"


def test_an_unknown_root_cause_is_a_404(client, agent):
    client.force_login(agent)

    assert client.get("/root-causes/999999/").status_code == 404
