"""The dashboard page, its drill-down links, the metrics API, the CSV exports and the snapshots."""

import csv
import io
import re
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.http import QueryDict
from django.test import override_settings

from cases.filters import CaseFilter
from cases.metrics import snapshots
from cases.models import ExportAudit, MetricsSnapshot, RecoveryCase
from cases.tasks import refresh_metric_snapshots
from cases.teams.models import Team
from cases.teams.scope import case_scope
from cases.tests import metrics_world
from cases.tests.factories import RecoveryCaseFactory
from cases.tests.metrics_world import FROM, NOW, TIME_ZONE, TO
from conftest import make_user
from recovery.roles import Role

pytestmark = [pytest.mark.django_db]
PERIOD = f"from={FROM}&to={TO}"


@pytest.fixture
def world(agent, other_agent):
    with override_settings(TIME_ZONE=TIME_ZONE), time_machine.travel(NOW, tick=False):
        yield metrics_world.build(agent, other_agent)


def listed(url: str, user, cases=None) -> int:
    """How many cases the case list behind `url` holds: CaseFilter on its parameters, over `cases` (the
    ones `user` may see; all by default)."""
    query = QueryDict(urlsplit(url).query)
    assert urlsplit(url).path == "/cases/"
    request = type("Request", (), {"user": user})()
    queryset = RecoveryCase.objects.all() if cases is None else cases
    case_filter = CaseFilter(query, queryset=queryset, request=request)
    assert case_filter.is_valid(), case_filter.errors
    return case_filter.qs.count()


def page(client, manager, query=PERIOD):
    client.force_login(manager)
    return client.get(f"/dashboard/?{query}")


# The page ---------------------------------------------------------------------------------------------
def test_each_tile_links_to_a_case_list_counting_its_number(world, client, manager):
    response = page(client, manager)
    assert response.status_code == 200
    tiles = response.context["tiles"]
    assert len(tiles) == 13
    for tile in tiles:
        assert listed(tile.url, manager) == tile.count, tile.key
        assert tile.url in response.content.decode().replace("&amp;", "&")
    counts = {tile.key: tile.count for tile in tiles}
    assert counts == {
        "opened": 4, "open_now": 5, "breached_now": 2, "negative_feedback": 4, "acknowledged": 3,
        "resolved": 1, "acknowledge_due": 4, "follow_up_due": 2, "surveyed": 2, "closed": 1, "reopened": 1,
        "repeat": 1, "first_contact_resolution": 1,
    }  # fmt: skip


def test_every_other_number_links_to_the_cases_behind_it(world, client, manager):
    context = page(client, manager).context
    m, links = context["m"], context["links"]
    sla, recovery = m["sla"], m["recovery"]
    expected = {
        "closed": m["cases"]["closed"],
        "reopened": m["cases"]["reopened"],
        "breached_now": sla["breached_now"],
        "escalation_1": sla["escalations"]["level_1"],
        "escalation_2": sla["escalations"]["level_2"],
        "follow_up_done": m["follow_up"]["done"],
        "follow_up_on_time": m["follow_up"]["done_on_time"],
        "recovered": recovery["recovered"],
        "reopened_by_customer": recovery["reopened_by_customer"],
        "paradox_base": recovery["paradox"]["recovered_with_later_feedback"],
        "paradox": recovery["paradox"]["improved"],
        "no_root_cause": m["root_causes"]["no_root_cause"]["cases"],
        "gestures": m["gestures"]["cases"],
    }
    for target, counts in sla["compliance"].items():
        expected |= {f"{target}_due": counts["due"], f"{target}_met": counts["met"]}
    for name, number in expected.items():
        assert listed(links[name], manager) == number, name
    for row in context["root_cause_rows"]:
        assert listed(row["url"], manager) == row["cases"]
    for row in context["agent_rows"]:
        assert listed(row["url"], manager) == row["handled"]
    for row in context["backlog_chart"]["rows"]:
        assert listed(row["url"], manager) == row["total"]
        for segment in row["segments"]:
            assert listed(segment["url"], manager) == segment["cases"]


