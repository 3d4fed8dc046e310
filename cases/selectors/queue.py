"""The agent's queue (`/`): their open cases and the unassigned ones, most urgent first.

The order, in buckets and then within each bucket:
1. breached (the running SLA target has passed), together with the cases the customer reopened
   through the survey ("Customer unhappy");
2. at risk (the warning moment has passed, the target not yet);
3. on track;
4. no target running (followed up, waiting to be closed): nothing is due, so a critical one of these
   never sits above a high case due in minutes;
5. paused (on hold, waiting on the customer).
Within a bucket: the more severe first, then the earlier due moment (an unhappy case counts as due
since the customer's answer), then the case id. Severity before time is what keeps a new critical case
above every on-track low one, whatever the SLA policies say.

The buckets depend on the clock, so no index can hold the order. Each bucket of each severity is a range
of the `case_queue_running` index instead (`case_queue_paused` for held cases) whose every condition is
on the index's keys, read in index order and cut at the page size; a bucket is the union of its ranges,
sorted (a few hundred keys at most, however many cases there are). Buckets are read in order, one query
each, until the page is full: a busy queue costs one query, a quiet one five. A case with no target
running has FAR_FUTURE as its due key: its bucket is that one key of the index. At-risk ranges end at the
severity's `at_risk_horizon`, so they never walk the on-track cases, and on-track ranges skip the
at-risk ones inside the index.
"""

from datetime import datetime
from enum import IntEnum
from itertools import chain

from django.db import connection
from django.db.models import Q, QuerySet, Value
from django.utils.translation import gettext_lazy as _

from cases.models import (
    FAR_FUTURE,
    PAUSED_OPEN,
    QUEUE_DUE,
    RUNNING_OPEN,
    SEVERITY_ORDER,
    SEVERITY_URGENCY,
    RecoveryCase,
)
from cases.selectors.cases import QUEUE_ROW
from cases.sla.clock import at_risk_horizon
from cases.teams.scope import case_scope

QUEUE_ROWS = 50  # as many as the API's first page: an agent works from the top


class Bucket(IntEnum):
    BREACHED = 0
    AT_RISK = 1
    ON_TRACK = 2
    NO_TARGET = 3
    PAUSED = 4


SCOPES = {  # ?show= value -> chip label
    "all": _("All open"),
    "mine": _("Mine"),
    "unassigned": _("Unassigned"),
}
DEFAULT_SCOPE = "all"


def scope_filter(scope: str, user) -> Q:
    """Whose cases a chip shows. "All open" is the agent's whole queue: theirs plus nobody's, of the
    cases they may see (their teams' and those of no team: `cases.teams.scope`)."""
    if scope == "mine":
        return Q(owner=user)
    if scope == "unassigned":
        return Q(owner__isnull=True) & case_scope(user)
    return Q(owner=user) | (Q(owner__isnull=True) & case_scope(user))


# A chip counts up to this many and then says "1000+": enough to tell a busy morning from a quiet one,
# and each count stays a short read of the (owner, stage) index however large the backlog grows.
COUNT_CAP = 1000


def chip_counts(*, user) -> dict[str, int]:
    """Open cases per chip, each counted up to COUNT_CAP (two queries)."""
    open_cases = RecoveryCase.objects.open().order_by()
    mine = open_cases.filter(owner=user)[:COUNT_CAP].count()
    unassigned = open_cases.filter(scope_filter("unassigned", user))[:COUNT_CAP].count()
    return {"all": min(mine + unassigned, COUNT_CAP), "mine": mine, "unassigned": unassigned}


def queue_page(*, user, scope: str, now: datetime, limit: int | None = None) -> list[RecoveryCase]:
    """The `limit` (QUEUE_ROWS) most urgent open cases of `scope`, in queue order (module docstring).
    Two queries."""
    limit = limit or QUEUE_ROWS
    ids = [key[-1] for key in _ranked_keys(scope, user, now=now, limit=limit)]
    rows = RecoveryCase.objects.select_related("customer", "owner", "team").only(*QUEUE_ROW).in_bulk(ids)
    return [rows[pk] for pk in ids if pk in rows]


KEY_NAMES = ("bucket", "severity_key", "due_key", "sla_warn_at", "id")


def _ranked_keys(scope: str, user, *, now: datetime, limit: int) -> list[tuple]:
    horizons = {severity: at_risk_horizon(severity, now=now) for severity in SEVERITY_ORDER}
    keys: list[tuple] = []
    for bucket in Bucket:
        wanted = limit - len(keys)
        parts = _parts(bucket, scope_filter(scope, user), now, horizons, wanted)
        if connection.features.supports_slicing_ordering_in_compound:
            keys += _first_keys(parts, wanted)
        else:
            keys += _merged_keys(parts, wanted)
        if len(keys) >= limit:
            break
    return keys


def _first_keys(parts: list[QuerySet], wanted: int) -> list[tuple]:
    """The first `wanted` keys of a bucket: one UNION of its ranges, each cut at `wanted`."""
    if len(parts) == 1:
        return list(parts[0])
    return list(parts[0].union(*parts[1:], all=True).order_by(*KEY_NAMES)[:wanted])


def _parts(bucket: Bucket, scope: Q, now: datetime, horizons: dict, limit: int) -> list[QuerySet]:
    return [_keys(condition, scope, bucket, limit) for condition in _ranges(bucket, now, horizons)]


def _merged_keys(parts: list[QuerySet], wanted: int) -> list[tuple]:
    """SQLite (the embedded default) cannot cut the parts of a UNION: read each cut range and merge here,
    NULLs first as SQLite orders them."""
    merged = sorted(chain.from_iterable(parts), key=lambda key: tuple((v is not None, v) for v in key))
    return merged[:wanted]


def _ranges(bucket: Bucket, now: datetime, horizons: dict) -> list[Q]:
    """The index ranges that make up `bucket`: per severity, conditions on the index's keys only.
    `horizons`: each severity's `at_risk_horizon` at `now`."""
    if bucket == Bucket.PAUSED:
        return [Q(PAUSED_OPEN)]
    ranges = []
    for urgency, severity in enumerate(reversed(SEVERITY_ORDER)):  # SEVERITY_URGENCY: critical 0 .. low 3
        running = RUNNING_OPEN & Q(severity_key=urgency)
        if bucket == Bucket.BREACHED:
            ranges.append(running & Q(due_key__lte=now))
            continue
        if bucket == Bucket.NO_TARGET:
            ranges.append(running & Q(due_key=FAR_FUTURE))
            continue
        horizon = horizons[severity]
        near = running & Q(due_key__gt=now, due_key__lte=horizon)
        if bucket == Bucket.AT_RISK:
            ranges.append(near & Q(sla_warn_at__lte=now))
        else:  # not warned yet, or due beyond any warned case (but due: FAR_FUTURE is no target)
            ranges += [
                near & Q(sla_warn_at__gt=now),
                running & Q(due_key__gt=horizon, due_key__lt=FAR_FUTURE),
            ]
    return ranges


def _keys(condition: Q, scope: Q, bucket: Bucket, limit: int) -> QuerySet:
    return (
        RecoveryCase.objects.annotate(
            bucket=Value(int(bucket)), severity_key=SEVERITY_URGENCY, due_key=QUEUE_DUE
        )
        .filter(condition, scope)
        .order_by("severity_key", "due_key", "sla_warn_at", "id")
        .values_list(*KEY_NAMES)[:limit]
    )
