"""Reads about fixes: a root cause's watch window, rules and history; the dashboard's record of fixes."""

from django.db.models import Count, F, Q, QuerySet

from cases.models import Recurrence, RootCause, RootCauseEvent, RootCauseRule
from cases.root_causes import watch

FIXES_SHOWN = 10
STATUSES = (RootCause.Status.FIXED, RootCause.Status.VERIFIED, RootCause.Status.REOPENED)


def rules(*, root_cause_id: int) -> QuerySet[RootCauseRule]:
    return RootCauseRule.objects.filter(root_cause_id=root_cause_id).order_by("touchpoint", "id")


def history(*, root_cause_id: int) -> QuerySet[RootCauseEvent]:
    """Newest first."""
    return (
        RootCauseEvent.objects.filter(root_cause_id=root_cause_id)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )


def recurrences(root_cause: RootCause) -> list[Recurrence]:
    """The cases counted against its latest watch window, in the order they were linked."""
    return watch.window_recurrences(root_cause)


def fix_record() -> dict:
    """How fixes hold: root causes fixed (under watch), verified and reopened, and the recurrence rate
    after a fix: of the root causes ever fixed, the share whose latest watch window saw a recurrence."""
    fixed = RootCause.objects.filter(fixed_at__isnull=False)
    recurring = Q(recurrences__window_started_at=F("fixed_at"))
    rows = list(
        fixed.filter(status__in=STATUSES)
        .annotate(recurrence_count=Count("recurrences", filter=recurring))
        .order_by("-fixed_at", "-id")[:FIXES_SHOWN]
    )
    counts = dict(fixed.order_by().values_list("status").annotate(n=Count("pk")))
    ever = sum(counts.values())
    with_recurrence = fixed.filter(recurring).values("pk").distinct().count()
    return {
        "fixed": counts.get(RootCause.Status.FIXED, 0),
        "verified": counts.get(RootCause.Status.VERIFIED, 0),
        "reopened": counts.get(RootCause.Status.REOPENED, 0),
        "ever_fixed": ever,
        "with_recurrence": with_recurrence,
        "recurrence_rate": round(with_recurrence / ever, 4) if ever else None,
        "rows": rows,
    }