def test_the_case_api_lists_the_same_cases_as_a_drill_down(world, api_client, manager):
    tile_url = page_url = f"/api/v1/cases/?metric=acknowledge_due&{PERIOD}&page_size=100"
    response = api_client(manager).get(page_url)
    assert response.status_code == 200, response.content
    assert len(response.json()["results"]) == 4 == listed(tile_url.replace("/api/v1", ""), manager)


def test_the_page_shows_the_period_help_text_and_charts(world, client, manager):
    html = page(client, manager, PERIOD + "&severity=medium").content.decode()
    assert "9 Nov 2026 \u2013 15 Nov 2026 (7 days, Europe/Berlin)" in html
    assert "Of the acknowledge targets that fell due in the period" in html  # help beside the number
    charts = html.split("<main", 1)[1]  # the nav's bell is an icon, not a chart
    assert charts.count("<svg") == 4 and "<title" in html and "<desc" in html
    assert 'value="medium" selected' in html
    assert "style=" not in html and "<script>" not in html and "onclick" not in html  # the CSP holds


def test_counts_on_the_page_are_singular_for_one_and_plural_otherwise(world, client, manager):
    response = page(client, manager)
    tiles = {t.key: t for t in response.context["tiles"]}
    counted = {key: t.counted for key, t in tiles.items()}
    assert counted["repeat"] == "1 repeat-failure case"  # alice's A
    assert replace(tiles["repeat"], count=8).counted == "8 repeat-failure cases"  # "8 repeat-failures case"
    assert replace(tiles["opened"], count=1234).counted == "1,234 cases"
    assert counted["acknowledged"] == "3 cases measured"
    assert counted["resolved"] == "1 case measured"
    assert counted["acknowledge_due"] == "4 targets due"
    assert counted["surveyed"] == "2 cases surveyed"
    assert counted["opened"] == "4 cases"
    html = " ".join(response.content.decode().split())
    assert "cases</a> (50% of those opened) have no root cause" in html  # C, E
    assert ">2</a> cases. Pending approval now" in html  # gestures granted: A, D
    assert "2</a> recovered customers who rated us again" not in html
    assert ">1</a> recovered customer who rated us again" in html


def test_channels_and_gesture_kinds_are_named_in_the_managers_language(world, client, manager):
    client.force_login(manager)
    html = " ".join(client.get(f"/dashboard/?{PERIOD}", HTTP_ACCEPT_LANGUAGE="de").content.decode().split())

    gestures = html.split('id="h-gestures"', 1)[1].split("</section>", 1)[0]
    channels = html.split('id="h-feedback"', 1)[1].split("</section>", 1)[0]
    assert "<td>Erstattung</td>" in gestures and "<td>Gutschein</td>" in gestures
    assert "<td>refund</td>" not in gestures
    assert "<td>Umfrage</td>" in channels and "<td>survey</td>" not in channels


@pytest.mark.parametrize(
    ("language", "sentences"),
    [
        (
            "de",
            [
                "9. November 2026 \u2013 15. November 2026 (7 Tage, Europe/Berlin); verglichen mit",
                "Live-Zahlen mit Stand",
                ">Letzte 7 Tage</option>",
                "4 Fälle</a>",
                "Jetzt verletzt: <a",
                "Fällige Nachfassaktionen <a",
                "Fälle (2 Kunden), mittlere Zufriedenheit 3,5 von 5",
                "Jetzt zur Freigabe ausstehend: <a",
                "Woche ab 2026-11-09",
                "5 negativ (62,5%)",  # shares in the locale's digits
                "-37,5 Pkt.",
                "<p>Im Zeitraum eröffnete Fälle.</p>",  # the help beside the tile
                "Von den Zielen „Eingang bestätigen“, die im Zeitraum (bis jetzt) fällig wurden",
            ],
        ),
        ("es", ["(7 días, Europe/Berlin); comparado con", "Incumplidos ahora: <a", "Cifras en vivo a las"]),
    ],
)
def test_the_dashboards_sentences_read_in_the_managers_language(world, client, manager, language, sentences):
    client.force_login(manager)
    html = " ".join(client.get(f"/dashboard/?{PERIOD}", HTTP_ACCEPT_LANGUAGE=language).text.split())

    assert [sentence for sentence in sentences if sentence not in html] == []
    english_sentences = (
        "Breached now:",
        "Follow-ups due <a",
        "Numbers live as of",
        "Week of ",
        " received, ",
    )
    for english in (*english_sentences, "Cases opened in the period", "Of the acknowledge targets"):
        assert english not in html


