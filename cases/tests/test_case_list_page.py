"""`/cases/`: every case through the API's filters, keyset pages, the exact count, per role."""

import csv
import html
import io
import re

import pytest
from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.test import Client

from cases.models import RecoveryCase, Severity, Stage
from cases.selectors import cases as selectors
from cases.tests.factories import RecoveryCaseFactory, RootCauseFactory
from conftest import signed_in
from feedback.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def references(response) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/cases/(RC-\d+)/\?from=cases">', response.content.decode())


def count_shown(client, response) -> int:
    """The count the page shows once it has asked for it (its status line's hx-get, on load)."""
    asked = re.search(r'role="status" hx-get="([^"]+)" hx-trigger="load"', response.content.decode()).group(1)
    counted = client.get(asked.replace("&amp;", "&"))
    assert counted.status_code == 200
    return int(re.search(r'<strong class="count-total">(\d+)</strong>', counted.content.decode()).group(1))


def test_anonymous_visitors_are_sent_to_sign_in_without_the_filters_leaking_case_data():
    response = Client().get("/cases/", {"q": "RC-000001"})

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/cases/")


def test_an_intake_client_may_not_list_cases(intake_user):
    assert signed_in(intake_user).get("/cases/").status_code == 403


@pytest.mark.parametrize("role", ["agent", "other_agent", "manager"])
def test_every_case_worker_sees_every_case_with_its_count(role, agent, other_agent, manager):
    cases = [RecoveryCaseFactory(owner=agent), RecoveryCaseFactory(owner=other_agent), RecoveryCaseFactory()]
    user = {"agent": agent, "other_agent": other_agent, "manager": manager}[role]

    client = signed_in(user)
    response = client.get("/cases/")

    assert response.status_code == 200
    assert sorted(references(response)) == sorted(case.reference for case in cases)
    assert count_shown(client, response) == 3


AGENT_FILTERS = [
    ("q", "Search"),
    ("owner", "Owner"),
    ("sla_state", "SLA state"),
    ("is_repeat", "Repeat customer"),
    ("root_cause", "Root cause"),
    ("created_after", "Opened from"),
    ("created_before", "Opened before"),
    ("channel", "Channel"),
    ("touchpoint", "Touchpoint"),
    ("ordering", "Sort by"),
]
MANAGER_FILTERS = [("metric", "Dashboard figure"), ("from", "Period from"), ("to", "Period to")]


def test_the_filters_are_a_folded_get_form_with_labelled_fields_and_checkbox_groups(agent):
    body = signed_in(agent).get("/cases/").content.decode()

    folded = re.search(r'<details class="filters-box card">\s*<summary>Filters</summary>', body)
    assert folded, "the filters start folded away, behind one line"
    assert '<form class="filters" method="get" action="/cases/"' in body
    for name, label in AGENT_FILTERS:
        assert f'<label for="id_{name}">{label}</label>' in body
    for name, legend in [("stage", "Stage"), ("severity", "Severity")]:
        assert f"<legend>{legend}</legend>" in body
        assert f'<input type="checkbox" name="{name}"' in body
    assert "<select multiple" not in body and "Ctrl-" not in body
    assert "[invalid name]" not in body and "---------" not in body


def test_an_agent_is_not_shown_the_managers_dashboard_fields(agent):
    body = signed_in(agent).get("/cases/").content.decode()

    for name, label in MANAGER_FILTERS:
        assert label not in body and f'name="{name}"' not in body


def test_a_manager_is_shown_the_dashboard_fields(manager):
    body = signed_in(manager).get("/cases/").content.decode()

    for name, label in MANAGER_FILTERS:
        assert f'<label for="id_{name}">{label}</label>' in body


def test_an_agent_following_a_drill_down_keeps_it_as_a_chip_and_through_the_form(agent):
    RecoveryCaseFactory(severity=Severity.LOW)
    body = signed_in(agent).get("/cases/", {"metric": "opened", "severity": "high"}).content.decode()

    assert chip_labels(body)[0] == "Severity: High"
    assert chip_labels(body)[1].startswith("Dashboard figure: ")
    assert '<input type="hidden" name="metric" value="opened">' in body
    assert '<label for="id_metric">' not in body


