"""Two agents pressing the same button at the same moment, on real PostgreSQL row locks."""

import pytest

from cases import workflow
from cases.models import CaseEvent, Stage
from cases.tests.factories import RecoveryCaseFactory
from conftest import run_at_once
from recovery.errors import Conflict

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_agents_acknowledging_at_once_one_wins_and_one_gets_a_conflict(agent, other_agent):
    case = RecoveryCaseFactory(stage=Stage.NEW)

    outcomes = run_at_once(
        lambda: workflow.acknowledge(case_id=case.pk, actor=agent),
        lambda: workflow.acknowledge(case_id=case.pk, actor=other_agent),
    )

    conflicts = [o for o in outcomes if isinstance(o, Conflict)]
    successes = [o for o in outcomes if not isinstance(o, Exception)]
    assert (len(successes), len(conflicts)) == (1, 1), outcomes
    case.refresh_from_db()
    assert case.stage == Stage.ACKNOWLEDGED
    assert case.version == 1
    assert case.owner == successes[0].owner
    assert case.events.filter(kind=CaseEvent.Kind.STAGE_CHANGED).count() == 1


def test_same_version_from_two_tabs_one_wins_and_one_is_stale(manager):
    case = RecoveryCaseFactory(stage=Stage.ACKNOWLEDGED)

    outcomes = run_at_once(
        lambda: workflow.apologize(case_id=case.pk, actor=manager, note="Sorry by phone", version=0),
        lambda: workflow.close(case_id=case.pk, actor=manager, reason="Duplicate", version=0),
    )

    assert sum(isinstance(o, Conflict) for o in outcomes) == 1, outcomes
    case.refresh_from_db()
    assert case.version == 1
    assert case.events.filter(kind=CaseEvent.Kind.STAGE_CHANGED).count() == 1