def test_the_charts_keep_their_coordinates_numeric_on_a_german_page(world, client, manager):
    # Localised, 12.5 became "12,5", which SVG cannot read: the bars vanished on a German dashboard.
    client.force_login(manager)
    html = client.get(f"/dashboard/?{PERIOD}", HTTP_ACCEPT_LANGUAGE="de").text

    charts = html.split("<main", 1)[1]
    coordinates = re.findall(r' (?:x|y|width|height)="([^"]*)"', charts)
    assert coordinates and [c for c in coordinates if not re.fullmatch(r"-?\d+(\.\d+)?", c)] == []
    point = r"\d+(\.\d+)?,\d+(\.\d+)?"
    assert all(re.fullmatch(f"{point}( {point})*", line) for line in re.findall(r' points="([^"]*)"', charts))


def test_a_bad_period_says_so_and_shows_the_default(world, client, manager):
    response = page(client, manager, "from=2026-11-10&to=2026-11-01")
    assert response.status_code == 400
    assert "is after" in response.content.decode()


# A fixed number of aggregate queries, however many cases: none runs per row.
def test_the_page_stays_within_its_query_budget(world, client, manager, django_assert_max_num_queries):
    client.force_login(manager)
    with django_assert_max_num_queries(51):  # + 1: the teams to filter by
        assert client.get(f"/dashboard/?{PERIOD}").status_code == 200


def test_the_dashboard_is_for_managers(client, agent, manager):
    assert client.get("/dashboard/").url.startswith("/login/")
    client.force_login(agent)
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/dashboard/export.csv").status_code == 403
    assert not ExportAudit.objects.exists()


# The API ----------------------------------------------------------------------------------------------
KEYS = {
    "period", "feedback", "cases", "speed", "sla", "follow_up", "recovery", "repeat_customers", "gestures",
    "root_causes", "agents", "trend", "first_contact_resolution", "first_contact",
}  # fmt: skip


def test_the_metrics_api_answers_managers_with_the_same_numbers(world, api_client, manager):
    response = api_client(manager).get(f"/api/v1/metrics/?{PERIOD}")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == KEYS
    assert body["feedback"] | {"by_channel": None, "by_touchpoint": None, "previous": None} == {
        "total": 8, "negative": 5, "negative_share": 0.625, "cases_with_negative": 4,
        "by_channel": None, "by_touchpoint": None, "previous": None,
    }  # fmt: skip
    assert body["speed"]["time_to_acknowledge"]["median"] == 3600.0  # seconds
    assert body["period"]["from"] == FROM and body["period"]["snapshot"] is False


def test_the_metrics_api_narrows_by_filters(world, api_client, manager):
    body = api_client(manager).get(f"/api/v1/metrics/?{PERIOD}&channel=email&severity=critical").json()
    assert body["cases"]["opened"] == 1


def test_the_metrics_api_is_for_managers(api_client, agent):
    assert api_client().get("/api/v1/metrics/").status_code == 401
    assert api_client(agent).get("/api/v1/metrics/").status_code == 403


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-11-10&to=2026-11-01", "from"),
        ("from=10/11/2026", "from"),
        ("to=2026-02-30", "to"),
        ("from=2024-01-01&to=2026-11-01", "from"),
        ("stage=new", "stage"),
        ("channel=fax", "channel"),
        ("from=0001-01-04&to=0003-01-01", "from"),  # no previous period before year 1
        ("days=²", "days"),
        ("team=nobody-has-this-slug", "team"),
    ],
)
def test_the_metrics_api_refuses_bad_input_with_json(api_client, manager, query, field):
    response = api_client(manager).get(f"/api/v1/metrics/?{query}")
    assert response.status_code == 400
    assert field in response.json() and response.json()["detail"]