def chips(body: str) -> list[tuple[str, str]]:
    nav = re.search(r'<nav class="active-filters".*?</nav>', body, re.S)
    if not nav:
        return []
    found = re.findall(r'<a class="chip chip-remove" href="([^"]*)"[^>]*>(.*?)<span', nav.group(0))
    return [(html.unescape(href), html.unescape(label)) for href, label in found]


def chip_labels(body: str) -> list[str]:
    return [label for _, label in chips(body)]


def test_each_active_filter_is_a_chip_whose_link_removes_only_that_filter(agent, other_agent):
    wanted = RecoveryCaseFactory(severity=Severity.HIGH, stage=Stage.NEW, owner=other_agent)
    acknowledged = RecoveryCaseFactory(severity=Severity.HIGH, stage=Stage.ACKNOWLEDGED, owner=other_agent)
    mine = RecoveryCaseFactory(severity=Severity.HIGH, stage=Stage.NEW, owner=agent)
    low = RecoveryCaseFactory(severity=Severity.LOW, stage=Stage.NEW, owner=other_agent)
    client = signed_in(agent)
    params = {"stage": "new,acknowledged", "severity": "high", "owner": str(other_agent.pk), "q": ""}

    body = client.get("/cases/", params).content.decode()

    assert chip_labels(body) == [
        "Stage: New",
        "Stage: Acknowledged",
        "Severity: High",
        "Owner: Bob",
    ]
    assert 'class="clear-filters" href="/cases/"' in body
    assert "(4 active)" in body
    links = dict((label, href) for href, label in chips(body))
    without_new = client.get(links["Stage: New"])
    assert sorted(references(without_new)) == [acknowledged.reference]
    remaining = ["Stage: Acknowledged", "Severity: High", "Owner: Bob"]
    assert chip_labels(without_new.content.decode()) == remaining
    without_owner = client.get(links["Owner: Bob"])
    high = [wanted.reference, acknowledged.reference, mine.reference]
    assert sorted(references(without_owner)) == sorted(high)
    without_severity = client.get(links["Severity: High"])
    assert sorted(references(without_severity)) == sorted(
        [wanted.reference, acknowledged.reference, low.reference]
    )


def test_a_chip_names_a_search_and_leaves_out_the_page_cursor(agent):
    RecoveryCaseFactory.create_batch(3, title="Parcel crushed")
    client = signed_in(agent)
    first = client.get("/cases/", {"q": "parcel", "page_size": 2})
    following = re.search(r'rel="next" href="([^"]+)"', first.content.decode()).group(1).replace("&amp;", "&")

    found = chips(client.get(following).content.decode())

    assert [label for _, label in found] == ["Search: “parcel”"]
    assert "cursor" not in found[0][0] and "page_size" not in found[0][0]


def test_no_filter_means_no_chips(agent):
    assert chips(signed_in(agent).get("/cases/").content.decode()) == []


def test_an_unreadable_filter_opens_the_folded_filters(agent):
    body = signed_in(agent).get("/cases/", {"severity": "urgent"}).content.decode()

    assert '<details class="filters-box card" open>' in body


def test_filters_narrow_the_list_and_the_count_alike(agent, other_agent):
    cause = RootCauseFactory()
    wanted = RecoveryCaseFactory(severity=Severity.HIGH, owner=other_agent, is_repeat=True)
    cause.cases.add(wanted)
    RecoveryCaseFactory(severity=Severity.HIGH, owner=other_agent)
    RecoveryCaseFactory(severity=Severity.LOW, owner=other_agent, is_repeat=True)
    RecoveryCaseFactory(severity=Severity.HIGH, is_repeat=True, stage=Stage.CLOSED)

    params = {"severity": "high", "owner": str(other_agent.pk), "is_repeat": "true", "stage": ["new"]}
    client = signed_in(agent)
    response = client.get("/cases/", params)

    assert references(response) == [wanted.reference]
    assert count_shown(client, response) == 1
    assert references(signed_in(agent).get("/cases/", {"root_cause": cause.pk})) == [wanted.reference]


