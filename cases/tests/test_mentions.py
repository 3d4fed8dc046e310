"""@mentions: only colleagues who may see the case can be named; anyone else refuses the note with the
reason, in the service, the case screen and the API alike; the `@` list offers those who may see it."""

import pytest
from rest_framework.test import APIClient

from cases import services
from cases.models import CaseEvent, Notice, Team
from cases.tests.factories import RecoveryCaseFactory
from conftest import make_user, signed_in
from recovery.errors import InvalidInput
from recovery.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def teams(agent, other_agent, django_user_model):
    """Alice and Bob in Parcels, Carol in Billing; the case is Parcels'."""
    carol = make_user(django_user_model, "carol", Role.AGENT, first_name="Carol")
    parcels = Team.objects.create(name="Parcels", slug="parcels")
    parcels.members.add(agent, other_agent)
    billing = Team.objects.create(name="Billing", slug="billing")
    billing.members.add(carol)
    case = RecoveryCaseFactory(owner=agent, team=parcels)
    return case, carol


def test_mentioning_someone_of_another_team_is_refused_with_the_reason_and_writes_nothing(agent, teams):
    case, _carol = teams

    with pytest.raises(InvalidInput) as refused:
        services.add_note(case=case, actor=agent, body="@carol please refund")

    assert refused.value.field == "body"
    assert str(refused.value.message) == (
        f"@carol may not see {case.reference} (it is not one of their teams' cases), so cannot be mentioned."
    )
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.NOTE).exists()
    assert not Notice.objects.exists()


def test_mentioning_nobody_known_is_refused_naming_the_name(agent):
    case = RecoveryCaseFactory(owner=agent)

    with pytest.raises(InvalidInput, match=r"Nobody at Mend is called @zed\."):
        services.add_note(case=case, actor=agent, body="ask @zed")


def test_a_customer_note_mentions_nobody(agent, other_agent):
    case = RecoveryCaseFactory(owner=agent)

    services.add_note(case=case, actor=agent, body="Told @bob's customer", visibility="customer")

    assert not Notice.objects.exists()


def test_the_case_screen_keeps_the_note_and_shows_the_refusal_next_to_it(agent, teams):
    case, _carol = teams

    response = signed_in(agent).post(
        f"/cases/{case.reference}/actions/note/", {"note": "@carol please refund", "version": case.version}
    )

    body = response.content.decode()
    assert response.status_code == 422
    assert "@carol please refund</textarea>" in body
    assert "@carol may not see" in body and 'id="id_note_error"' in body


def test_the_api_refuses_the_note_with_a_400_naming_the_field(agent, teams):
    case, _carol = teams
    client = APIClient()
    client.force_authenticate(agent)

    response = client.post(
        f"/api/v1/cases/{case.reference}/notes/", {"body": "@carol please refund"}, format="json"
    )

    assert response.status_code == 400
    reason = (
        f"@carol may not see {case.reference} (it is not one of their teams' cases), so cannot be mentioned."
    )
    assert response.json()["body"] == [reason]


def test_the_at_list_offers_colleagues_who_may_see_the_case_and_not_the_writer(agent, teams):
    case, _carol = teams

    everyone = signed_in(agent).get(f"/cases/{case.reference}/mentions/?q=").json()
    by_letters = signed_in(agent).get(f"/cases/{case.reference}/mentions/?q=B").json()

    assert everyone == {"colleagues": [{"username": "bob", "name": "Bob"}]}
    assert by_letters == everyone


def test_the_at_list_of_a_case_one_may_not_see_is_a_404(teams, django_user_model):
    case, carol = teams

    assert signed_in(carol).get(f"/cases/{case.reference}/mentions/?q=").status_code == 404