def test_the_metrics_api_is_in_the_schema(api_client, manager):
    schema = api_client(manager).get("/api/v1/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/metrics/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {
        "from",
        "to",
        "channel",
        "touchpoint",
        "severity",
        "owner",
        "team",
    }
    properties = operation["responses"]["200"]["content"]["application/json"]["schema"]["properties"]
    assert set(properties) == KEYS


# CSV exports ------------------------------------------------------------------------------------------
def rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    assert response.streaming
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_case_export_streams_the_filtered_list_neutralises_formulas_and_is_audited(client, agent):
    RecoveryCaseFactory(title='=HYPERLINK("http://evil")', severity="critical")
    RecoveryCaseFactory(title="@SUM(A1)", severity="critical", customer__name="+Mallory")
    RecoveryCaseFactory(title="-2+3", severity="critical")
    RecoveryCaseFactory(title="Quiet", severity="low")
    client.force_login(agent)
    with time_machine.travel(NOW, tick=False):
        response = client.get("/cases/export.csv?severity=critical")
    table = rows(response)
    assert table[0][:3] == ["reference", "title", "customer"]
    titles = sorted(row[1] for row in table[1:])
    assert titles == sorted(['\'=HYPERLINK("http://evil")', "'@SUM(A1)", "'-2+3"])
    assert "'+Mallory" in [row[3] for row in table[1:]]
    audit = ExportAudit.objects.get()
    assert (audit.user, audit.export, audit.filters) == (agent, "cases", {"severity": ["critical"]})
    assert audit.created_at == NOW


def test_a_case_export_with_an_unreadable_filter_is_refused_and_not_audited(client, agent):
    client.force_login(agent)
    response = client.get("/cases/export.csv?severity=urgent")
    assert response.status_code == 400 and "severity" in response.json()
    assert not ExportAudit.objects.exists()


def test_the_case_export_counts_the_same_cases_as_a_drill_down(world, client, manager):
    client.force_login(manager)
    table = rows(client.get(f"/cases/export.csv?metric=opened&{PERIOD}"))
    assert len(table) - 1 == 4


def sections(table: list[list[str]]) -> dict[str, list[list[str]]]:
    """The export's sections by title: each a title row, a header row, its rows, then a blank row."""
    found, lines = {}, iter(table)
    for title in lines:
        assert len(title) == 1, title
        body = list(iter(lines.__next__, []))
        assert body and all(len(row) == len(body[0]) for row in body), (title, body)  # a rectangle
        found[title[0]] = body
    return found


