"""Root causes over REST: counts, filters, verification, linking and unlinking cases."""

import pytest

from cases.models import CaseEvent, RootCause
from cases.tests.factories import RecoveryCaseFactory, RootCauseFactory
from feedback.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

ROOT_CAUSES = "/api/v1/root-causes/"


def test_an_agent_creates_a_root_cause(api_client, agent):
    response = api_client(agent).post(
        ROOT_CAUSES, {"title": "Courier drops parcels", "category": "partner"}, format="json"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["case_count"], body["verified_at"]) == ("open", 0, None)


@pytest.mark.parametrize(
    "managed",
    [{"corrective_action": "Switch courier"}, {"status": "fixing"}, {"verification_note": "held"}],
)
def test_an_agent_may_not_decide_what_is_done_about_a_root_cause(api_client, agent, manager, managed):
    base = {"title": "Courier drops parcels", "category": "partner"}

    refused = api_client(agent).post(ROOT_CAUSES, {**base, **managed}, format="json")
    root_cause = RootCauseFactory()
    edit = api_client(agent).patch(f"{ROOT_CAUSES}{root_cause.pk}/", managed, format="json")

    assert (refused.status_code, edit.status_code) == (403, 403)
    assert "Only managers" in refused.json()["detail"]
    assert RootCause.objects.get() == root_cause  # nothing created
    root_cause.refresh_from_db()
    assert (root_cause.status, root_cause.corrective_action) == ("open", "")


def test_a_manager_sets_the_corrective_action_and_owner(api_client, manager):
    response = api_client(manager).post(
        ROOT_CAUSES,
        {
            "title": "Courier",
            "category": "partner",
            "corrective_action": "Switch courier",
            "owner": manager.pk,
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert RootCause.objects.get().corrective_action == "Switch courier"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"category": "process"}, "title"),
        ({"title": "x", "category": "weather"}, "category"),
        ({"title": "x", "category": "process", "status": "done"}, "status"),
        ({"title": "x", "category": "process", "case_count": 3}, "case_count"),
        ({"title": "x", "category": "process", "status": "verified"}, "verification_note"),
    ],
)
def test_a_bad_root_cause_is_a_400_and_stores_nothing(api_client, manager, body, field):
    response = api_client(manager).post(ROOT_CAUSES, body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not RootCause.objects.exists()


def test_counts_cases_open_cases_and_customers(api_client, agent):
    root_cause = RootCauseFactory()
    ana = CustomerFactory()
    root_cause.cases.add(
        RecoveryCaseFactory(customer=ana),
        RecoveryCaseFactory(customer=ana, closed=True),
        RecoveryCaseFactory(),
    )

    body = api_client(agent).get(f"{ROOT_CAUSES}{root_cause.pk}/").json()

    assert (body["case_count"], body["open_case_count"], body["customer_count"]) == (3, 2, 2)


def test_list_filters_by_status_category_and_q(api_client, agent):
    # Descriptions spelled out: the factory's random English text could itself say "kitchen".
    fixing = RootCauseFactory(
        title="Slow kitchen", description="Orders wait for the grill.", category="process", status="fixing"
    )
    RootCauseFactory(
        title="Broken app login", description="Sign-in times out.", category="technology", status="open"
    )
    client = api_client(agent)

    def titles(params):
        return [r["title"] for r in client.get(ROOT_CAUSES, params).json()["results"]]

    assert titles({"status": "fixing"}) == ["Slow kitchen"]
    assert titles({"category": "technology"}) == ["Broken app login"]
    assert titles({"q": "kitchen"}) == [fixing.title]
    response = client.get(ROOT_CAUSES, {"status": "solved"})
    assert response.status_code == 400 and "status" in response.json()


def test_verifying_needs_a_note_and_stamps_the_moment(api_client, manager):
    root_cause = RootCauseFactory(status="fixed")
    client = api_client(manager)
    url = f"{ROOT_CAUSES}{root_cause.pk}/"

    refused = client.patch(url, {"status": "verified"}, format="json")
    root_cause.refresh_from_db()
    assert refused.status_code == 400 and "verification_note" in refused.json()
    assert (root_cause.status, root_cause.verified_at) == ("fixed", None)

    accepted = client.patch(
        url, {"status": "verified", "verification_note": "No late parcels for 4 weeks"}, format="json"
    )
    assert accepted.status_code == 200
    assert accepted.json()["verified_at"] is not None

    reopened = client.patch(url, {"status": "fixing"}, format="json")
    assert reopened.json()["verified_at"] is None


def test_linking_and_unlinking_a_case_write_case_events(api_client, agent):
    root_cause = RootCauseFactory(title="Courier")
    case = RecoveryCaseFactory(owner=agent)
    client = api_client(agent)

    linked = client.post(f"{ROOT_CAUSES}{root_cause.pk}/cases/", {"case": case.reference}, format="json")
    again = client.post(f"{ROOT_CAUSES}{root_cause.pk}/cases/", {"case": str(case.pk)}, format="json")
    assert (linked.status_code, again.status_code) == (201, 200)
    assert linked.json()["case_count"] == 1

    unlinked = client.delete(f"{ROOT_CAUSES}{root_cause.pk}/cases/{case.reference}/")
    assert unlinked.status_code == 204
    assert not root_cause.cases.exists()
    kinds = list(case.events.order_by("id").values_list("kind", flat=True))
    assert kinds == [CaseEvent.Kind.ROOT_CAUSE_LINKED, CaseEvent.Kind.ROOT_CAUSE_UNLINKED]
    assert case.events.first().data["root_cause"] == root_cause.pk


def test_unlinking_a_case_that_is_not_linked_is_a_404(api_client, agent):
    root_cause = RootCauseFactory()
    case = RecoveryCaseFactory(owner=agent)

    response = api_client(agent).delete(f"{ROOT_CAUSES}{root_cause.pk}/cases/{case.reference}/")

    assert response.status_code == 404
    assert not case.events.exists()


def test_linking_an_unknown_case_is_a_404(api_client, agent):
    root_cause = RootCauseFactory()

    response = api_client(agent).post(
        f"{ROOT_CAUSES}{root_cause.pk}/cases/", {"case": "RC-424242"}, format="json"
    )

    assert response.status_code == 404
