"""Old migrations carry frozen copies of what they computed with, and those copies agree with today's."""

import importlib
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cases.sla.calendar import Schedule

backfill = importlib.import_module("cases.migrations.0022_time_to_stage_in_sla_time")

HOURS = [(timedelta(hours=9), timedelta(hours=12)), (timedelta(hours=13), timedelta(hours=17))]
WEEKLY = [HOURS] * 5 + [[], []]  # Monday to Friday, a lunch break
ZONE = ZoneInfo("Europe/Paris")
HOLIDAYS = frozenset({datetime(2026, 12, 25).date()})


@pytest.mark.parametrize(
    ("begin", "end"),
    [
        (datetime(2026, 12, 21, 8, 0, tzinfo=UTC), datetime(2026, 12, 21, 15, 30, tzinfo=UTC)),
        (
            datetime(2026, 12, 24, 16, 0, tzinfo=UTC),
            datetime(2026, 12, 29, 10, 0, tzinfo=UTC),
        ),  # holiday, weekend
        (datetime(2026, 3, 27, 10, 0, tzinfo=UTC), datetime(2026, 3, 31, 10, 0, tzinfo=UTC)),  # DST change
        (datetime(2026, 12, 21, 15, 0, tzinfo=UTC), datetime(2026, 12, 21, 9, 0, tzinfo=UTC)),  # end first
    ],
)
def test_0022s_working_time_is_todays(begin, end):
    today = Schedule(zone=ZONE, weekly=tuple(tuple(day) for day in WEEKLY), holidays=HOLIDAYS)

    frozen = backfill._between((ZONE, WEEKLY, HOLIDAYS), begin, end)

    assert frozen == today.between(begin, end)
    assert frozen >= timedelta(0)