def test_free_text_finds_a_reference_and_a_customer(agent):
    case = RecoveryCaseFactory(customer=CustomerFactory(name="Zephyrine Okafor"))
    RecoveryCaseFactory()

    assert references(signed_in(agent).get("/cases/", {"q": case.reference})) == [case.reference]
    assert references(signed_in(agent).get("/cases/", {"q": "zephyrine"})) == [case.reference]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"severity": "urgent"}, "severity", "Select a valid choice"),
        ({"is_repeat": "maybe"}, "is_repeat", "Use true or false."),
        ({"owner": "bob"}, "owner", "Use a user id, 'me' or 'none'."),
        ({"created_after": "yesterday"}, "created_after", "Enter a valid date/time."),
        ({"root_cause": "x"}, "root_cause", "Use a numeric id."),
    ],
)
def test_an_unreadable_filter_is_named_next_to_its_field(agent, params, field, message):
    RecoveryCaseFactory()

    response = signed_in(agent).get("/cases/", params)

    assert response.status_code == 400
    body = response.content.decode()
    error = re.search(rf'<ul class="errorlist" id="id_{field}_error"><li>(.*?)</li>', body)
    assert error and message in html.unescape(error.group(1))
    if field == "severity":  # a checkbox group: the fieldset names the error, each box is invalid
        group = re.search(r'<fieldset class="field checks has-error".*?</fieldset>', body, re.S).group(0)
        assert f'aria-describedby="id_{field}_error"' in group
        assert group.count('aria-invalid="true"') == len(Severity.choices)
    else:
        widget = re.search(rf'<(?:input|select)[^>]*id="id_{field}"[^>]*>', body).group(0)
        described_by = re.search(r'aria-describedby="([^"]*)"', widget).group(1).split()
        assert 'aria-invalid="true"' in widget and f"id_{field}_error" in described_by
    assert references(response) == []


def test_a_broken_cursor_is_explained_not_a_server_error(agent):
    response = signed_in(agent).get("/cases/", {"cursor": "not-a-cursor"})

    assert response.status_code == 400
    assert "cursor: Invalid cursor." in response.content.decode()


def test_pages_follow_with_next_and_previous_links_keeping_the_filters(agent):
    cases = RecoveryCaseFactory.create_batch(5, severity=Severity.LOW)
    RecoveryCaseFactory(severity=Severity.HIGH)
    client = signed_in(agent)

    first = client.get("/cases/", {"severity": "low", "page_size": 2})
    following = re.search(r'rel="next" href="([^"]+)"', first.content.decode()).group(1).replace("&amp;", "&")
    second = client.get(following)
    back = re.search(r'rel="prev" href="([^"]+)"', second.content.decode()).group(1).replace("&amp;", "&")

    assert "severity=low" in following
    assert references(first) + references(second) == [c.reference for c in cases][:4]
    assert references(client.get(back)) == references(first)
    assert count_shown(client, second) == 5  # every page counts the whole list


@pytest.mark.parametrize("rows", [1, 40])
def test_the_list_costs_the_same_few_queries_whatever_the_number_of_rows(
    agent, rows, django_assert_max_num_queries
):
    RecoveryCaseFactory.create_batch(rows)
    client = signed_in(agent)

    # session, user, roles, the owner and root-cause pick-lists, the page, the agent's saved views,
    # the bell, the agent's teams (the scope); the count is asked for once the page is shown
    with django_assert_max_num_queries(9):
        response = client.get("/cases/", {"severity": "medium"})

    assert len(references(response)) == rows
    # session, user, roles, the agent's teams, the count under its time limit (savepoint, limit,
    # count, limit back, release: a test runs inside a transaction)
    with django_assert_max_num_queries(9):
        assert count_shown(client, response) == rows


@pytest.mark.postgres
def test_a_count_that_overruns_its_budget_gives_up_and_leaves_the_connection_as_it_was(agent):
    RecoveryCaseFactory()
    # The database, not the test, takes its time: a count slower than the budget.
    slow = RecoveryCase.objects.filter(RawSQL("pg_sleep(0.2) IS NOT NULL", [], output_field=BooleanField()))

    assert selectors.count_within(slow, milliseconds=20) is None
    assert selectors.count_within(RecoveryCase.objects.all(), milliseconds=1000) == 1
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"


