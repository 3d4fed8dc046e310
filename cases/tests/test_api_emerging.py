"""`GET /api/v1/emerging-issues/`, `/emerging/` and the dashboard's sections, over the hand-counted world."""

from datetime import timedelta

import pytest
import time_machine

from cases.emerging import services
from cases.emerging.models import EmergingGroup
from cases.models import RootCause
from cases.tests import emerging_world as world
from cases.tests.emerging_world import NOW

pytestmark = pytest.mark.django_db
URL = "/api/v1/emerging-issues/"


@pytest.fixture
def spike():
    made = world.build()
    services.run(now=NOW)
    return made


def test_a_manager_reads_the_emerging_groups_with_exactly_the_agreed_keys(manager, api_client, spike):
    body = api_client(manager).get(URL).json()

    group = EmergingGroup.objects.get(is_emerging=True)
    cases = sorted(f.case.reference for f in spike["spike"] + spike["earlier"])
    assert len(body) == 1
    assert set(body[0]) == {"id", "touchpoint", "terms", "count", "expected", "cases", "since"}
    assert {k: v for k, v in body[0].items() if k != "terms"} == {
        "id": group.pk,
        "touchpoint": "delivery",
        "count": 4,
        "expected": 0.75,
        "cases": cases,
        "since": "2026-12-06T11:10:00Z",
    }
    assert set(body[0]["terms"]) == {"parcel", "late", "arrived"}


def test_agents_and_strangers_may_not_read_them(agent, api_client, spike):
    assert api_client(agent).get(URL).status_code == 403
    assert api_client().get(URL).status_code == 401


def test_a_dismissed_group_is_not_listed(manager, api_client, spike):
    services.dismiss(group_id=EmergingGroup.objects.get().pk, actor=manager)
    assert api_client(manager).get(URL).json() == []


def test_the_page_shows_the_group_and_one_click_makes_it_a_root_cause_with_its_cases(client, manager, spike):
    client.force_login(manager)
    group = EmergingGroup.objects.get()
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        page = client.get("/emerging/").text
    row = page.split(f'id="emerging-{group.pk}"')[1].split("</tr>")[0]
    assert "delivery" in row and ">4<" in row and "0.75" in row
    assert all(f.case.reference in row for f in spike["spike"])

    answer = client.post(
        f"/emerging/{group.pk}/root-cause/",
        {f"g{group.pk}-title": "Parcels late", f"g{group.pk}-category": "partner"},
    )

    root_cause = RootCause.objects.get(title="Parcels late")
    assert answer.status_code == 302 and answer["Location"] == f"/root-causes/{root_cause.pk}/"
    assert root_cause.cases.count() == 5


def test_dismissing_from_the_page_hides_the_group(client, manager, spike):
    client.force_login(manager)
    group = EmergingGroup.objects.get()
    assert client.post(f"/emerging/{group.pk}/dismiss/").status_code == 302
    assert f'id="emerging-{group.pk}"' not in client.get("/emerging/").text
    group.refresh_from_db()
    assert (group.dismissed_count, group.dismissed_by) == (4, manager)


def test_agents_do_not_get_the_page(client, agent, spike):
    client.force_login(agent)
    assert client.get("/emerging/").status_code == 403
    assert client.post(f"/emerging/{EmergingGroup.objects.get().pk}/dismiss/").status_code == 403


def test_the_dashboard_shows_emerging_groups_and_how_fixes_hold(client, manager, spike):
    from cases import root_causes

    held = root_causes.create(actor=manager, title="Held", category="process", status="fixed")
    root_causes.create(actor=manager, title="Never fixed", category="process")
    client.force_login(manager)

    page = client.get("/dashboard/").text

    assert 'id="h-emerging"' in page and f'id="emerging-{EmergingGroup.objects.get().pk}"' in page
    record = page.split('data-testid="fix-record"')[1].split("</p>")[0]
    assert "<strong>1</strong> fixed" in record and "<strong>0</strong> reopened" in record
    assert "Recurrence rate after a fix: <strong>0%</strong>" in record
    assert f"/root-causes/{held.pk}/" in page