def test_the_metrics_export_is_one_table_per_section_with_headers_and_is_audited(world, client, manager):
    client.force_login(manager)
    export = sections(rows(client.get(f"/dashboard/export.csv?{PERIOD}")))

    assert list(export) == [
        "Period", "Summary", "Weekly trend", "Speed", "SLA compliance", "Backlog now, by stage and severity",
        "Root causes of cases opened", "Agents", "Feedback by channel", "Gestures granted",
    ]  # fmt: skip
    assert export["Period"] == [
        ["From", "To", "Days", "Time zone", "Previous from", "Previous to"],
        [FROM, TO, "7", TIME_ZONE, "2026-11-02", "2026-11-08"],
    ]
    summary = {row[0]: row[1:] for row in export["Summary"]}
    assert summary["Metric"] == ["This period", "Previous period", "Unit"]
    assert summary["Cases opened"] == ["4", "1", "cases"]
    assert summary["Open now"] == ["5", "", "cases"]
    assert summary["Median time to acknowledge"] == ["3600.0", "", "seconds"]
    assert export["Weekly trend"] == [
        ["Week from", "Feedback", "Negative feedback", "Cases opened", "Cases closed",
         "Median time to acknowledge (s)", "Previous period: week from", "Previous: Feedback",
         "Previous: Negative feedback", "Previous: Cases opened", "Previous: Cases closed",
         "Previous: Median time to acknowledge (s)"],
        ["2026-11-09", "8", "5", "4", "1", "3600.0", "2026-11-02", "1", "1", "1", "0", ""],
    ]  # fmt: skip
    assert export["Speed"][1] == ["Time to acknowledge", "3", "3600.0", "6480.0", "0", "", ""]
    assert export["SLA compliance"][1] == ["Acknowledge", "4", "3", "0.75", ""]
    assert export["Backlog now, by stage and severity"] == [
        ["Stage", "Critical", "High", "Medium", "Low", "All"],
        ["New", "1", "0", "1", "1", "3"],  # C, B, F
        ["Acknowledged", "0", "0", "1", "0", "1"],  # D
        ["Apologized", "0", "0", "0", "0", "0"],
        ["Resolved", "0", "1", "0", "0", "1"],  # A
        ["Followed up", "0", "0", "0", "0", "0"],
    ]
    assert export["Root causes of cases opened"] == [
        ["Rank", "Root cause", "Cases", "Customers"],
        ["1", "Courier misses the slot", "2", "2"],
        ["", "No root cause", "2", ""],
    ]
    assert export["Agents"] == [
        [
            "Owner",
            "Cases handled",
            "Median time to resolve (s)",
            "SLA compliance (share)",
            "Mean satisfaction",
        ],
        ["Alice", "3", "18000.0", "0.6667", "5.0"],
        ["Bob", "1", "", "0.5", "2.0"],
    ]
    assert export["Feedback by channel"][:2] == [
        ["Channel", "Received", "Negative", "Negative share"], ["web", "3", "2", "0.6667"],
    ]  # fmt: skip
    assert export["Gestures granted"][1:] == [
        ["refund", "EUR", "1", "15.50"],
        ["voucher", "EUR", "1", "20.00"],
    ]
    audit = ExportAudit.objects.get()
    assert audit.export == "metrics" and audit.filters == {"from": [FROM], "to": [TO]}


def test_the_metrics_export_follows_the_filters(world, client, manager):
    client.force_login(manager)
    export = sections(rows(client.get(f"/dashboard/export.csv?{PERIOD}&severity=medium")))
    summary = {row[0]: row[1:] for row in export["Summary"]}
    assert (summary["Cases opened"][0], summary["Feedback received"][0]) == ("1", "2")  # D
    assert ExportAudit.objects.get().filters == {"from": [FROM], "to": [TO], "severity": ["medium"]}


# Snapshots --------------------------------------------------------------------------------------------
def test_preset_periods_are_read_from_a_fresh_snapshot_and_say_so(world, client, manager):
    assert refresh_metric_snapshots() == [7, 30, 90]
    assert MetricsSnapshot.objects.count() == 3
    opened_before = page(client, manager, "days=30").context["m"]["cases"]["opened"]
    RecoveryCaseFactory()  # after the snapshot: not in the period's numbers until the next refresh
    response = page(client, manager, "days=30")
    assert response.context["from_snapshot"] is True
    assert "refreshed every 5 minutes" in response.content.decode()
    assert response.context["m"]["cases"]["opened"] == opened_before


def test_figures_about_now_are_live_on_a_snapshot_and_match_their_lists(world, client, manager):
    snapshots.refresh_all()
    late = RecoveryCaseFactory(severity="high")
    RecoveryCase.objects.filter(pk=late.pk).update(sla_due_at=NOW)  # open, and breached at this moment
    response = page(client, manager, "days=30")
    assert response.context["from_snapshot"] is True
    assert "open now, breached now, the backlog and pending approvals are live" in response.content.decode()
    m, tiles = response.context["m"], {t.key: t for t in response.context["tiles"]}
    assert (m["cases"]["open_now"], m["sla"]["breached_now"]) == (6, 3)  # 5 + 1; B, D + 1
    assert m["cases"]["backlog"]["by_stage"]["new"] == 4
    for key in ("open_now", "breached_now"):
        assert listed(tiles[key].url, manager) == tiles[key].count
    new_high = next(
        s for row in response.context["backlog_chart"]["rows"] if row["code"] == "new"
        for s in row["segments"] if s["severity"] == "high"
    )  # fmt: skip
    assert listed(new_high["url"], manager) == new_high["cases"] == 1


