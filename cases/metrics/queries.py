"""The metrics service: every number of the dashboard, aggregated in SQL.

Each function below is one query (or two) over an indexed range of one table; none loops over rows in
Python. Counted metrics reuse the conditions of `definitions`, so a drill-down list counts the same
cases. The same queries run on PostgreSQL and on SQLite (a laptop's `make run`): percentiles are
`percentiles.Percentile` on both, and weekly buckets a comparison of moments (`week_of`).
"""

from datetime import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Avg, Case, Count, F, IntegerField, Min, Q, Sum, Value, When
from django.utils import timezone

from cases.metrics import definitions as d
from cases.metrics.percentiles import Percentile, Seconds
from cases.metrics.period import Period, Scope
from cases.models import OPEN_STAGES, FollowUp, Gesture, RecoveryCase, RootCause, Severity
from feedback.models import Feedback, Sentiment

TOP_ROOT_CAUSES = 10
TOP_TOUCHPOINTS = 10


def _percentiles(name: str, duration_field: str, condition: Q) -> dict:
    """Median and 90th percentile of a stored duration (`time_to_acknowledge`, `time_to_resolve`), in
    seconds."""
    duration = Seconds(F(duration_field))
    return {
        f"{name}_median": Percentile(duration, 0.5, filter=condition),
        f"{name}_p90": Percentile(duration, 0.9, filter=condition),
    }


def share(part, whole):
    return None if not whole else round(part / whole, 4)


def _seconds(value):
    return None if value is None else round(value, 1)


def compute(period: Period, scope: Scope, *, now: datetime | None = None) -> dict:
    """Every metric for `period` and `scope`, as the API returns it (shares 0-1 or None, seconds)."""
    now = now or timezone.now()
    cases = RecoveryCase.objects.filter(scope.case_q())
    previous = period.previous()
    summary, before = opened_summary(cases, period, now), opened_summary(cases, previous, now)
    present = open_grid(cases, now)
    grid, grid_before = feedback_grid(period, scope), feedback_grid(previous, scope)
    return {
        "period": _period(period),
        "feedback": feedback_metrics(period, scope, grid) | {"previous": feedback_totals(grid_before)},
        "cases": case_flow(cases, period, now, summary)
        | open_now(present)
        | {"previous": case_flow(cases, previous, now, before)},
        "speed": speed(summary) | {"previous": speed(before)},
        "sla": sla(cases, period, now, summary, present)
        | {"previous": {"compliance": compliance(cases, previous, now)}},
        "follow_up": follow_up(cases, period, now),
        "recovery": recovery(cases, period, now)
        | {"previous": recovery(cases, previous, now, paradox=False)},
        "repeat_customers": repeat_customers(summary),
        **first_contact_resolution(summary, before),
        "gestures": gestures(cases, period, now),
        "root_causes": root_causes(cases, period, now, summary),
        "agents": agents(cases, period, now),
        "trend": {"weeks": weekly(period, scope, grid), "previous": weekly(previous, scope, grid_before)},
    }


def _period(period: Period) -> dict:
    previous = period.previous()
    return {
        "from": period.first.isoformat(),
        "to": period.last.isoformat(),
        "days": period.days,
        "time_zone": str(period.start.tzinfo),
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "previous": {"from": previous.first.isoformat(), "to": previous.last.isoformat()},
    }


def _count(names, period, now) -> dict:
    return {name: Count("pk", filter=d.cases_q(name, period, now)) for name in names}


# Feedback -----------------------------------------------------------------------------------------
def _feedback(period: Period, scope: Scope):
    return Feedback.objects.filter(
        scope.feedback_q(), received_at__gte=period.start, received_at__lt=period.end
    )


def feedback_grid(period: Period, scope: Scope) -> list[dict]:
    """The period's feedback counted per trend week, channel and touchpoint (`total`, `negative`).

    Every feedback figure of the dashboard (totals, by channel, by touchpoint, the weekly trend) is a
    sum of these few hundred rows, so the period's feedback is read once rather than once per figure.
    """
    return list(
        _feedback(period, scope)
        .order_by()
        .annotate(week=week_of("received_at", period))
        .values("week", "channel", "touchpoint")
        .annotate(total=Count("pk"), negative=Count("pk", filter=Q(sentiment=Sentiment.NEGATIVE)))
    )


