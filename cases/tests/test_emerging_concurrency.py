"""Two beats running the detector at once, and two links racing past a root cause's threshold, on
real PostgreSQL."""

from datetime import timedelta

import pytest

from cases import root_causes
from cases.emerging import services
from cases.emerging.models import DetectorRun, EmergingGroup
from cases.models import RootCauseEvent
from cases.tests import emerging_world as world
from cases.tests.emerging_world import NOW
from cases.tests.factories import RecoveryCaseFactory, RootCauseFactory
from conftest import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_detector_runs_in_one_slot_run_once():
    world.build()

    outcomes = run_at_once(
        lambda: services.run(now=NOW), lambda: services.run(now=NOW + timedelta(seconds=1))
    )

    assert sum(isinstance(o, DetectorRun) for o in outcomes) == 1, outcomes
    assert sum(o is None for o in outcomes) == 1, outcomes
    assert (DetectorRun.objects.count(), EmergingGroup.objects.count()) == (1, 1)


def test_two_links_reaching_the_threshold_at_once_reopen_it_once(manager):
    root_cause = RootCauseFactory(owner=manager, recurrence_threshold=2)
    root_causes.update(root_cause_id=root_cause.pk, actor=manager, changes={"status": "fixed"})
    first, second = RecoveryCaseFactory(), RecoveryCaseFactory()

    run_at_once(
        lambda: root_causes.link_case(root_cause_id=root_cause.pk, case_id=first.pk, actor=manager),
        lambda: root_causes.link_case(root_cause_id=root_cause.pk, case_id=second.pk, actor=manager),
    )

    root_cause.refresh_from_db()
    assert root_cause.status == "reopened"
    reopened = RootCauseEvent.objects.filter(root_cause=root_cause, kind="reopened")
    assert reopened.count() == 1
    assert sorted(reopened.get().data["cases"]) == sorted([first.reference, second.reference])
