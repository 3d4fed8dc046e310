"""The API shows the "Customer unhappy" flag read-only, on the queue rows and on the detail."""

import pytest
import time_machine

from cases import workflow
from cases.tests.factories import RecoveryCaseFactory

pytestmark = pytest.mark.django_db

ANSWERED = "2026-11-25T12:00:00Z"


def unhappy_case(agent):
    case = RecoveryCaseFactory(resolved=True, owner=agent)
    with time_machine.travel(ANSWERED, tick=False):
        workflow.reopen_for_customer(case_id=case.pk, reason="Still broken (survey: 1/5).")
    return case


def test_the_queue_and_the_detail_show_when_the_customer_said_they_were_unhappy(api_client, agent):
    case = unhappy_case(agent)
    calm = RecoveryCaseFactory(owner=agent)
    client = api_client(agent)

    rows = {row["reference"]: row for row in client.get("/api/v1/cases/").json()["results"]}
    detail = client.get(f"/api/v1/cases/{case.reference}/").json()

    assert rows[case.reference]["customer_unhappy_at"] == "2026-11-25T12:00:00Z"
    assert rows[calm.reference]["customer_unhappy_at"] is None
    assert detail["customer_unhappy_at"] == "2026-11-25T12:00:00Z"


def test_the_flag_cannot_be_written_through_the_api(api_client, agent):
    case = RecoveryCaseFactory(owner=agent)

    response = api_client(agent).patch(
        f"/api/v1/cases/{case.reference}/",
        {"customer_unhappy_at": ANSWERED},
        format="json",
        HTTP_IF_MATCH=f'"{case.pk}-{case.version}"',
    )

    assert response.status_code == 400
    assert "customer_unhappy_at" in response.json()
    case.refresh_from_db()
    assert (case.customer_unhappy_at, case.version) == (None, 0)