def _sum_by(grid: list[dict], key: str) -> list[dict]:
    """The grid's totals per value of `key`, the largest first, then by value."""
    sums: dict[str, tuple[int, int]] = {}
    for row in grid:
        total, negative = sums.get(row[key], (0, 0))
        sums[row[key]] = (total + row["total"], negative + row["negative"])
    rows = [{key: value, "total": t, "negative": n} for value, (t, n) in sums.items()]
    return sorted(rows, key=lambda row: (-row["total"], row[key]))


def feedback_totals(grid: list[dict]) -> dict:
    total, negative = sum(row["total"] for row in grid), sum(row["negative"] for row in grid)
    return {"total": total, "negative": negative, "negative_share": share(negative, total)}


def feedback_metrics(period: Period, scope: Scope, grid: list[dict]) -> dict:
    # Counted from the side of the period's negative feedback, by its case (as `_cases_of` says).
    negative = _feedback(period, Scope()).filter(sentiment=Sentiment.NEGATIVE, case__isnull=False)
    cases_with_negative = _cases_of(negative, RecoveryCase.objects.filter(scope.case_q()))
    channels = [
        row | {"negative_share": share(row["negative"], row["total"])} for row in _sum_by(grid, "channel")
    ]
    return {
        **feedback_totals(grid),
        "cases_with_negative": cases_with_negative.aggregate(n=_distinct_cases())["n"],
        "by_channel": channels,
        "by_touchpoint": _sum_by(grid, "touchpoint")[:TOP_TOUCHPOINTS],
    }


# Cases --------------------------------------------------------------------------------------------
def opened_summary(cases, period: Period, now) -> dict:
    """What the cases opened in the period say, in one scan of them: flow, speed, escalations, repeats,
    first-contact resolutions."""
    ack, res = d.cases_q("acknowledged", period, now), d.cases_q("resolved", period, now)
    names = ["opened", "reopened", "escalation_1", "escalation_2", "repeat", "first_contact"]
    return cases.filter(d.opened(period, now)).aggregate(
        **_count(names, period, now),
        acknowledged=Count("pk", filter=ack),
        resolved=Count("pk", filter=res),
        repeat_customers=Count("customer_id", filter=Q(is_repeat=True), distinct=True),
        **_percentiles("ack", "time_to_acknowledge", ack),
        **_percentiles("res", "time_to_resolve", res),
    )


def case_flow(cases, period: Period, now, summary: dict) -> dict:
    flow = {"opened": summary["opened"], "reopened": summary["reopened"]}
    return flow | {"closed": cases.filter(d.cases_q("closed", period, now)).count()}


def open_grid(cases, now) -> list[dict]:
    """The open cases at this moment (not bound to the period) by stage and severity, with how many of
    each are breached now: one scan for the backlog and "breached now"."""
    return list(
        cases.filter(stage__in=OPEN_STAGES)
        .order_by()
        .values("stage", "severity")
        .annotate(cases=Count("pk"), breached=Count("pk", filter=d.cases_q("breached_now", None, now)))
    )


def open_now(grid: list[dict]) -> dict:
    """The open cases at this moment, by stage and severity, from `open_grid`."""
    return {
        "open_now": sum(row["cases"] for row in grid),
        "backlog": {
            "by_stage": {
                stage: sum(r["cases"] for r in grid if r["stage"] == stage) for stage in OPEN_STAGES
            },
            "by_severity": {
                sev: sum(r["cases"] for r in grid if r["severity"] == sev) for sev in Severity.values
            },
            "by_stage_and_severity": [{key: r[key] for key in ("stage", "severity", "cases")} for r in grid],
        },
    }


def breached_now(grid: list[dict]) -> int:
    """The cases breached now (every one of them open), from `open_grid`."""
    return sum(row["breached"] for row in grid)


def with_the_present(metrics: dict, scope: Scope, *, now: datetime) -> dict:
    """`metrics` (a snapshot's) with the figures about this moment counted afresh: open now and the
    backlog, breached now, pending approvals. Their drill-down lists are live, so a snapshot minutes old
    would disagree with them; these are cheap counts over open cases (two queries)."""
    cases = RecoveryCase.objects.filter(scope.case_q())
    present = open_grid(cases, now)
    return metrics | {
        "cases": metrics["cases"] | open_now(present),
        "sla": metrics["sla"] | {"breached_now": breached_now(present)},
        "gestures": metrics["gestures"] | {"pending_approvals": pending_approvals(cases, now)},
    }


