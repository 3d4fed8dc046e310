"""The metrics as the dashboard shows them: tiles with their change against the previous period, drill-down
links to the case list, and the geometry of the server-rendered SVG charts. No queries here."""

from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy

from cases.metrics.definitions import METRICS
from cases.metrics.period import Period, Scope
from cases.models import OPEN_STAGES, Severity, Stage
from cases.templatetags import moments

CASES_URL = "/cases/"
# A tile's count in words: the plural form is picked by "count", the number is printed as "shown" (1,234).
CASES = ngettext_lazy("%(shown)s case", "%(shown)s cases", "count")
NONE, MINUS = "\u2013", "\u2212"  # an en dash for "nothing measured", a true minus sign


def drill_url(metric: str, period: Period, scope: Scope, **extra) -> str:
    """The case list behind a number: `CaseFilter` applies the same condition to the same period."""
    params = {"metric": metric, **period.params(), **scope.params(), **{k: str(v) for k, v in extra.items()}}
    return f"{CASES_URL}?{urlencode(params)}"


def duration(seconds) -> str:
    """A number of seconds in the one spelling of durations (`moments.duration`); a dash for none."""
    return NONE if seconds is None else moments.duration(timedelta(seconds=seconds))


def percent(value) -> str:
    """A share (0-1) as a percentage with at most one decimal, in the locale's digits: 66.7% or 66,7%."""
    if value is None:
        return NONE
    shown = round(value * 100, 1)
    return f"{number_format(shown, decimal_pos=0 if shown == int(shown) else 1)}%"


@dataclass
class Tile:
    key: str  # the drill-down metric
    label: str
    help: str
    value: str  # the headline, formatted
    count: int  # the number of cases behind it: the drill-down list's count
    count_label: str  # an ngettext_lazy with %(shown)s, its form picked by "count"

    @property
    def counted(self) -> str:
        return self.count_label % {"count": self.count, "shown": f"{self.count:,}"}

    url: str
    change: str = ""
    trend: str = ""  # "better", "worse" or "" (no change or nothing to compare)
    extra: list = field(default_factory=list)


def _change(now, before, *, kind: str, higher_is_better: bool | None) -> tuple[str, str]:
    if now is None or before is None:
        return ("", "")
    delta = now - before
    if kind == "share":
        sign = "+" if delta >= 0 else "-"  # as the counts' changes (+3, -1)
        text = _("%(delta)s pts") % {"delta": sign + number_format(round(abs(delta) * 100, 1), decimal_pos=1)}
    elif kind == "duration":
        text = ("+" if delta >= 0 else MINUS) + duration(abs(delta))
    else:
        text = f"{delta:+d}"
    if not delta:
        return _("no change"), ""
    if higher_is_better is None:
        return text, ""
    return text, "better" if (delta > 0) == higher_is_better else "worse"