def test_the_list_says_when_its_cases_are_too_many_to_count_quickly(agent, monkeypatch):
    RecoveryCaseFactory()
    monkeypatch.setattr(selectors, "count_within", lambda queryset, milliseconds: None)

    counted = signed_in(agent).get("/cases/count/")

    assert counted.status_code == 200
    assert "Too many matching cases to count within 1 s" in counted.content.decode()


def test_the_list_is_shown_before_it_is_counted_and_the_count_keeps_the_filters(agent):
    RecoveryCaseFactory(severity=Severity.HIGH)
    RecoveryCaseFactory(severity=Severity.LOW)
    client = signed_in(agent)

    response = client.get("/cases/", {"severity": "high", "page_size": 1, "cursor": ""})
    body = response.content.decode()

    assert "count-total" not in body and "Counting the matching cases" in body
    assert 'hx-get="/cases/count/?severity=high"' in body  # the filters, not the page's own parameters
    assert count_shown(client, response) == 1


def test_a_count_of_unreadable_filters_is_refused_and_shows_nothing(agent):
    counted = signed_in(agent).get("/cases/count/", {"severity": "urgent"})

    assert counted.status_code == 400
    assert counted.content.decode().strip() == ""


def test_only_case_workers_may_count_cases(intake_user):
    assert signed_in(intake_user).get("/cases/count/").status_code == 403
    assert Client().get("/cases/count/").status_code == 302


def test_a_case_read_in_part_holds_the_columns_read_and_loads_the_rest_on_demand(django_assert_num_queries):
    # RecoveryCase.from_db places a partial row's values itself (once per list of columns read).
    made = RecoveryCaseFactory(title="Kettle leaks", description="It leaks from the base.")
    for _ in range(2):  # the second read places its values from what the first worked out
        rows = list(RecoveryCase.objects.only(*selectors.QUEUE_ROW).filter(pk=made.pk))
        case = rows[0]
        assert (case.pk, case.title, case.stage, case.severity) == (
            made.pk,
            made.title,
            made.stage,
            made.severity,
        )
        assert (case.customer.name, case.sla_due_at, case.version) == (made.customer.name, made.sla_due_at, 0)
        assert {"description", "resolution_summary", "close_reason"} <= case.get_deferred_fields()
    with django_assert_num_queries(1):
        assert case.description == "It leaks from the base."


def export_link(body: str) -> str:
    return html.unescape(re.search(r'<a class="button export-link" href="([^"]+)" download>', body).group(1))


def exported_references(response) -> list[str]:
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert lines[0][0] == "reference"
    return [line[0] for line in lines[1:]]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"severity": "high,critical"},
        {"severity": "high", "stage": ["new", "acknowledged"], "ordering": "-created_at"},
        {"owner": "none", "ordering": "severity"},
        {"q": "parcel"},
    ],
)
def test_the_export_link_exports_exactly_the_filtered_list_in_its_order(agent, other_agent, params):
    for n, severity in enumerate(["low", "high", "critical", "high", "medium", "high", "critical"]):
        RecoveryCaseFactory(
            severity=severity,
            owner=[None, agent, other_agent][n % 3],
            stage=[Stage.NEW, Stage.ACKNOWLEDGED, Stage.CLOSED][n % 3],
            title="Parcel crushed" if n % 2 else "Charged twice",
        )
    client = signed_in(agent)
    # Small pages, so the list is read across pages and the export must hold every one of them.
    listed, page = [], client.get("/cases/", {**params, "page_size": 2})
    link = export_link(page.content.decode())
    while True:
        listed += references(page)
        following = re.search(r'rel="next" href="([^"]+)"', page.content.decode())
        if not following:
            break
        page = client.get(html.unescape(following.group(1)))

    exported = exported_references(client.get(link))

    assert listed, "the filters match some cases"
    assert exported == listed
    assert "page_size" not in link and "cursor" not in link


def test_the_export_link_leaves_out_the_page_the_agent_is_on(agent):
    RecoveryCaseFactory.create_batch(3, severity=Severity.LOW)
    client = signed_in(agent)
    first = client.get("/cases/", {"severity": "low", "page_size": 2})
    following = re.search(r'rel="next" href="([^"]+)"', first.content.decode()).group(1)

    link = export_link(client.get(html.unescape(following)).content.decode())

    assert link == "/cases/export.csv?severity=low"
    assert len(exported_references(client.get(link))) == 3