SPEED_MEASURE = (
    "SLA time from opening: the working time of the severity's business calendar where its policy has "
    "one, elapsed time otherwise; hold time included"
)


def speed(row: dict) -> dict:
    return {
        "measure": SPEED_MEASURE,
        "time_to_acknowledge": {
            "measured": row["acknowledged"],
            "median": _seconds(row["ack_median"]),
            "p90": _seconds(row["ack_p90"]),
        },
        "time_to_resolve": {
            "measured": row["resolved"],
            "median": _seconds(row["res_median"]),
            "p90": _seconds(row["res_p90"]),
        },
    }


# SLA ----------------------------------------------------------------------------------------------
def _due_and_met(period: Period, now) -> dict:
    """Per SLA target, the count of its targets that fell due in the period and of those met."""
    counts = {}
    for target in d.SLA_TARGETS:
        counts[f"{target}_due"] = Count("pk", filter=d.cases_q(f"{target}_due", period, now))
        counts[f"{target}_met"] = Count("pk", filter=d.cases_q(f"{target}_met", period, now))
    return counts


def compliance(cases, period: Period, now) -> dict:
    # One scan of the cases due in the period, rather than one per target.
    due = Q()
    for target in d.SLA_TARGETS:
        due |= d.cases_q(f"{target}_due", period, now)
    counts = cases.filter(due).aggregate(**_due_and_met(period, now))
    result = {}
    for target in d.SLA_TARGETS:
        due, met = counts[f"{target}_due"], counts[f"{target}_met"]
        result[target] = {"due": due, "met": met, "share": share(met, due)}
    return result


def sla(cases, period: Period, now, levels: dict, present: list[dict]) -> dict:
    return {
        "compliance": compliance(cases, period, now),
        "breached_now": breached_now(present),
        "escalations": {"level_1": levels["escalation_1"], "level_2": levels["escalation_2"]},
    }


# Follow-up and recovery ---------------------------------------------------------------------------
# These count cases from the side of the rows the period selects (follow-ups due, answers given,
# reopening events, gestures), by their `case_id`: a range of one index, where a count of cases with
# an EXISTS probed each case of the scope for its rows.
def _cases_of(rows, cases):
    """`rows` (of a model with a `case`) narrowed to the cases of `cases`: no condition when the
    scope has none, so an unfiltered count reads the rows' range alone."""
    return rows.filter(case__in=cases.values("pk")) if cases.query.where else rows


def _distinct_cases(condition: Q | None = None) -> Count:
    return Count("case_id", distinct=True, filter=condition)


def follow_up(cases, period: Period, now) -> dict:
    rows = _cases_of(d.follow_ups_due(period, now), cases)
    counts = rows.aggregate(**{name: _distinct_cases(q) for name, q in d.FOLLOW_UP_ROWS.items()})
    return {
        "due": counts["follow_up_due"],
        "done": counts["follow_up_done"],
        "done_on_time": counts["follow_up_on_time"],
        "completion_rate": share(counts["follow_up_done"], counts["follow_up_due"]),
    }


def recovery(cases, period: Period, now, *, paradox: bool = True) -> dict:
    # One latest answer per surveyed case (`definitions.latest_answers`), so each count is of cases.
    row = _cases_of(d.latest_answers(period), cases).aggregate(
        surveyed=Count("pk"),
        customers=Count("case__customer_id", distinct=True),
        mean=Avg("satisfaction"),
        **{name: Count("pk", filter=q) for name, q in d.ANSWER_ROWS.items()},
    )
    result = {
        "surveyed": row["surveyed"],
        "surveyed_customers": row["customers"],
        "mean_satisfaction": None if row["mean"] is None else round(float(row["mean"]), 2),
        "recovered": row["recovered"],
        "recovered_share": share(row["recovered"], row["surveyed"]),
    }
    if paradox:
        result["paradox"] = {
            "recovered_with_later_feedback": row["paradox_base"],
            "improved": row["paradox"],
            "share": share(row["paradox"], row["paradox_base"]),
        }
        reopens = _cases_of(d.reopens_by_customer(period), cases)
        result["reopened_by_customer"] = reopens.aggregate(n=_distinct_cases())["n"]
    return result