def tiles(m: dict, period: Period, scope: Scope) -> list[Tile]:
    c, prev_c = m["cases"], m["cases"]["previous"]
    speed, prev_speed = m["speed"], m["speed"]["previous"]
    ack, prev_ack = m["sla"]["compliance"]["acknowledge"], m["sla"]["previous"]["compliance"]["acknowledge"]
    rec, prev_rec = m["recovery"], m["recovery"]["previous"]
    fb, prev_fb = m["feedback"], m["feedback"]["previous"]

    def tile(key, value, count, count_label, now=None, before=None, kind="count", better=None, label=None):
        change, trend = _change(now, before, kind=kind, higher_is_better=better)
        return Tile(
            key=key,
            label=label or METRICS[key].label,
            help=METRICS[key].help,
            value=value,
            count=count,
            count_label=count_label,
            url=drill_url(key, period, scope),
            change=change,
            trend=trend,
        )

    def counted(key, now, before=None, better=None):
        return tile(key, f"{now:,}", now, CASES, now, before, better=better)

    return [
        counted("opened", c["opened"], prev_c["opened"]),
        counted("open_now", c["open_now"]),
        counted("breached_now", m["sla"]["breached_now"], better=False),
        tile(
            "negative_feedback",
            percent(fb["negative_share"]),
            fb["cases_with_negative"],
            ngettext_lazy(
                "%(shown)s case with negative feedback", "%(shown)s cases with negative feedback", "count"
            ),
            fb["negative_share"],
            prev_fb["negative_share"],
            kind="share",
            better=False,
            label=_("Negative share (of %(total)s feedback)") % {"total": f"{fb['total']:,}"},
        ),
        tile(
            "acknowledged",
            duration(speed["time_to_acknowledge"]["median"]),
            speed["time_to_acknowledge"]["measured"],
            ngettext_lazy("%(shown)s case measured", "%(shown)s cases measured", "count"),
            speed["time_to_acknowledge"]["median"],
            prev_speed["time_to_acknowledge"]["median"],
            kind="duration",
            better=False,
            label=_("Median time to acknowledge"),
        ),
        tile(
            "resolved",
            duration(speed["time_to_resolve"]["median"]),
            speed["time_to_resolve"]["measured"],
            ngettext_lazy("%(shown)s case measured", "%(shown)s cases measured", "count"),
            speed["time_to_resolve"]["median"],
            prev_speed["time_to_resolve"]["median"],
            kind="duration",
            better=False,
            label=_("Median time to resolve"),
        ),
        tile(
            "acknowledge_due",
            percent(ack["share"]),
            ack["due"],
            ngettext_lazy("%(shown)s target due", "%(shown)s targets due", "count"),
            ack["share"],
            prev_ack["share"],
            kind="share",
            better=True,
        ),
        tile(
            "follow_up_due",
            percent(m["follow_up"]["completion_rate"]),
            m["follow_up"]["due"],
            ngettext_lazy(
                "%(shown)s case with a follow-up due", "%(shown)s cases with a follow-up due", "count"
            ),
            label=_("Follow-up completion"),
        ),
        tile(
            "surveyed",
            percent(rec["recovered_share"]),
            rec["surveyed"],
            ngettext_lazy("%(shown)s case surveyed", "%(shown)s cases surveyed", "count"),
            rec["recovered_share"],
            prev_rec["recovered_share"],
            kind="share",
            better=True,
            label=_("Recovered (satisfaction ≥ 4)"),
        ),
        first_contact_tile(m, tile),
        counted("closed", c["closed"], prev_c["closed"]),
        counted("reopened", c["reopened"], prev_c["reopened"], better=False),
        tile(
            "repeat",
            percent(m["repeat_customers"]["share_of_cases"]),
            m["repeat_customers"]["cases"],
            ngettext_lazy("%(shown)s repeat-failure case", "%(shown)s repeat-failure cases", "count"),
        ),
    ]


def first_contact_tile(m: dict, tile) -> Tile:
    # A snapshot computed before first-contact resolution existed has no figures yet: shown as none.
    fcr = m.get("first_contact") or {"resolved": 0, "share": None, "previous": {"share": None}}
    return tile(
        "first_contact_resolution",
        percent(fcr["share"]),
        fcr["resolved"],
        ngettext_lazy("%(shown)s case resolved", "%(shown)s cases resolved", "count"),
        fcr["share"],
        fcr["previous"]["share"],
        kind="share",
        better=True,
    )


# Charts ---------------------------------------------------------------------------------------------
CHART_W, CHART_H, PAD_L, PAD_B, PAD_T = 640, 220, 44, 28, 12


def _nice_max(value: int) -> int:
    value = max(value, 1)
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000):
        if value <= step * 4:
            return step * 4
    return value


def trend_chart(weeks: list[dict], previous: list[dict], key: str) -> dict:
    """Grouped bars per week: this period beside the previous one."""
    top = _nice_max(max([w[key] for w in weeks + previous] or [0]))
    plot_w, plot_h = CHART_W - PAD_L - 8, CHART_H - PAD_B - PAD_T
    slot = plot_w / max(len(weeks), 1)
    bar = min(slot * 0.38, 28)
    bars = []
    for i, week in enumerate(weeks):
        before = previous[i][key] if i < len(previous) else 0
        x = PAD_L + i * slot + slot / 2
        for offset, value, cls in ((-bar, before, "bar-previous"), (0, week[key], "bar-current")):
            h = plot_h * value / top
            bars.append(
                {
                    "x": round(x + offset, 1),
                    "y": round(PAD_T + plot_h - h, 1),
                    "w": round(bar, 1),
                    "h": round(h, 1),
                    "cls": cls,
                    "value": value,
                }
            )
    return {
        "width": CHART_W,
        "height": CHART_H,
        "bars": bars,
        "labels": [
            {"x": round(PAD_L + i * slot + slot / 2, 1), "text": w["start"][5:]} for i, w in enumerate(weeks)
        ],
        "ticks": [
            {"y": round(PAD_T + plot_h - plot_h * f / 4, 1), "text": f"{top * f // 4:,}"} for f in range(5)
        ],
        "base": PAD_T + plot_h,
        "left": PAD_L,
        "rows": [
            {
                "start": w["start"],
                "value": w[key],
                "previous": previous[i][key] if i < len(previous) else None,
            }
            for i, w in enumerate(weeks)
        ],
    }


