"""Working-time arithmetic, every expected moment worked out by hand (local wall times in comments)."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from cases.models import BusinessCalendar, Holiday, OpeningHours, SLAPolicy
from cases.sla import clock as sla
from cases.sla.calendar import Schedule, merged, schedule_of
from cases.tests.factories import RecoveryCaseFactory

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
H = timedelta(hours=1)
NINE_TO_FIVE = [(9 * H, 17 * H)]


def weekdays(intervals, *, weekend=(), holidays=(), zone=BERLIN) -> Schedule:
    return Schedule(
        zone=zone,
        weekly=tuple([tuple(intervals)] * 5 + [tuple(weekend)] * 2),
        holidays=frozenset(holidays),
    )


def local(text: str, zone=BERLIN) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


OFFICE = weekdays(NINE_TO_FIVE)


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        ("2026-11-20 16:30", 4, "2026-11-23 12:30"),  # Friday 30 min, Monday 3 h 30
        ("2026-11-20 17:30", 4, "2026-11-23 13:00"),  # received after closing: all 4 h on Monday
        ("2026-11-21 11:00", 4, "2026-11-23 13:00"),  # received on Saturday
        ("2026-11-17 07:00", 2, "2026-11-17 11:00"),  # before opening: counts from 9:00
        ("2026-11-17 18:00", 2, "2026-11-18 11:00"),  # after closing: counts from 9:00 next day
        ("2026-11-16 13:00", 4, "2026-11-16 17:00"),  # due exactly at closing, not next morning
        ("2026-11-16 10:00", 20, "2026-11-18 14:00"),  # Mon 7 h, Tue 8 h, Wed 5 h
        ("2026-11-16 10:00", 40, "2026-11-23 10:00"),  # a whole working week later
    ],
)
def test_working_hours_of_a_nine_to_five_office(start, hours, due):
    assert OFFICE.add(local(start), hours * H) == local(due)


def test_holidays_are_skipped():
    office = weekdays(NINE_TO_FIVE, holidays=[datetime(2026, 11, 19).date()])  # Thursday

    # Wednesday 16:00: 1 h that day, Thursday off, 1 h on Friday.
    assert office.add(local("2026-11-18 16:00"), 2 * H) == local("2026-11-20 10:00")


def test_several_intervals_a_day_leave_the_lunch_break_out():
    office = weekdays([(9 * H, 12 * H), (13 * H, 17 * H)])

    assert office.add(local("2026-11-16 11:00"), 2 * H) == local("2026-11-16 14:00")
    assert office.between(local("2026-11-16 08:00"), local("2026-11-16 20:00")) == 7 * H


def test_overlapping_intervals_count_once():
    assert merged([(12 * H, 17 * H), (9 * H, 13 * H)]) == ((9 * H, 17 * H),)
    assert merged([(9 * H, 12 * H), (12 * H, 24 * H)]) == ((9 * H, 24 * H),)


def test_working_time_between_two_moments():
    assert OFFICE.between(local("2026-11-20 16:00"), local("2026-11-23 10:00")) == 2 * H
    assert OFFICE.between(local("2026-11-21 10:00"), local("2026-11-22 10:00")) == timedelta(0)
    assert OFFICE.between(local("2026-11-23 10:00"), local("2026-11-20 16:00")) == timedelta(0)


@pytest.mark.parametrize(
    ("zone", "start", "due", "due_utc"),
    [
        # Berlin springs forward on Sunday 29 March 2026: Friday CET (+1), Monday CEST (+2).
        (BERLIN, "2026-03-27 16:00", "2026-03-30 12:00", "2026-03-30T10:00:00+00:00"),
        # Berlin falls back on Sunday 25 October 2026: Friday CEST (+2), Monday CET (+1).
        (BERLIN, "2026-10-23 16:00", "2026-10-26 12:00", "2026-10-26T11:00:00+00:00"),
        # New York springs forward on Sunday 8 March 2026: Friday EST (-5), Monday EDT (-4).
        (NEW_YORK, "2026-03-06 15:00", "2026-03-09 11:00", "2026-03-09T15:00:00+00:00"),
        # New York falls back on Sunday 1 November 2026: Friday EDT (-4), Monday EST (-5).
        (NEW_YORK, "2026-10-30 15:00", "2026-11-02 11:00", "2026-11-02T16:00:00+00:00"),
    ],
)
def test_opening_hours_stay_local_across_a_dst_weekend(zone, start, due, due_utc):
    office = weekdays(NINE_TO_FIVE, zone=zone)

    result = office.add(local(start, zone), 4 * H)  # the rest of Friday, then Monday morning

    assert result == local(due, zone)
    assert result.astimezone(ZoneInfo("UTC")).isoformat() == due_utc


@pytest.mark.parametrize(
    ("zone", "start", "due"),
    [
        (NEW_YORK, "2026-03-07 12:00", "2026-03-08 13:00"),  # the Sunday has 23 hours
        (NEW_YORK, "2026-10-31 12:00", "2026-11-01 11:00"),  # the Sunday has 25 hours
        (BERLIN, "2026-03-28 12:00", "2026-03-29 13:00"),
        (BERLIN, "2026-10-24 12:00", "2026-10-25 11:00"),
    ],
)
def test_a_calendar_open_day_and_night_counts_real_hours_on_dst_days(zone, start, due):
    always_open = weekdays([(0 * H, 24 * H)], weekend=[(0 * H, 24 * H)], zone=zone)

    result = always_open.add(local(start, zone), 24 * H)

    assert result == local(due, zone)
    # The same as counting around the clock (in UTC: adding to a zoned datetime moves its wall time).
    assert result == local(start, zone).astimezone(UTC) + 24 * H


def test_opening_hours_across_the_skipped_hour_last_one_hour_less():
    # Sunday 29 March 2026, Berlin: 01:00-04:00 local spans 02:00 -> 03:00, so it lasts 2 hours.
    night_shift = weekdays([], weekend=[(1 * H, 4 * H)])

    assert night_shift.between(local("2026-03-29 00:00"), local("2026-03-29 23:00")) == 2 * H
    assert night_shift.between(local("2026-03-28 00:00"), local("2026-03-28 23:00")) == 3 * H


def test_a_calendar_without_opening_hours_fails_loudly_instead_of_looping():
    closed = weekdays([])

    with pytest.raises(ValueError, match="opening hours"):
        closed.add(local("2026-11-16 10:00"), H)


@pytest.mark.django_db
def test_a_policy_with_a_calendar_counts_its_working_time_and_warns_at_its_fraction_of_it():
    calendar = BusinessCalendar.objects.create(name="Berlin office", time_zone="Europe/Berlin")
    for weekday in range(5):
        OpeningHours.objects.create(calendar=calendar, weekday=weekday, opens=time(9), closes=time(17))
    Holiday.objects.create(calendar=calendar, date=datetime(2026, 11, 23).date(), name="Closed Monday")
    SLAPolicy.objects.filter(severity="medium").update(calendar=calendar)  # acknowledge 4 h, warn at 75 %

    case = RecoveryCaseFactory(severity="medium", sla_started_at=local("2026-11-20 16:30"))

    # Friday 30 min, Monday a holiday, Tuesday 3 h 30 -> 12:30; the warning after 3 working hours.
    assert case.acknowledge_due_at == local("2026-11-24 12:30")
    assert case.sla_warn_at == local("2026-11-24 11:30")
    assert case.apologize_due_at == local("2026-11-24 16:30")  # 8 h: Friday 30 min, Tuesday 7 h 30


@pytest.mark.django_db
def test_a_calendar_loads_its_opening_hours_and_holidays_once(django_assert_num_queries):
    calendar = BusinessCalendar.objects.create(name="NY", time_zone="America/New_York")
    OpeningHours.objects.create(calendar=calendar, weekday=0, opens=time(9), closes=time(0))

    with django_assert_num_queries(2):
        schedule_of(calendar)
        schedule = schedule_of(calendar)

    assert schedule.weekly[0] == ((9 * H, 24 * H),)
    # Open until midnight: the last hour of Monday is working time.
    due = sla.add_target(SLAPolicy(calendar=calendar), local("2026-11-16 23:00", NEW_YORK), H)
    assert due == local("2026-11-17 00:00", NEW_YORK)


def test_an_unknown_time_zone_is_refused():
    with pytest.raises(ValidationError, match="IANA"):
        BusinessCalendar(name="Atlantis", time_zone="Atlantis/Capital").clean_fields()
