"""`/`: the queue page, per role, its chips, its htmx refresh and its query budget."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from cases.models import Severity
from cases.selectors import queue
from cases.selectors.cases import sla_policies
from cases.tests.factories import RecoveryCaseFactory
from conftest import signed_in
from feedback.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_sign_in():
    response = Client().get("/?show=mine")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/%3Fshow%3Dmine"


def test_an_intake_client_may_not_see_the_queue(intake_user):
    assert signed_in(intake_user).get("/").status_code == 403


def test_the_agent_sees_their_cases_and_unassigned_ones_but_not_another_agents(agent, other_agent):
    mine = RecoveryCaseFactory(owner=agent, title="Kettle leaks")
    free = RecoveryCaseFactory(title="Parcel crushed")
    theirs = RecoveryCaseFactory(owner=other_agent, title="Charged twice")

    body = signed_in(agent).get("/").content.decode()

    assert mine.reference in body and free.reference in body
    assert theirs.reference not in body
    assert f'href="/cases/{mine.reference}/?from=queue"' in body


def test_another_agent_sees_their_own_queue(agent, other_agent):
    mine = RecoveryCaseFactory(owner=agent)
    theirs = RecoveryCaseFactory(owner=other_agent)

    body = signed_in(other_agent).get("/?show=mine").content.decode()

    assert theirs.reference in body and mine.reference not in body


def test_a_manager_has_a_queue_too(manager):
    case = RecoveryCaseFactory(owner=manager)

    response = signed_in(manager).get("/")

    assert response.status_code == 200
    assert case.reference in response.content.decode()


def test_the_chips_link_each_list_with_its_count_and_mark_the_current_one(agent, other_agent):
    RecoveryCaseFactory(owner=agent)
    RecoveryCaseFactory.create_batch(2)
    RecoveryCaseFactory(owner=other_agent)

    body = signed_in(agent).get("/?show=unassigned").content.decode()

    assert 'href="?show=all"' in body and 'href="?show=mine"' in body
    assert 'aria-current="true">Unassigned <span class="chip-count">2</span>' in body
    assert 'All open <span class="chip-count">3</span>' in body
    assert 'Mine <span class="chip-count">1</span>' in body


def test_a_row_shows_severity_stage_countdown_and_flags_in_words(agent):
    RecoveryCaseFactory(
        owner=agent,
        severity=Severity.CRITICAL,
        is_repeat=True,
        customer_unhappy_at=timezone.now(),
        sla_started_at=timezone.now() - timedelta(hours=1),
    )

    body = signed_in(agent).get("/").content.decode()

    assert '<span class="badge sev-critical">Critical</span>' in body
    assert '<td class="stage"><span class="cell-label">Stage </span>New</td>' in body
    assert 'class="sla sla-breached"' in body and "Breached 45 min ago" in body
    assert "Customer unhappy" in body and '<span class="flag">Repeat</span>' in body


def test_a_customer_without_a_name_is_called_by_their_email_else_by_their_id(agent):
    # A widget customer's id is a hash of their email: the email is what an agent recognises.
    widget = CustomerFactory(external_id="widget:3f2a9c", name="", email="kim@example.com")
    RecoveryCaseFactory(owner=agent, customer=widget)
    RecoveryCaseFactory(owner=agent, customer=CustomerFactory(external_id="C-77", name="", email=""))

    body = signed_in(agent).get("/").content.decode()

    assert '<span class="cell-label">Customer </span>kim@example.com</td>' in body
    assert '<span class="cell-label">Customer </span>C-77</td>' in body
    assert "widget:3f2a9c" not in body


def test_an_empty_queue_says_so_and_links_to_all_cases(agent):
    body = signed_in(agent).get("/").content.decode()

    assert "Nothing waiting for you." in body
    assert '<a href="/cases/">Browse All cases</a>' in body


def test_an_unknown_list_is_named_and_all_open_shown(agent):
    case = RecoveryCaseFactory(owner=agent)

    response = signed_in(agent).get("/?show=everything")

    assert response.status_code == 400
    body = response.content.decode()
    assert "There is no list called “everything”" in body and case.reference in body


def test_the_htmx_refresh_answers_the_list_alone_and_polls_again(agent):
    case = RecoveryCaseFactory(owner=agent)

    response = signed_in(agent).get("/?show=mine", headers={"HX-Request": "true"})

    body = response.content.decode()
    assert body.lstrip().startswith('<div id="queue" hx-get="/?show=mine" hx-trigger="every 30s"')
    assert case.reference in body and "<html" not in body


def test_a_long_queue_shows_the_most_urgent_and_says_there_are_more(agent, monkeypatch):
    monkeypatch.setattr(queue, "QUEUE_ROWS", 2)
    monkeypatch.setattr(queue, "COUNT_CAP", 3)
    RecoveryCaseFactory.create_batch(4, owner=agent)

    body = signed_in(agent).get("/").content.decode()

    assert body.count('class="row-link ') == 2
    assert "The 2 most urgent of 3+." in body and 'Mine <span class="chip-count">3+</span>' in body


@pytest.mark.parametrize("rows", [1, 40])
def test_the_queue_costs_the_same_few_queries_whatever_the_number_of_rows(
    agent, other_agent, rows, django_assert_max_num_queries
):
    RecoveryCaseFactory.create_batch(rows // 2, owner=agent)
    RecoveryCaseFactory.create_batch(rows - rows // 2)
    RecoveryCaseFactory(owner=other_agent)
    client = signed_in(agent)
    sla_policies()  # each process keeps the four policies it read for 30 s: the steady state is warm

    # session, user, the user's roles, the user's teams (the scope), two chip counts, one read per
    # bucket (a queue this short reads all five), the rows, the bell's unread count, and the last look
    # read and written (new-case marks). SQLite cannot cut a UNION's parts, so there each index range
    # of a bucket is its own read (21 ranges in all): still a constant.
    with django_assert_max_num_queries(15 if connection.vendor == "postgresql" else 31):
        response = client.get("/")

    assert response.content.decode().count('class="row-link ') == rows