def test_a_stale_snapshot_or_a_filter_is_computed_live(world, client, manager):
    snapshots.refresh_all()
    RecoveryCaseFactory()
    assert page(client, manager, "days=30&severity=medium").context["from_snapshot"] is False
    with time_machine.travel(NOW + snapshots.MAX_AGE, tick=False):
        response = page(client, manager, "days=30")
    assert response.context["from_snapshot"] is False
    assert response.context["m"]["cases"]["open_now"] == 6


def test_drill_down_links_keep_the_filters(world, client, manager):
    tile = page(client, manager, PERIOD + "&owner=none").context["tiles"][1]
    assert parse_qs(urlsplit(tile.url).query) == {
        "metric": ["open_now"],
        "from": [FROM],
        "to": [TO],
        "owner": ["none"],
    }
    assert listed(tile.url, manager) == tile.count == 2


def test_the_team_filter_splits_every_tile_and_its_drill_down_list_counts_the_same(world, client, manager):
    team = Team.objects.create(name="Billing", slug="billing")
    in_team = RecoveryCase.objects.filter(severity__in=["critical", "high"])
    assert 0 < in_team.count() < RecoveryCase.objects.count()
    in_team.update(team=team)

    everyone = {t.key: t.count for t in page(client, manager).context["tiles"]}
    split = {}
    for value in ("billing", "none"):
        response = page(client, manager, f"{PERIOD}&team={value}")
        assert f'<option value="{value}" selected>' in response.content.decode()
        for tile in response.context["tiles"]:
            assert parse_qs(urlsplit(tile.url).query)["team"] == [value]
            assert listed(tile.url, manager) == tile.count, (value, tile.key)
            split.setdefault(tile.key, []).append(tile.count)
    # Every case has one team or none: the two filtered dashboards add up to the unfiltered one.
    assert {key: sum(counts) for key, counts in split.items()} == everyone
    assert 0 < split["opened"][0] < everyone["opened"]


def test_the_team_filter_is_offered_once_a_team_exists(world, client, manager):
    assert 'name="team"' not in page(client, manager).content.decode()
    Team.objects.create(name="Billing", slug="billing")
    assert '<option value="billing">Billing</option>' in page(client, manager).content.decode()


def test_a_lead_counts_the_cases_they_may_see_as_their_drill_down_lists_do(
    world, client, manager, django_user_model, api_client
):
    lead = make_user(django_user_model, "lena", Role.MANAGER)
    Team.objects.create(name="Billing", slug="billing").leads.add(lead)
    RecoveryCase.objects.filter(severity__in=["critical", "high"]).update(
        team=Team.objects.create(name="Claims", slug="claims")
    )

    mine = page(client, lead).context
    # Lena leads Billing, which holds no case: she sees the cases of no team, as on the case list.
    unteamed = {t.key: t.count for t in page(client, manager, f"{PERIOD}&team=none").context["tiles"]}
    assert {t.key: t.count for t in mine["tiles"]} == unteamed
    seen = RecoveryCase.objects.filter(case_scope(lead))
    for tile in mine["tiles"]:
        assert listed(tile.url, lead, seen) == tile.count, tile.key
    assert page(client, lead, "days=30").context["from_snapshot"] is False  # snapshots are everyone's
    body = body_of(api_client(lead))
    assert body["cases"]["opened"] == unteamed["opened"] < body_of(api_client(manager))["cases"]["opened"]


def body_of(client) -> dict:
    return client.get(f"/api/v1/metrics/?{PERIOD}").json()
