"""Managers edit business calendars in the admin; the sweep's alerts are visible there but read-only."""

import pytest

from cases.models import BusinessCalendar

pytestmark = pytest.mark.django_db


# The admin's form for a calendar open on Mondays 09:00-17:00, closed at Christmas.
BERLIN_CALENDAR_FORM = {
    "name": "Berlin office",
    "time_zone": "Europe/Berlin",
    "opening_hours-TOTAL_FORMS": "1",
    "opening_hours-INITIAL_FORMS": "0",
    "opening_hours-0-weekday": "0",
    "opening_hours-0-opens": "09:00",
    "opening_hours-0-closes": "17:00",
    "holidays-TOTAL_FORMS": "1",
    "holidays-INITIAL_FORMS": "0",
    "holidays-0-date": "2026-12-25",
    "holidays-0-name": "Christmas",
}


def test_a_calendar_with_its_opening_hours_is_created_in_the_admin(admin_client):
    response = admin_client.post("/admin/cases/businesscalendar/add/", BERLIN_CALENDAR_FORM)

    assert response.status_code == 302
    calendar = BusinessCalendar.objects.get()
    assert [str(h) for h in calendar.opening_hours.all()] == ["Monday 09:00-17:00"]
    assert [str(h) for h in calendar.holidays.all()] == ["2026-12-25 Christmas"]


def test_an_unknown_time_zone_is_refused_in_the_admin_and_nothing_is_stored(admin_client):
    response = admin_client.post(
        "/admin/cases/businesscalendar/add/",
        {
            "name": "Atlantis",
            "time_zone": "Atlantis/Capital",
            "opening_hours-TOTAL_FORMS": "0",
            "opening_hours-INITIAL_FORMS": "0",
            "holidays-TOTAL_FORMS": "0",
            "holidays-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "IANA time zone" in response.content.decode()
    assert not BusinessCalendar.objects.exists()


def test_the_alert_list_is_read_only(admin_client):
    assert admin_client.get("/admin/cases/slaalert/").status_code == 200
    assert admin_client.get("/admin/cases/slaalert/add/").status_code == 403
