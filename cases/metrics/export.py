"""The dashboard's CSV: the tables a manager charts, one section per table.

A section is a title row, a header row and the table's rows; a blank row ends it. A spreadsheet shows
the sections one under another, and each can be selected and charted as it stands. Values are the
metrics service's own: counts, seconds, and shares from 0 to 1; each header says which. The numbers
are those of the page (a snapshot's, with the figures about now counted live).
"""

from collections.abc import Iterator
from dataclasses import dataclass

from cases.metrics.definitions import METRICS, SLA_TARGETS
from cases.models import OPEN_STAGES, Severity, Stage

SEVERITIES = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)  # as the backlog chart
TREND_COLUMNS = (
    ("feedback", "Feedback"),
    ("negative", "Negative feedback"),
    ("opened", "Cases opened"),
    ("closed", "Cases closed"),
    ("median_time_to_acknowledge", "Median time to acknowledge (s)"),
)


@dataclass(frozen=True)
class Table:
    title: str
    header: list[str]
    rows: list[list]


def rows(m: dict) -> Iterator[list]:
    for table in tables(m):
        yield [table.title]
        yield table.header
        yield from table.rows
        yield []


def tables(m: dict) -> list[Table]:
    return [
        period(m),
        summary(m),
        weekly_trend(m),
        speed(m),
        sla_compliance(m),
        backlog(m),
        root_causes(m),
        agents(m),
        feedback_by_channel(m),
        gestures(m),
    ]


def period(m: dict) -> Table:
    p = m["period"]
    return Table(
        "Period",
        ["From", "To", "Days", "Time zone", "Previous from", "Previous to"],
        [[p["from"], p["to"], p["days"], p["time_zone"], p["previous"]["from"], p["previous"]["to"]]],
    )


def summary(m: dict) -> Table:
    c, fb, speed_, rec = m["cases"], m["feedback"], m["speed"], m["recovery"]
    ack = m["sla"]["compliance"]["acknowledge"]

    def was(section: dict, *path):
        value = section["previous"]
        for key in path:
            value = value[key]
        return value

    now = ""  # "now" figures have no previous period
    rows_ = [
        ["Feedback received", fb["total"], was(fb, "total"), "feedback"],
        ["Negative share", fb["negative_share"], was(fb, "negative_share"), "share"],
        [METRICS["opened"].label, c["opened"], was(c, "opened"), "cases"],
        [METRICS["closed"].label, c["closed"], was(c, "closed"), "cases"],
        [METRICS["reopened"].label, c["reopened"], was(c, "reopened"), "cases"],
        [METRICS["open_now"].label, c["open_now"], now, "cases"],
        [METRICS["breached_now"].label, m["sla"]["breached_now"], now, "cases"],
        [
            "Median time to acknowledge",
            speed_["time_to_acknowledge"]["median"],
            was(speed_, "time_to_acknowledge", "median"),
            "seconds",
        ],
        [
            "Median time to resolve",
            speed_["time_to_resolve"]["median"],
            was(speed_, "time_to_resolve", "median"),
            "seconds",
        ],
        [
            METRICS["acknowledge_due"].label,
            ack["share"],
            was(m["sla"], "compliance", "acknowledge")["share"],
            "share",
        ],
        ["Follow-up completion", m["follow_up"]["completion_rate"], now, "share"],
        ["Recovered", rec["recovered_share"], was(rec, "recovered_share"), "share of surveyed"],
        ["Mean satisfaction after recovery", rec["mean_satisfaction"], was(rec, "mean_satisfaction"), "of 5"],
        [METRICS["repeat"].label, m["repeat_customers"]["cases"], now, "cases"],
        [METRICS["no_root_cause"].label, m["root_causes"]["no_root_cause"]["cases"], now, "cases"],
        ["Gestures pending approval", m["gestures"]["pending_approvals"]["count"], now, "gestures"],
    ]
    return Table("Summary", ["Metric", "This period", "Previous period", "Unit"], rows_)


