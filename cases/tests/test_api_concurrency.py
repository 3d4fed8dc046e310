"""Two API clients pressing the same button on the same case at once, on real PostgreSQL row locks."""

import pytest

from cases.models import CaseEvent, RecoveryCase, Stage
from cases.tests.factories import RecoveryCaseFactory
from conftest import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_clients_acknowledging_at_once_one_gets_200_and_one_gets_409(api_client, agent, other_agent):
    case = RecoveryCaseFactory(stage=Stage.NEW)
    url = f"/api/v1/cases/{case.reference}/actions/acknowledge/"
    clients = [api_client(agent), api_client(other_agent)]

    responses = run_at_once(*(lambda c=c: c.post(url, {}, format="json") for c in clients))

    assert sorted(r.status_code for r in responses) == [200, 409], responses
    refused = next(r for r in responses if r.status_code == 409).json()
    assert refused["stage"] == "acknowledged"
    case = RecoveryCase.objects.get(pk=case.pk)
    assert (case.stage, case.version) == (Stage.ACKNOWLEDGED, 1)
    assert case.events.filter(kind=CaseEvent.Kind.STAGE_CHANGED).count() == 1


def test_two_patches_with_the_same_etag_one_gets_200_and_one_gets_412(api_client, agent, manager):
    case = RecoveryCaseFactory(owner=agent)
    url = f"/api/v1/cases/{case.reference}/"
    etag = f'"{case.pk}-0"'
    edits = [(api_client(agent), "From the agent"), (api_client(manager), "From the manager")]

    responses = run_at_once(
        *(lambda c=c, t=t: c.patch(url, {"title": t}, format="json", HTTP_IF_MATCH=etag) for c, t in edits)
    )

    assert sorted(r.status_code for r in responses) == [200, 412], responses
    winner = next(r for r in responses if r.status_code == 200).json()
    assert RecoveryCase.objects.get(pk=case.pk).title == winner["title"]
