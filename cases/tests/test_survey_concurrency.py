"""Two submits of the same survey link at the same moment (a double click), on real PostgreSQL."""

import pytest
import time_machine

from cases import workflow
from cases.follow_ups import survey
from cases.models import CaseEvent, Stage
from cases.tests.factories import RecoveryCaseFactory
from conftest import run_at_once
from feedback.models import Feedback
from recovery.errors import SurveyUnavailable

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_answers_on_one_link_at_once_store_exactly_one(agent):
    case = RecoveryCaseFactory(apologized=True, owner=agent)
    with time_machine.travel("2026-11-20T10:00:00Z", tick=False):
        workflow.resolve(case_id=case.pk, actor=agent, resolution="Refunded.")
    token = survey.token_for(case.follow_ups.get().pk)

    outcomes = run_at_once(
        lambda: survey.answer(token=token, rating=1, comment="Worst."),
        lambda: survey.answer(token=token, rating=2, comment="Bad."),
    )

    stored = [o for o in outcomes if isinstance(o, Feedback)]
    refused = [o for o in outcomes if isinstance(o, SurveyUnavailable)]
    assert (len(stored), len(refused)) == (1, 1), outcomes
    assert refused[0].reason == "answered"
    assert Feedback.objects.count() == 1
    assert case.follow_ups.get().satisfaction == stored[0].rating
    assert case.events.filter(kind=CaseEvent.Kind.FOLLOW_UP).count() == 1
    case.refresh_from_db()
    assert (case.stage, case.reopen_count) == (Stage.ACKNOWLEDGED, 1)