def weekly_trend(m: dict) -> Table:
    """Each week beside the same week of the previous period, as the charts draw them."""
    weeks, before = m["trend"]["weeks"], m["trend"]["previous"]
    header = ["Week from", *(label for _, label in TREND_COLUMNS)]
    header += ["Previous period: week from", *(f"Previous: {label}" for _, label in TREND_COLUMNS)]
    body = []
    for i, week in enumerate(weeks):
        earlier = before[i] if i < len(before) else {"start": ""}
        this = [week["start"], *(week[key] for key, _ in TREND_COLUMNS)]
        body.append([*this, earlier["start"], *(earlier.get(key, "") for key, _ in TREND_COLUMNS)])
    return Table("Weekly trend", header, body)


def speed(m: dict) -> Table:
    s, before, keys = m["speed"], m["speed"]["previous"], ("measured", "median", "p90")
    header = ["Measure", "Cases measured", "Median (s)", "90th percentile (s)"]
    header += ["Previous: cases measured", "Previous: median (s)", "Previous: 90th percentile (s)"]
    body = [
        [label, *(s[key][k] for k in keys), *(before[key][k] for k in keys)]
        for key, label in (
            ("time_to_acknowledge", "Time to acknowledge"),
            ("time_to_resolve", "Time to resolve"),
        )
    ]
    return Table("Speed", header, body)


def sla_compliance(m: dict) -> Table:
    now, before = m["sla"]["compliance"], m["sla"]["previous"]["compliance"]
    header = ["Target", "Fell due", "Met", "Compliance (share)", "Previous: compliance (share)"]
    body = [
        [
            target.capitalize(),
            now[target]["due"],
            now[target]["met"],
            now[target]["share"],
            before[target]["share"],
        ]
        for target in SLA_TARGETS
    ]
    return Table("SLA compliance", header, body)


def backlog(m: dict) -> Table:
    grid = {(r["stage"], r["severity"]): r["cases"] for r in m["cases"]["backlog"]["by_stage_and_severity"]}
    header = ["Stage", *(Severity(s).label for s in SEVERITIES), "All"]
    body = [
        [
            Stage(stage).label,
            *(grid.get((stage, s), 0) for s in SEVERITIES),
            m["cases"]["backlog"]["by_stage"][stage],
        ]
        for stage in OPEN_STAGES
    ]
    return Table("Backlog now, by stage and severity", header, body)


def root_causes(m: dict) -> Table:
    rc = m["root_causes"]
    body: list[list] = [[n, r["title"], r["cases"], r["customers"]] for n, r in enumerate(rc["top"], start=1)]
    if rc["rest"]["cases"]:
        body.append(
            [
                "",
                f"Other root causes ({rc['rest']['root_causes']})",
                rc["rest"]["cases"],
                rc["rest"]["customers"],
            ]
        )
    body.append(["", "No root cause", rc["no_root_cause"]["cases"], ""])
    return Table("Root causes of cases opened", ["Rank", "Root cause", "Cases", "Customers"], body)


def agents(m: dict) -> Table:
    header = [
        "Owner",
        "Cases handled",
        "Median time to resolve (s)",
        "SLA compliance (share)",
        "Mean satisfaction",
    ]
    body = [
        [a["name"], a["handled"], a["median_time_to_resolve"], a["sla_compliance"], a["mean_satisfaction"]]
        for a in m["agents"]
    ]
    return Table("Agents", header, body)


def feedback_by_channel(m: dict) -> Table:
    body = [
        [c["channel"], c["total"], c["negative"], c["negative_share"]] for c in m["feedback"]["by_channel"]
    ]
    return Table("Feedback by channel", ["Channel", "Received", "Negative", "Negative share"], body)


def gestures(m: dict) -> Table:
    body = [[g["kind"], g["currency"], g["count"], g["value"]] for g in m["gestures"]["granted"]]
    return Table("Gestures granted", ["Kind", "Currency", "Granted", "Value"], body)
