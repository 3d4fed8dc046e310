"""Snapshots of the preset periods' metrics, kept current by a Celery task (`refresh_metric_snapshots`).

Live aggregation over a million cases takes seconds (bench/dashboard), so the dashboard's default views
(the last 7, 30 or 90 days, no filters) read the latest snapshot, at most MAX_AGE old, and say when it
was computed. A custom period, a filter or a lead's view of their teams is computed live. The figures
about this moment (open now, the backlog, breached now, pending approvals) are counted live on top of a
snapshot, so they match their drill-down lists; the period's figures may differ from theirs by what
changed since.
"""

import time
from datetime import datetime, timedelta

from django.utils import timezone

from cases.metrics import queries
from cases.metrics.period import PRESETS, Period, Scope, last_days
from cases.models import MetricsSnapshot

REFRESH_SECONDS = 300
# Two missed refreshes and the page falls back to live numbers rather than show stale ones.
MAX_AGE = timedelta(seconds=3 * REFRESH_SECONDS)


def refresh(*, days: int, now: datetime | None = None) -> MetricsSnapshot:
    now = now or timezone.now()
    period = last_days(days, today=timezone.localdate(now))
    started = time.perf_counter()
    data = queries.compute(period, Scope(), now=now)
    snapshot, _ = MetricsSnapshot.objects.update_or_create(
        days=days,
        defaults={
            "period_from": period.first,
            "period_to": period.last,
            "computed_at": now,
            "seconds_taken": round(time.perf_counter() - started, 3),
            "data": data,
        },
    )
    return snapshot


def refresh_all() -> list[int]:
    for days in PRESETS:
        refresh(days=days)
    return list(PRESETS)


def metrics_for(period: Period, scope: Scope, *, now: datetime | None = None) -> tuple[dict, datetime, bool]:
    """(metrics, as of when, from a snapshot?): the fresh snapshot of a preset period, else live numbers."""
    now = now or timezone.now()
    snapshot = _fresh_snapshot(period, scope, now)
    if snapshot is not None:
        return queries.with_the_present(snapshot.data, scope, now=now), snapshot.computed_at, True
    return queries.compute(period, scope, now=now), now, False


def _fresh_snapshot(period: Period, scope: Scope, now: datetime) -> MetricsSnapshot | None:
    if scope.params() or period.days not in PRESETS or not scope.everything_visible:
        return None
    return MetricsSnapshot.objects.filter(
        days=period.days, period_from=period.first, period_to=period.last, computed_at__gt=now - MAX_AGE
    ).first()