def first_contact_resolution(summary: dict, before: dict) -> dict:
    """`first_contact_resolution`: the share (0-1, None when nothing was resolved), and its counts with
    the previous period's share under `first_contact`; from the periods' `opened_summary`, as the
    resolved cases are those of "Time to resolve"."""

    def counts(row: dict) -> dict:
        counted = {"resolved": row["resolved"], "first_contact": row["first_contact"]}
        return counted | {"share": share(row["first_contact"], row["resolved"])}

    now_counts = counts(summary)
    return {
        "first_contact_resolution": now_counts["share"],
        "first_contact": now_counts | {"previous": {"share": counts(before)["share"]}},
    }


def repeat_customers(summary: dict) -> dict:
    return {
        "customers": summary["repeat_customers"],
        "cases": summary["repeat"],
        "share_of_cases": share(summary["repeat"], summary["opened"]),
    }


# Gestures, root causes, agents --------------------------------------------------------------------
def gestures(cases, period: Period, now) -> dict:
    granted = (
        _cases_of(d.granted_gestures(period), cases)
        .order_by()
        .values("kind", "currency")
        .annotate(count=Count("pk"), value=Sum("amount"))
        .order_by("kind", "currency")
    )
    cases_with = _cases_of(d.granted_gestures(period), cases).aggregate(n=_distinct_cases())["n"]
    return {
        "cases": cases_with,
        "granted": [row | {"value": _amount(row["value"])} for row in granted],
        "pending_approvals": pending_approvals(cases, now),
    }


def pending_approvals(cases, now) -> dict:
    """Gestures waiting for a manager at this moment: how many, and how long the oldest has waited."""
    oldest = _cases_of(Gesture.objects.filter(status=Gesture.Status.PENDING_APPROVAL), cases).aggregate(
        count=Count("pk"), oldest=Min("created_at")
    )
    waited = None if oldest["oldest"] is None else _seconds((now - oldest["oldest"]).total_seconds())
    return {"count": oldest["count"], "oldest_age": waited}


def _amount(total: Decimal | None) -> str:
    """A sum of amounts with the amount's two places on every engine: SQLite's SUM drops trailing zeros."""
    return str((total or Decimal("0")).quantize(AMOUNT_PLACES))


AMOUNT_PLACES = Decimal(1).scaleb(-Gesture._meta.get_field("amount").decimal_places)


def root_causes(cases, period: Period, now, summary: dict) -> dict:
    opened = cases.filter(d.opened(period, now))
    links = (
        RootCause.cases.through.objects.filter(recoverycase__in=opened.values("pk"))
        .order_by()
        .values("rootcause_id")
        .annotate(cases=Count("recoverycase_id"), customers=Count("recoverycase__customer_id", distinct=True))
        .order_by("-cases", "rootcause_id")
    )
    rows = list(links)
    titles = dict(
        RootCause.objects.filter(pk__in=[r["rootcause_id"] for r in rows[:TOP_ROOT_CAUSES]]).values_list(
            "pk", "title"
        )
    )
    top = [
        {
            "id": r["rootcause_id"],
            "title": titles[r["rootcause_id"]],
            "cases": r["cases"],
            "customers": r["customers"],
        }
        for r in rows[:TOP_ROOT_CAUSES]
    ]
    rest = rows[TOP_ROOT_CAUSES:]
    # An anti-join over the opened cases, rather than a subquery per row inside an aggregate.
    without = cases.filter(d.cases_q("no_root_cause", period, now)).count()
    return {
        "top": top,
        "rest": {
            "root_causes": len(rest),
            "cases": sum(r["cases"] for r in rest),
            "customers": sum(r["customers"] for r in rest),
        },
        "no_root_cause": {
            "cases": without,
            "share": share(without, summary["opened"]),
        },
    }


