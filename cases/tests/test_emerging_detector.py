"""The emerging-issue detector over a hand-counted world (cases/tests/emerging_world.py)."""

from datetime import timedelta

import pytest

from cases.emerging import detector, services
from cases.emerging.detector import Piece
from cases.emerging.models import DetectorRun, EmergingGroup
from cases.tests import emerging_world as world
from cases.tests.emerging_world import NOW


def test_a_spike_three_times_the_usual_is_emerging_and_one_at_the_usual_rate_is_not():
    late = [
        Piece(i, i, "Delivery", text, NOW - timedelta(minutes=10 * i)) for i, text in enumerate(world.LATE)
    ]
    rude = [
        Piece(10 + i, 10 + i, "delivery", t, NOW - timedelta(minutes=5)) for i, t in enumerate(world.RUDE)
    ]
    # Five rude couriers in the same hours of the four previous weeks (two in the first): 1.25 a week.
    usual = [
        Piece(50 + i, 50 + i, "delivery", "courier was rude", NOW - timedelta(weeks=week, hours=1))
        for i, week in enumerate((1, 1, 2, 3, 4))
    ]
    groups = detector.detect(late + rude, usual, now=NOW)

    assert len(groups) == 2
    parcel, courier = sorted(groups, key=lambda g: "courier" in g.terms)
    assert set(parcel.terms) == {"late", "arrived", "parcel"}
    assert (parcel.touchpoint, parcel.count, parcel.expected, parcel.emerging) == ("delivery", 4, 0.0, True)
    assert {"courier", "rude"} <= set(courier.terms)
    assert (courier.count, courier.expected, courier.emerging) == (3, 1.25, False)  # 3 < 3 x 1.25


def test_two_at_a_touchpoint_in_two_hours_are_never_a_group():
    pieces = [Piece(i, i, "checkout", "payment failed", NOW - timedelta(minutes=i)) for i in (1, 2)]
    assert detector.detect(pieces, [], now=NOW) == []


def test_baseline_windows_are_the_same_two_hours_of_the_four_previous_weeks():
    assert [(start.isoformat(), end.isoformat()) for start, end in detector.baseline_windows(NOW)] == [
        ("2026-11-29T10:00:00+00:00", "2026-11-29T12:00:00+00:00"),
        ("2026-11-22T10:00:00+00:00", "2026-11-22T12:00:00+00:00"),
        ("2026-11-15T10:00:00+00:00", "2026-11-15T12:00:00+00:00"),
        ("2026-11-08T10:00:00+00:00", "2026-11-08T12:00:00+00:00"),
    ]


@pytest.mark.django_db
def test_the_run_keeps_the_spike_with_its_hand_counted_figures_and_all_its_cases():
    made = world.build()

    run = services.run(now=NOW)

    assert run is not None and run.emerging == 1
    group = EmergingGroup.objects.get(is_emerging=True)
    assert (group.touchpoint, group.count, group.expected) == ("delivery", 4, 0.75)
    assert group.terms[:3] and set(group.terms) <= {"parcel", "late", "arrived"}
    assert group.since == NOW - timedelta(minutes=50)
    expected_cases = {f.case_id for f in made["spike"] + made["earlier"]}
    assert set(group.cases.values_list("pk", flat=True)) == expected_cases
    assert not EmergingGroup.objects.filter(touchpoint="checkout").exists()


@pytest.mark.django_db
def test_a_second_run_in_the_same_slot_does_nothing():
    world.build()
    assert services.run(now=NOW) is not None
    assert services.run(now=NOW + timedelta(minutes=3)) is None
    assert DetectorRun.objects.count() == 1
    assert EmergingGroup.objects.count() == 1


@pytest.mark.django_db
def test_a_growing_group_keeps_its_id_and_a_dismissed_one_shows_again_when_it_doubles(manager):
    world.build()
    services.run(now=NOW)
    group = EmergingGroup.objects.get(is_emerging=True)
    services.dismiss(group_id=group.pk, actor=manager)

    later = NOW + timedelta(minutes=10)
    for minute in range(3):  # 7 in the last 2 hours: under twice 4
        world.negative("parcel arrived late", at=later - timedelta(minutes=minute + 1))
    services.run(now=later)
    group.refresh_from_db()
    assert (group.count, group.dismissed_at is not None) == (7, True)

    latest = later + timedelta(minutes=10)
    world.negative("late parcel", at=latest - timedelta(minutes=1))  # 8: twice 4
    services.run(now=latest)
    group.refresh_from_db()
    assert (group.count, group.dismissed_at, EmergingGroup.objects.count()) == (8, None, 1)


@pytest.mark.django_db
def test_a_root_cause_from_a_group_links_all_its_cases(manager):
    world.build()
    services.run(now=NOW)
    group = EmergingGroup.objects.get(is_emerging=True)

    root_cause = services.create_root_cause(
        group_id=group.pk, actor=manager, title="Parcels late", category="partner"
    )

    assert set(root_cause.cases.values_list("pk", flat=True)) == set(group.cases.values_list("pk", flat=True))
    group.refresh_from_db()
    assert group.root_cause == root_cause


@pytest.mark.django_db
def test_the_beat_task_runs_the_detector_once_per_slot_and_closes_watch_windows():
    import time_machine

    from cases import tasks

    world.build()
    with time_machine.travel(NOW, tick=False):
        assert tasks.detect_emerging_issues() == 1
        assert tasks.detect_emerging_issues() is None  # the same 10-minute slot
        assert tasks.close_watch_windows() == {"verified": 0, "left_fixed": 0}
