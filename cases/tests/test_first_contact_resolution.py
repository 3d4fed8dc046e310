"""First-contact resolution: resolved by the first owner, never reassigned, never reopened. A matrix of
cases, each built through the services, and the share worked out by hand."""

import pytest
from django.utils import timezone

from cases import services, workflow
from cases.metrics import period as metrics_period
from cases.metrics import queries
from cases.models import RecoveryCase
from cases.tests.factories import RecoveryCaseFactory

pytestmark = pytest.mark.django_db


def _resolve(case: RecoveryCase, actor) -> None:
    workflow.acknowledge(case_id=case.pk, actor=actor)
    workflow.apologize(case_id=case.pk, actor=actor, note="Sorry.")
    workflow.resolve(case_id=case.pk, actor=actor, resolution="Fixed.")


@pytest.fixture
def matrix(agent, other_agent, manager):
    taken = RecoveryCaseFactory()  # taken by acting on it: its first owner
    _resolve(taken, agent)
    given = RecoveryCaseFactory()  # given by a manager to its first owner
    services.assign(case=given, owner=agent, actor=manager)
    _resolve(given, agent)
    reassigned = RecoveryCaseFactory()
    services.assign(case=reassigned, owner=agent, actor=manager)
    services.assign(case=RecoveryCase.objects.get(pk=reassigned.pk), owner=other_agent, actor=manager)
    _resolve(reassigned, other_agent)
    reopened = RecoveryCaseFactory()
    _resolve(reopened, agent)
    workflow.reopen(case_id=reopened.pk, actor=agent, reason="Still broken.")
    workflow.apologize(case_id=reopened.pk, actor=agent, note="Sorry again.")
    workflow.resolve(case_id=reopened.pk, actor=agent, resolution="Fixed now.")
    by_manager = RecoveryCaseFactory(owner=agent)  # resolved by someone other than its owner
    _resolve(by_manager, manager)
    RecoveryCaseFactory(owner=agent, acknowledged=True)  # not resolved: not counted at all
    return {"first_contact": {taken.pk, given.pk}, "resolved": 5}


def _today():
    today = timezone.localdate().isoformat()
    return metrics_period.parse({"from": today, "to": today})


def test_the_share_is_first_owner_resolutions_over_resolved_cases(matrix):
    period, scope = _today()
    figures = queries.compute(period, scope)
    assert figures["first_contact_resolution"] == 0.4  # 2 of 5, by hand
    assert figures["first_contact"]["resolved"] == 5
    assert figures["first_contact"]["first_contact"] == 2


def test_the_metrics_api_reports_it_and_its_drill_down_lists_exactly_those_cases(matrix, api_client, manager):
    today = timezone.localdate().isoformat()
    client = api_client(manager)
    body = client.get(f"/api/v1/metrics/?from={today}&to={today}").json()
    assert body["first_contact_resolution"] == 0.4
    assert body["first_contact"]["resolved"] == 5
    listed = client.get(f"/api/v1/cases/?metric=first_contact&from={today}&to={today}").json()
    assert {case["id"] for case in listed["results"]} == matrix["first_contact"]


def test_nothing_resolved_is_no_share_rather_than_zero(agent):
    RecoveryCaseFactory(owner=agent)
    figures = queries.compute(*_today())
    assert figures["first_contact_resolution"] is None


def test_a_resolution_whose_owner_was_deleted_is_not_first_contact(agent, other_agent):
    # The timeline then names nobody as the resolver, and the case has no owner to compare with.
    gone, kept = RecoveryCaseFactory(), RecoveryCaseFactory()
    _resolve(gone, other_agent)
    _resolve(kept, agent)
    other_agent.delete()

    figures = queries.compute(*_today())

    assert figures["first_contact"]["resolved"] == 2
    assert figures["first_contact"]["first_contact"] == 1
