"""Working time: adding SLA time to a moment and measuring it, around the clock or by a calendar.

A calendar's opening hours are local wall times. Each day's intervals are turned into absolute
instants on that day (so 9-17 stays 9-17 local across a DST change, and a 0-24 day lasts 23 or 25
hours then); all arithmetic between instants is done on aware datetimes in UTC, never on wall time.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cases.models import BusinessCalendar

ZERO = timedelta(0)
DAY = timedelta(days=1)
MIDNIGHT = time(0)
# How far ahead to look for working time: a policy whose target is not reached within ~11 years is
# misconfigured (a calendar with no opening hours), and must fail loudly rather than loop forever.
MAX_DAYS_SEARCHED = 4000


class AroundTheClock:
    """SLA time is plain elapsed time: the default for policies without a calendar."""

    def add(self, moment: datetime, duration: timedelta) -> datetime:
        return moment + duration

    def between(self, begin: datetime, end: datetime) -> timedelta:
        return max(end - begin, ZERO)


AROUND_THE_CLOCK = AroundTheClock()


@dataclass(frozen=True)
class Schedule:
    """A calendar in memory. `weekly[0]` is Monday: sorted, non-overlapping (opens, closes) pairs as
    wall-clock offsets from local midnight (closing at midnight is 24 h)."""

    zone: ZoneInfo
    weekly: tuple[tuple[tuple[timedelta, timedelta], ...], ...]
    holidays: frozenset[date]

    def add(self, moment: datetime, duration: timedelta) -> datetime:
        """The first moment at which `duration` of working time has passed since `moment`."""
        remaining = duration
        if remaining <= ZERO:
            return moment
        for start, end in self._intervals_from(moment):
            if remaining <= end - start:
                return start + remaining
            remaining -= end - start
        raise AssertionError("unreachable: _intervals_from raises when it runs out")

    def between(self, begin: datetime, end: datetime) -> timedelta:
        """Working time from `begin` to `end` (zero when `end` is not after `begin`)."""
        total = ZERO
        if end <= begin:
            return total
        for start, stop in self._intervals_from(begin):
            if start >= end:
                break
            total += min(stop, end) - start
        return total

    def intervals_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working intervals of a local calendar day, as UTC instants."""
        if day in self.holidays:
            return []
        # Adding to an aware datetime moves its wall time; astimezone then applies that day's offset.
        midnight = datetime.combine(day, MIDNIGHT, self.zone)
        intervals = []
        for opens, closes in self.weekly[day.weekday()]:
            start, end = (midnight + opens).astimezone(UTC), (midnight + closes).astimezone(UTC)
            if end > start:  # an interval inside a skipped DST hour has no length
                intervals.append((start, end))
        return intervals

    def _intervals_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working intervals from `moment` on, the first one cut to start at `moment`."""
        # A day's intervals end by its midnight, so nothing earlier than `moment`'s local day matters.
        first_day = moment.astimezone(self.zone).date()
        for offset in range(MAX_DAYS_SEARCHED):
            for start, end in self.intervals_on(first_day + timedelta(days=offset)):
                if end > moment:
                    yield max(start, moment), end
        raise ValueError(
            f"No working time within {MAX_DAYS_SEARCHED} days: does the calendar have opening hours?"
        )


def schedule_of(calendar: BusinessCalendar) -> Schedule:
    """Load a calendar (two queries), cached on the instance: a sweep loads each calendar once."""
    cached = getattr(calendar, "_schedule", None)
    if cached is None:
        weekly: list[list[tuple[timedelta, timedelta]]] = [[] for _ in range(7)]
        for hours in calendar.opening_hours.all():
            weekly[hours.weekday].append((_offset(hours.opens), _offset(hours.closes) or DAY))
        cached = Schedule(
            zone=ZoneInfo(calendar.time_zone),
            weekly=tuple(merged(day) for day in weekly),
            holidays=frozenset(calendar.holidays.values_list("date", flat=True)),
        )
        calendar._schedule = cached  # type: ignore[attr-defined]  # cached on the instance, like a property
    return cached


def merged(intervals: list[tuple[timedelta, timedelta]]) -> tuple[tuple[timedelta, timedelta], ...]:
    """Sorted, with overlapping or touching intervals joined, so no working minute counts twice."""
    result: list[tuple[timedelta, timedelta]] = []
    for opens, closes in sorted(intervals):
        if result and opens <= result[-1][1]:
            result[-1] = (result[-1][0], max(result[-1][1], closes))
        else:
            result.append((opens, closes))
    return tuple(result)


def _offset(moment: time) -> timedelta:
    return timedelta(hours=moment.hour, minutes=moment.minute, seconds=moment.second)
