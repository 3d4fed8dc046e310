"""Percentiles of a stored duration, as one ORM aggregate on both engines.

PostgreSQL has PERCENTILE_CONT. SQLite (the embedded `make run`) has no percentile aggregate, so every
SQLite connection is given one written in Python (`add_to_sqlite`, on Django's `connection_created`):
it gathers the values the query's filter and grouping leave (the period's rows, so bounded by the
period) and interpolates exactly as PERCENTILE_CONT does. The same query then answers the same numbers
on either engine, grouped by owner or by week as well as over the whole period.
"""

import math

from django.db.models import FloatField, Func
from django.db.models.aggregates import Aggregate

SQLITE_FUNCTION = "MEND_PERCENTILE_CONT"


class Percentile(Aggregate):
    """The continuous percentile `fraction` (0-1) of `expression`, NULLs left out; NULL when no row."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        # A copy with SQLite's form, not a `template=` argument: Aggregate.as_sql passes its own
        # template on when it adds the FILTER clause.
        sqlite = self.copy()
        sqlite.function = SQLITE_FUNCTION
        sqlite.template = "%(function)s(%(expressions)s, %(fraction)s)"
        return sqlite.as_sql(compiler, connection, **extra_context)


class Seconds(Func):
    """A DurationField in seconds: PostgreSQL stores an interval, SQLite whole microseconds."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)"
    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="(%(expressions)s / 1000000.0)", **extra_context)


def percentile_cont(values: list[float], fraction: float) -> float | None:
    """PERCENTILE_CONT: the value at position fraction * (n - 1) of the sorted values, interpolated
    linearly between its two neighbours."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


class _SQLitePercentile:
    """The aggregate SQLite calls: `step` per row of the group, `finalize` once."""

    def __init__(self):
        self.values: list[float] = []
        self.fraction = 0.5

    def step(self, value, fraction):
        self.fraction = fraction
        if value is not None:
            self.values.append(value)

    def finalize(self):
        return percentile_cont(self.values, self.fraction)


def add_to_sqlite(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: give a new SQLite connection the percentile aggregate."""
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate(SQLITE_FUNCTION, 2, _SQLitePercentile)
