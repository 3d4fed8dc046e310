"""The watch window of a fixed root cause, with hand-picked dates.

Fixed on 1 Dec 2026 10:00 with a 30-day window (until 31 Dec 10:00) and a threshold of 3:
- a case linked on 30 Nov (before the fix) is not a recurrence;
- RC-a on 3 Dec by hand, RC-b on 5 Dec by the matching rule at triage, RC-c on 9 Dec by hand:
  the third reopens it, and the event lists the three.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from cases import root_causes
from cases.models import Notice, Recurrence, RootCause, RootCauseEvent
from cases.root_causes import rules, watch
from cases.tests.factories import RecoveryCaseFactory, RootCauseFactory
from feedback import intake
from feedback.tests.factories import feedback_input

FIXED = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def fixed_root_cause(manager, **extra) -> RootCause:
    root_cause = RootCauseFactory(owner=manager, **extra)
    with time_machine.travel(FIXED, tick=False):
        return root_causes.update(root_cause_id=root_cause.pk, actor=manager, changes={"status": "fixed"})


@pytest.mark.django_db
def test_marking_fixed_starts_a_window_the_json_shows(manager, api_client):
    root_cause = fixed_root_cause(manager)

    assert root_cause.watch_until == datetime(2026, 12, 31, 10, 0, tzinfo=UTC)
    body = api_client(manager).get(f"/api/v1/root-causes/{root_cause.pk}/").json()
    assert body["watch_until"] == "2026-12-31T10:00:00Z"
    assert (body["watch_days"], body["recurrence_threshold"]) == (30, 3)
    assert root_cause.events.get().kind == RootCauseEvent.Kind.WATCH_STARTED


@pytest.mark.django_db
def test_the_third_recurrence_reopens_it_with_an_event_listing_the_cases_and_tells_owner_and_managers(
    manager, agent, intake_user
):
    root_cause = fixed_root_cause(manager)
    rules.add(root_cause_id=root_cause.pk, actor=manager, touchpoint="Delivery", phrases="late parcel, lost")
    before = RecoveryCaseFactory(owner=agent)
    with time_machine.travel(FIXED - timedelta(days=1), tick=False):
        root_causes.link_case(root_cause_id=root_cause.pk, case_id=before.pk, actor=agent)
    a, c = RecoveryCaseFactory(owner=agent), RecoveryCaseFactory(owner=agent)

    with time_machine.travel(datetime(2026, 12, 3, 9, 0, tzinfo=UTC), tick=False):
        root_causes.link_case(root_cause_id=root_cause.pk, case_id=a.pk, actor=agent)
    with time_machine.travel(datetime(2026, 12, 5, 9, 0, tzinfo=UTC), tick=False):
        result = intake.submit(
            client=intake_user,
            idempotency_key=None,
            payload=feedback_input(
                external_id="NEW-1", rating=1, touchpoint="delivery", comment="My LATE   parcel never came"
            ),
        )
    b = result.feedback.case
    root_cause.refresh_from_db()
    assert (root_cause.status, Recurrence.objects.count()) == ("fixed", 2)
    with time_machine.travel(datetime(2026, 12, 9, 9, 0, tzinfo=UTC), tick=False):
        root_causes.link_case(root_cause_id=root_cause.pk, case_id=c.pk, actor=agent)

    root_cause.refresh_from_db()
    assert root_cause.status == RootCause.Status.REOPENED
    reopened = root_cause.events.get(kind=RootCauseEvent.Kind.REOPENED)
    assert reopened.data["cases"] == [a.reference, b.reference, c.reference]
    assert all(ref in reopened.message for ref in (a.reference, b.reference, c.reference))
    assert b.events.filter(kind="root_cause_linked", actor=None, data__rule__isnull=False).exists()
    told = Notice.objects.filter(kind=Notice.Kind.ROOT_CAUSE_REOPENED)
    assert list(told.values_list("user__username", flat=True)) == ["manager"]  # the owner, once


@pytest.mark.django_db
def test_a_rule_links_nothing_when_the_touchpoint_or_the_words_differ_or_the_window_ended(manager):
    root_cause = fixed_root_cause(manager)
    rules.add(root_cause_id=root_cause.pk, actor=manager, touchpoint="delivery", phrases=["late parcel"])
    inside = datetime(2026, 12, 2, tzinfo=UTC)
    assert rules.matching(touchpoint="checkout", comment="late parcel", now=inside) == []
    assert rules.matching(touchpoint="delivery", comment="the parcel was late", now=inside) == []
    assert rules.matching(touchpoint="delivery", comment="chocolate parcel", now=inside) == []
    assert len(rules.matching(touchpoint="DELIVERY ", comment="A late parcel!", now=inside)) == 1
    assert (
        rules.matching(touchpoint="delivery", comment="late parcel", now=datetime(2027, 1, 1, tzinfo=UTC))
        == []
    )


@pytest.mark.django_db
def test_a_window_ending_without_recurrence_is_verified_by_the_system_once(manager, agent):
    quiet = fixed_root_cause(manager, title="Quiet")
    noisy = fixed_root_cause(manager, title="One recurrence")
    with time_machine.travel(datetime(2026, 12, 10, tzinfo=UTC), tick=False):
        root_causes.link_case(
            root_cause_id=noisy.pk, case_id=RecoveryCaseFactory(owner=agent).pk, actor=agent
        )

    assert watch.close_ended_windows(now=datetime(2026, 12, 31, 9, 59, tzinfo=UTC)) == {
        "verified": 0,
        "left_fixed": 0,
    }
    after = datetime(2026, 12, 31, 11, 0, tzinfo=UTC)
    assert watch.close_ended_windows(now=after) == {"verified": 1, "left_fixed": 1}
    assert watch.close_ended_windows(now=after) == {"verified": 0, "left_fixed": 0}

    quiet.refresh_from_db()
    noisy.refresh_from_db()
    assert (quiet.status, quiet.verified_by_system, quiet.verified_at) == ("verified", True, after)
    assert "no recurrence in the 30 days watched from 2026-12-01 to 2026-12-31" in quiet.verification_note
    assert quiet.events.get(kind="verified").data["recurrences"] == 0
    assert noisy.status == "fixed"
    assert noisy.events.get(kind="watch_ended").data["recurrences"] == 1


@pytest.mark.django_db
def test_a_manager_verifies_by_hand_with_a_note(manager):
    root_cause = fixed_root_cause(manager)
    verified = root_causes.update(
        root_cause_id=root_cause.pk,
        actor=manager,
        changes={"status": "verified", "verification_note": "Audit of 200 parcels: none late."},
    )
    assert (verified.status, verified.verified_by_system) == ("verified", False)
    event = verified.events.get(kind="verified")
    assert (event.actor, event.message) == (manager, "Audit of 200 parcels: none late.")


@pytest.mark.django_db
def test_a_rule_without_words_is_refused_naming_the_field(manager):
    root_cause = RootCauseFactory()
    with pytest.raises(Exception) as refused:
        rules.add(root_cause_id=root_cause.pk, actor=manager, touchpoint="delivery", phrases=" , ")
    assert getattr(refused.value, "field", None) == "phrases"
