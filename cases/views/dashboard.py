"""`/dashboard/` and `/dashboard/export.csv`: the manager's metrics, from the one metrics service."""

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cases import exports
from cases.emerging import selectors as emerging
from cases.metrics import period as metrics_period
from cases.metrics import present, snapshots
from cases.metrics.definitions import METRICS
from cases.models import ExportAudit, Gesture, Severity
from cases.root_causes import selectors as fixes
from cases.teams.models import Team
from feedback.models import Channel, channel_label
from recovery.errors import InvalidInput
from recovery.roles import Role
from recovery.web import manager_required


def _owners():
    return (
        get_user_model()
        .objects.filter(groups__name__in=[Role.AGENT, Role.MANAGER])
        .distinct()
        .order_by("username")
    )


@require_GET
@manager_required
def dashboard(request: HttpRequest) -> HttpResponse:
    error = ""
    try:
        period, scope = metrics_period.parse(request.GET)
    except InvalidInput as exc:
        error = exc.message
        period, scope = metrics_period.last_days(metrics_period.DEFAULT_DAYS), metrics_period.Scope()
    scope = scope.seen_by(request.user)
    metrics, as_of, from_snapshot = snapshots.metrics_for(period, scope)
    trend = metrics["trend"]
    days = request.GET.get("days", "") if not request.GET.get("from") else ""
    context = {
        "nav": "dashboard",
        "error": error,
        "period": period,
        "scope": scope,
        "preset": days or ("" if request.GET.get("from") or request.GET.get("to") else str(period.days)),
        "presets": metrics_period.PRESETS,
        "m": metrics,
        "as_of": as_of,
        "from_snapshot": from_snapshot,
        "help": {name: metric.help for name, metric in METRICS.items()},
        "tiles": present.tiles(metrics, period, scope),
        "opened_chart": present.trend_chart(trend["weeks"], trend["previous"], "opened"),
        "negative_chart": present.trend_chart(trend["weeks"], trend["previous"], "negative"),
        "backlog_chart": present.backlog_chart(metrics["cases"]["backlog"], period, scope),
        "pareto_chart": present.pareto_chart(metrics["root_causes"], period, scope),
        "links": (links := _links(metrics, period, scope)),
        "root_cause_rows": [
            rc | {"url": links["root_causes"][rc["id"]]} for rc in metrics["root_causes"]["top"]
        ],
        "agent_rows": [
            a
            | {
                "url": links["agents"][a["id"]],
                "ttr": present.duration(a["median_time_to_resolve"]),
                "sla": present.percent(a["sla_compliance"]),
            }
            for a in metrics["agents"]
        ],
        "fmt": _formatted(metrics),
        "channels": Channel.choices,
        "severities": Severity.choices,
        "owners": _owners(),
        "teams": Team.objects.order_by("name"),
        "query": request.GET.urlencode(),
        "emerging": [(group, None) for group in emerging.current()],
        "fixes": (record := fixes.fix_record())
        | {"recurrence_rate_percent": present.percent(record["recurrence_rate"])},
    }
    return render(request, "cases/dashboard.html", context, status=400 if error else 200)


def _links(metrics: dict, period, scope) -> dict:
    """Drill-down URLs for the numbers outside the tiles."""
    names = [
        "opened", "closed", "reopened", "breached_now", "escalation_1", "escalation_2", "follow_up_due",
        "follow_up_done", "follow_up_on_time", "surveyed", "recovered", "paradox_base", "paradox",
        "reopened_by_customer", "repeat", "no_root_cause", "gestures", "acknowledged", "resolved",
        "negative_feedback",
    ]  # fmt: skip
    links = {name: present.drill_url(name, period, scope) for name in names}
    for target in ("acknowledge", "apologize", "resolve"):
        links[f"{target}_due"] = present.drill_url(f"{target}_due", period, scope)
        links[f"{target}_met"] = present.drill_url(f"{target}_met", period, scope)
    links["root_causes"] = {
        row["id"]: present.drill_url("opened", period, scope, root_cause=row["id"])
        for row in metrics["root_causes"]["top"]
    }
    agent_scope = metrics_period.Scope(**{**scope.params(), "owner": ""})
    links["agents"] = {
        row["id"]: present.drill_url("opened", period, agent_scope, owner=row["id"])
        for row in metrics["agents"]
    }
    return links


GESTURE_KINDS = dict(Gesture.Kind.choices)  # a stored kind in words, in the manager's language


def _formatted(m: dict) -> dict:
    """Shares and durations outside the tiles, as the page prints them."""
    speed = m["speed"]
    return {
        "no_root_cause": present.percent(m["root_causes"]["no_root_cause"]["share"]),
        "repeat": present.percent(m["repeat_customers"]["share_of_cases"]),
        "recovered": present.percent(m["recovery"]["recovered_share"]),
        "paradox": present.percent(m["recovery"]["paradox"]["share"]),
        "completion": present.percent(m["follow_up"]["completion_rate"]),
        "negative": present.percent(m["feedback"]["negative_share"]),
        "compliance": {t: present.percent(v["share"]) for t, v in m["sla"]["compliance"].items()},
        "ack_median": present.duration(speed["time_to_acknowledge"]["median"]),
        "ack_p90": present.duration(speed["time_to_acknowledge"]["p90"]),
        "res_median": present.duration(speed["time_to_resolve"]["median"]),
        "res_p90": present.duration(speed["time_to_resolve"]["p90"]),
        "oldest_pending": present.duration(m["gestures"]["pending_approvals"]["oldest_age"]),
        "channels": [
            row
            | {
                "share": present.percent(row["negative_share"]),
                "label": channel_label(row["channel"]),
            }
            for row in m["feedback"]["by_channel"]
        ],
        "gestures": [
            row | {"kind_label": GESTURE_KINDS.get(row["kind"], row["kind"])}
            for row in m["gestures"]["granted"]
        ],
    }


@require_GET
@manager_required
def dashboard_export(request: HttpRequest) -> HttpResponse:
    try:
        period, scope = metrics_period.parse(request.GET)
    except InvalidInput as exc:
        return JsonResponse({"detail": exc.message}, status=400)
    metrics, _, _ = snapshots.metrics_for(period, scope.seen_by(request.user))
    exports.record_export(
        user=request.user, export=ExportAudit.Export.METRICS, filters=dict(request.GET.lists())
    )
    name = f"mend-metrics-{period.first}-{period.last}.csv"
    return _csv(exports.metrics_export(metrics), name)


def _csv(lines, name: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
