"""New-case marks in the queue: cases that arrived since the agent last looked are marked, and the tab's
title counts them; the page's polls keep the moment it was opened."""

import pytest
import time_machine

from cases.models import QueueLook
from cases.tests.factories import RecoveryCaseFactory
from conftest import signed_in

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_the_first_look_marks_nothing_and_remembers_the_moment(agent):
    RecoveryCaseFactory()
    with time_machine.travel("2026-12-01T09:00:00Z", tick=False):
        page = signed_in(agent).get("/").content.decode()

    assert "is-new" not in page and "<title>My queue · Mend</title>" in page
    assert QueueLook.objects.get(user=agent).looked_at.isoformat() == "2026-12-01T09:00:00+00:00"


def test_cases_that_arrived_since_the_last_look_are_marked_and_counted_in_the_title(agent):
    client = signed_in(agent)
    with time_machine.travel("2026-12-01T09:00:00Z", tick=False):
        seen = RecoveryCaseFactory(title="Seen before")
        client.get("/")
    with time_machine.travel("2026-12-01T10:00:00Z", tick=False):
        RecoveryCaseFactory.create_batch(2, title="Arrived later")
        page = client.get("/").content.decode()
        again = client.get("/").content.decode()

    assert "<title>(2 new) My queue · Mend</title>" in page
    assert page.count(' is-new"') == 2
    assert page.count('<span class="flag flag-new">New') == 2
    assert f"{seen.reference}</a></th>" in page
    assert '<span class="flag flag-new">New' not in again  # looked at now


def test_the_poll_keeps_the_marks_of_the_open_page_and_sends_the_title(agent):
    client = signed_in(agent)
    with time_machine.travel("2026-12-01T09:00:00Z", tick=False):
        client.get("/")
    with time_machine.travel("2026-12-01T09:30:00Z", tick=False):
        opened = client.get("/").content.decode()
        assert "since=2026-12-01T09%3A00%3A00%2B00%3A00" in opened  # the look before this one
    with time_machine.travel("2026-12-01T09:31:00Z", tick=False):
        RecoveryCaseFactory()
        polled = client.get("/?show=all&since=2026-12-01T09%3A00%3A00%2B00%3A00", **HTMX).content.decode()

    assert "<title>(1 new) My queue · Mend</title>" in polled
    assert polled.count('<span class="flag flag-new">New') == 1
    assert QueueLook.objects.get(user=agent).looked_at.isoformat() == "2026-12-01T09:30:00+00:00"