def backlog_chart(backlog: dict, period: Period, scope: Scope) -> dict:
    """Horizontal stacked bars: one per open stage, a segment per severity."""
    grid = {(r["stage"], r["severity"]): r["cases"] for r in backlog["by_stage_and_severity"]}
    top = max([*backlog["by_stage"].values(), 1])
    label_w, width, row_h = 120, CHART_W - 120 - 60, 30
    rows = []
    for i, stage in enumerate(OPEN_STAGES):
        x, segments = label_w, []
        for severity in reversed(Severity.values):
            n = grid.get((stage, severity), 0)
            w = width * n / top
            segments.append(
                {
                    "x": round(x, 1),
                    "w": round(w, 1),
                    "severity": severity,
                    "cases": n,
                    "url": drill_url("open_now", period, scope, stage=stage, severity=severity),
                }
            )
            x += w
        rows.append(
            {
                "stage": Stage(stage).label,
                "code": stage,
                "y": 8 + i * row_h,
                "segments": segments,
                "total": backlog["by_stage"][stage],
                "end": round(x + 6, 1),
                "url": drill_url("open_now", period, scope, stage=stage),
            }
        )
    return {
        "width": CHART_W,
        "height": 16 + len(OPEN_STAGES) * row_h,
        "rows": rows,
        "bar_h": row_h - 10,
        "severities": [Severity(s) for s in reversed(Severity.values)],
    }


def pareto_chart(root_causes: dict, period: Period, scope: Scope) -> dict:
    """Bars of cases per root cause, largest first (top 10, then the rest), with the cumulative share."""
    items = [
        (r["title"], r["cases"], drill_url("opened", period, scope, root_cause=r["id"]))
        for r in root_causes["top"]
    ]
    if root_causes["rest"]["cases"]:
        others = root_causes["rest"]["root_causes"]
        label = ngettext("%(count)d other", "%(count)d others", others) % {"count": others}
        items.append((label, root_causes["rest"]["cases"], ""))
    total = sum(n for _, n, _ in items) or 1
    top = _nice_max(max([n for _, n, _ in items] or [0]))
    plot_w, plot_h = CHART_W - PAD_L - 40, CHART_H - PAD_B - PAD_T
    slot = plot_w / max(len(items), 1)
    bars, points, running = [], [], 0
    for i, (title, n, url) in enumerate(items):
        running += n
        h = plot_h * n / top
        x, bar_w = PAD_L + i * slot, min(slot * 0.7, 56)
        bars.append(
            {
                "x": round(x + (slot - bar_w) / 2, 1),
                "y": round(PAD_T + plot_h - h, 1),
                "w": round(bar_w, 1),
                "h": round(h, 1),
                "title": title,
                "cases": n,
                "url": url,
                "label": str(i + 1) if url else "…",
                "cx": round(x + slot / 2, 1),
            }
        )
        points.append(f"{x + slot / 2:.1f},{PAD_T + plot_h - plot_h * running / total:.1f}")
    return {
        "width": CHART_W,
        "height": CHART_H,
        "bars": bars,
        "line": " ".join(points),
        "base": PAD_T + plot_h,
        "left": PAD_L,
        "right": CHART_W - 40,
        "top": PAD_T,
        "ticks": [
            {
                "y": round(PAD_T + plot_h - plot_h * f / 4, 1),
                "text": f"{top * f // 4:,}",
                "share": f"{25 * f}%",
            }
            for f in range(5)
        ],
    }
