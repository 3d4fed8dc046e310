"""One spelling for a length of time and one for a moment (issue 23, D14; issue 25), in the user's time
zone, whichever screen, email or timeline line shows it."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from cases.models import SLAAlert
from cases.sla.alerts import Alert
from cases.templatetags.moments import ago, clock, countdown, day, duration, moment, since
from cases.templatetags.sla_clock import sla_clock
from cases.tests.factories import RecoveryCaseFactory
from cases.views.timeline import changed_by

NOW = datetime(2026, 12, 6, 4, 22, tzinfo=UTC)


@pytest.mark.parametrize(
    ("delta", "spelled"),
    [
        (timedelta(seconds=20), "under 1 min"),
        (timedelta(minutes=5), "5 min"),
        (timedelta(hours=1), "1 h"),
        (timedelta(hours=1, minutes=15), "1 h 15 min"),
        (timedelta(hours=1, minutes=15, seconds=59), "1 h 15 min"),
        (-timedelta(hours=1, minutes=15), "1 h 15 min"),
        (timedelta(days=2), "2 d"),
        (timedelta(days=2, hours=4, minutes=30), "2 d 4 h"),
    ],
)
def test_a_duration_is_spelled_in_its_two_largest_units(delta, spelled):
    assert duration(delta) == spelled


def test_a_moment_is_spelled_in_the_active_time_zone_with_its_name_on_request(settings):
    assert moment(NOW) == "6 Dec 2026, 04:22"
    assert moment(NOW, zone=True) == "6 Dec 2026, 04:22 UTC"
    assert day(NOW) == "6 Dec 2026"
    with timezone.override("Europe/Madrid"):
        assert moment(NOW, zone=True) == "6 Dec 2026, 05:22 CET"
        assert day(datetime(2026, 12, 6, 23, 30, tzinfo=UTC)) == "7 Dec 2026"
        assert clock(NOW) == "05:22"
    assert day(date(2026, 12, 6)) == "6 Dec 2026"  # a date is a day already: no zone moves it


@time_machine.travel(NOW, tick=False)
def test_ago_and_countdown_are_sentences_around_the_same_duration():
    past, ahead = NOW - timedelta(hours=1, minutes=15), NOW + timedelta(hours=1, minutes=15)
    assert (ago(past), ago(ahead), ago(NOW - timedelta(seconds=30))) == (
        "1 h 15 min ago",
        "in 1 h 15 min",
        "just now",
    )
    assert (countdown(ahead), countdown(past)) == ("due in 1 h 15 min", "1 h 15 min over")
    assert since(past) == "1 h 15 min"  # the approvals' "Waiting" column


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_queue_the_timeline_and_the_sla_emails_spell_times_alike(agent):
    case = RecoveryCaseFactory(severity="high", sla_started_at=NOW - timedelta(hours=2, minutes=15))
    clock = sla_clock(case, NOW)
    assert clock.label == "Breached 1 h 15 min ago"  # acknowledge was due 1 h after the start
    assert clock.exact == "6 Dec 2026, 03:07"
    alert = Alert(
        case=case,
        target="acknowledge",
        level=SLAAlert.Level.BREACHED,
        moment=NOW,
        due_at=case.acknowledge_due_at,
    )
    assert alert.headline == "SLA breached: acknowledge was due 6 Dec 2026, 03:07 UTC"
    event = case.events.create(kind="note", actor=agent, message="x")
    assert (
        changed_by(event, case.reference)
        == f"{case.reference} was given a note by Alice at 6 Dec 2026, 04:22."
    )


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_case_screen_sla_box_is_refreshed_by_the_server_in_the_same_words(agent):
    case = RecoveryCaseFactory(owner=agent, severity="high", sla_started_at=NOW - timedelta(minutes=15))
    client = Client()
    client.force_login(agent)

    box = client.get(f"/cases/{case.reference}/sla/", HTTP_HX_REQUEST="true").content.decode()

    assert box.strip().startswith('<div class="case-sla sla-on_track" id="case-sla"')
    assert ">due in 45 min</time>" in box and 'title="6 Dec 2026, 05:07 UTC"' in box
    page = client.get(f"/cases/{case.reference}/").content.decode()
    assert ">due in 45 min</time>" in page
    assert "data-countdown" not in page