def agents(cases, period: Period, now) -> list[dict]:
    """Per owner, the cases opened in the period they hold: handled, median time to resolve, the share of
    their targets met (of those that fell due in the period), and the mean survey score."""
    opened = cases.filter(d.opened(period, now), owner__isnull=False)
    # The counts group by hashing; the percentile, an ordered-set aggregate, needs its rows sorted by
    # owner, so it reads the resolved cases' two columns on their own rather than sort every case.
    rows = list(
        opened.order_by()
        .values("owner_id")
        .annotate(handled=Count("pk"), **_due_and_met(period, now))
        .order_by("-handled", "owner_id")
    )
    medians = dict(
        opened.filter(d.cases_q("resolved", period, now))
        .order_by()
        .values("owner_id")
        .annotate(median=Percentile(Seconds(F("time_to_resolve")), 0.5))
        .values_list("owner_id", "median")
    )
    satisfaction = dict(
        _cases_of(FollowUp.objects.all(), cases)
        .filter(
            d.opened(period, now, through="case__"),
            case__owner__isnull=False,
            satisfaction__isnull=False,
            done_at__gte=period.start,
            done_at__lt=period.end,
        )
        .order_by()
        .values("case__owner_id")
        .annotate(mean=Avg("satisfaction"))
        .values_list("case__owner_id", "mean")
    )
    names = {
        u.pk: u.get_full_name() or u.get_username()
        for u in get_user_model().objects.filter(pk__in=[r["owner_id"] for r in rows])
    }
    result = []
    for r in rows:
        due = sum(r[f"{t}_due"] for t in d.SLA_TARGETS)
        met = sum(r[f"{t}_met"] for t in d.SLA_TARGETS)
        mean = satisfaction.get(r["owner_id"])
        result.append(
            {
                "id": r["owner_id"],
                "name": names.get(r["owner_id"], ""),
                "handled": r["handled"],
                "median_time_to_resolve": _seconds(medians.get(r["owner_id"])),
                "sla_compliance": share(met, due),
                "mean_satisfaction": None if mean is None else round(float(mean), 2),
            }
        )
    return result


# Trend --------------------------------------------------------------------------------------------
def weekly(period: Period, scope: Scope, grid: list[dict]) -> list[dict]:
    """Per 7-day bucket from the period's first day: feedback, negative feedback (summed from the
    period's `feedback_grid`), cases opened and closed, and the median time to acknowledge of the
    cases opened."""
    starts = period.week_starts()
    weeks = [
        {
            "start": start.date().isoformat(),
            "feedback": 0,
            "negative": 0,
            "opened": 0,
            "closed": 0,
            "median_time_to_acknowledge": None,
        }
        for start in starts
    ]
    for row in grid:
        weeks[row["week"]]["feedback"] += row["total"]
        weeks[row["week"]]["negative"] += row["negative"]
    cases = RecoveryCase.objects.filter(scope.case_q())
    ack = Q(acknowledged_at__isnull=False)
    for row in (
        cases.filter(d.opened(period, None))
        .order_by()
        .annotate(week=week_of("created_at", period))
        .values("week")
        .annotate(opened=Count("pk"), median=Percentile(Seconds(F("time_to_acknowledge")), 0.5, filter=ack))
    ):
        weeks[row["week"]] |= {"opened": row["opened"], "median_time_to_acknowledge": _seconds(row["median"])}
    for row in (
        cases.filter(d.cases_q("closed", period, None))
        .order_by()
        .annotate(week=week_of("closed_at", period))
        .values("week")
        .annotate(closed=Count("pk"))
    ):
        weeks[row["week"]]["closed"] = row["closed"]
    return weeks


def week_of(field: str, period: Period):
    """The index of the trend's week holding the moment in `field`, for a row inside the period.

    Weeks start at local midnights (`Period.week_starts`), so a week across a change of clocks still
    starts at midnight. The comparisons form a balanced tree: a row meets at most log2(weeks) of them
    (7 for two years), where a flat CASE made a long trend over many rows far slower than
    PostgreSQL's DATE_BIN; the tree comes close to DATE_BIN, and runs on SQLite too.
    """
    starts = period.week_starts()

    def tree(first: int, last: int):  # weeks first..last - 1
        if last - first == 1:
            return Value(first, IntegerField())
        middle = (first + last) // 2
        return Case(
            When(**{f"{field}__lt": starts[middle]}, then=tree(first, middle)),
            default=tree(middle, last),
            output_field=IntegerField(),
        )

    return tree(0, len(starts))
