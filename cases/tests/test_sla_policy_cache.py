"""SLA policies are read once per process and severity, and an edit is never missed for long."""

from datetime import date, time, timedelta

import pytest
from django.db import transaction

from cases.models import BusinessCalendar, Holiday, OpeningHours, SLAPolicy
from cases.sla import clock as sla
from cases.sla.calendar import schedule_of

pytestmark = pytest.mark.django_db


def test_a_policy_is_read_once_for_every_case_of_its_severity(django_assert_num_queries):
    with django_assert_num_queries(1):
        first = sla.policy_for("high")
    with django_assert_num_queries(0):
        again = sla.policy_for("high")

    assert again.acknowledge_within == first.acknowledge_within == timedelta(hours=1)


def test_an_edited_policy_applies_at_once_in_the_process_that_edited_it():
    sla.policy_for("high")
    policy = SLAPolicy.objects.get(severity="high")
    policy.acknowledge_within = timedelta(minutes=20)
    policy.save()

    assert sla.policy_for("high").acknowledge_within == timedelta(minutes=20)


def test_a_policy_cached_before_its_edit_commits_is_read_again_after_the_commit(
    django_capture_on_commit_callbacks, django_assert_num_queries
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        policy = SLAPolicy.objects.get(severity="low")
        policy.acknowledge_within = timedelta(hours=5)
        policy.save()
        sla.policy_for("low")  # what another thread of this process may cache before the commit
    with django_assert_num_queries(1):
        assert sla.policy_for("low").acknowledge_within == timedelta(hours=5)


def test_a_deleted_policy_is_not_served_from_the_cache():
    sla.policy_for("critical")
    SLAPolicy.objects.filter(severity="critical").delete()

    assert sla.policy_for("critical").acknowledge_within == timedelta(minutes=15)
    assert SLAPolicy.objects.filter(severity="critical").exists()  # read again, so recreated


def test_a_new_holiday_in_a_policys_calendar_applies_at_once():
    calendar = BusinessCalendar.objects.create(name="Berlin office", time_zone="Europe/Berlin")
    OpeningHours.objects.create(calendar=calendar, weekday=0, opens=time(9), closes=time(17))
    policy = SLAPolicy.objects.get(severity="medium")
    policy.calendar = calendar
    policy.save()
    assert date(2026, 11, 23) not in schedule_of(sla.policy_for("medium").calendar).holidays

    Holiday.objects.create(calendar=calendar, date=date(2026, 11, 23), name="Closed Monday")

    assert date(2026, 11, 23) in schedule_of(sla.policy_for("medium").calendar).holidays


def test_a_change_made_by_another_process_is_read_once_the_cache_time_has_passed(monkeypatch):
    # A queryset update sends no signal: what another process's edit looks like from here.
    sla.policy_for("medium")
    SLAPolicy.objects.filter(severity="medium").update(acknowledge_within=timedelta(hours=3))
    assert sla.policy_for("medium").acknowledge_within == timedelta(hours=4)

    monkeypatch.setattr(sla, "POLICY_CACHE_SECONDS", 0)  # as if the cache time had passed

    assert sla.policy_for("medium").acknowledge_within == timedelta(hours=3)
