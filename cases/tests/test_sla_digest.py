"""SLA digests: each person gets one email per sweep listing every case they must hear of, once."""

import re

import pytest
from django.utils.dateparse import parse_datetime

from cases import outbox
from cases.models import Notification
from cases.sla import digest as sla_digest
from cases.sla import sweep as sla_sweep
from cases.sla.alerts import Alert
from cases.tests.test_sla_sweep import sweep_at
from conftest import high_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(agent):
    agent.email = "alice@example.com"
    agent.save()
    return agent


@pytest.fixture
def bob(other_agent):
    other_agent.email = "bob@example.com"
    other_agent.save()
    return other_agent


@pytest.fixture
def maria(manager):
    manager.email = "maria@example.com"
    manager.save()
    return manager


def listed(recipient: str) -> list[tuple[str, str]]:
    """(case reference, what happened) for every entry of every digest sent to `recipient`."""
    bodies = Notification.objects.filter(recipient=recipient).values_list("body", flat=True)
    return [
        entry
        for body in bodies
        for entry in re.findall(r"^(RC-\d+)  .*\n    (SLA warning|SLA breached|Escalated)", body, re.M)
    ]


def test_an_owner_gets_one_email_listing_every_case_at_risk(alice, bob, maria):
    first, second = high_case("Parcel late", owner=alice), high_case("Wrong size", owner=alice)
    third = high_case("Never arrived", owner=bob)

    assert sweep_at("10:45")["warnings"] == 3

    (to_alice,) = Notification.objects.filter(recipient="alice@example.com")
    assert to_alice.subject == "SLA digest: 2 at risk on 2 cases"
    assert to_alice.case is None  # about several cases
    assert to_alice.body == (
        "Hello Alice,\n"
        "\n"
        "These cases crossed an SLA threshold:\n"
        "\n"
        "At risk: the target will be missed unless the case moves on soon:\n"
        "\n"
        f"{first.reference}  Parcel late\n"
        "    SLA warning: acknowledge due 20 Nov 2026, 11:00 UTC\n"
        f"    http://127.0.0.1:8000/cases/{first.reference}/\n"
        f"{second.reference}  Wrong size\n"
        "    SLA warning: acknowledge due 20 Nov 2026, 11:00 UTC\n"
        f"    http://127.0.0.1:8000/cases/{second.reference}/\n"
        "\n"
        "-- Mend\n"
    )
    assert listed("bob@example.com") == [(third.reference, "SLA warning")]
    assert listed("maria@example.com") == []  # warnings of owned cases go to their owners only


def test_managers_get_one_email_of_breaches_escalations_and_unowned_warnings(alice, maria):
    late = high_case("Parcel late", owner=alice)
    unowned = high_case("Box & bag crushed")

    sweep_at("11:00")  # warnings and breaches of acknowledge, for both
    assert listed("maria@example.com") == [  # the most urgent section first
        (late.reference, "SLA breached"),
        (unowned.reference, "SLA breached"),
        (unowned.reference, "SLA warning"),  # nobody owns it: the managers are warned instead
    ]
    assert listed("alice@example.com") == [(late.reference, "SLA breached"), (late.reference, "SLA warning")]

    sweep_at("12:00")  # acknowledge escalates to level 2; apologize warned (11:30) and breached
    (to_maria,) = Notification.objects.filter(recipient="maria@example.com").order_by("-id")[:1]
    assert to_maria.subject == "SLA digest: 2 escalated, 2 breached, 1 at risk on 2 cases"
    assert "Box & bag crushed" in to_maria.body  # a plain-text email: nothing HTML-escaped
    assert [line for line in to_maria.body.splitlines() if line.endswith(":")] == [
        "These cases crossed an SLA threshold:",
        "Escalated to level 2: still overdue at twice the target:",
        "Breached: the target was missed, the managers are told (level 1):",
        "At risk: the target will be missed unless the case moves on soon:",
    ]
    assert Notification.objects.filter(recipient="maria@example.com").count() == 2  # one per sweep


def test_an_email_about_one_case_names_it_and_its_worst_news(alice, maria):
    case = high_case("Parcel late", owner=alice)

    sweep_at("11:00")

    (to_alice,) = Notification.objects.filter(recipient="alice@example.com")
    assert (
        to_alice.subject
        == f"{case.reference}: SLA breached: acknowledge was due 20 Nov 2026, 11:00 UTC (+1 more)"
    )
    assert to_alice.case == case


def test_nobody_hears_of_an_alert_twice(alice, maria):
    cases = [high_case(f"Case {n}", owner=alice) for n in range(3)]

    sweep_at("11:00")
    sweep_at("11:00")
    sweep_at("11:01")

    assert Notification.objects.count() == 2
    assert sorted(listed("alice@example.com")) == sorted(
        [(case.reference, "SLA warning") for case in cases]
        + [(case.reference, "SLA breached") for case in cases]
    )
    assert sorted(listed("maria@example.com")) == sorted((case.reference, "SLA breached") for case in cases)


def test_a_digest_queued_again_is_not_written_twice(alice, maria):
    case = high_case("Parcel late", owner=alice)
    now = parse_datetime("2026-11-20T11:00:00Z")
    alerts = [Alert(case, "acknowledge", level, now, now, pk=pk) for pk, level in ((41, 0), (42, 1))]

    first = sla_digest.digests(alerts, owners={alice.pk: alice}, managers=[maria])
    again = sla_digest.digests(alerts, owners={alice.pk: alice}, managers=[maria])
    outbox.queue_many(first)
    outbox.queue_many(again)

    assert [email.dedupe_key for email in first] == [
        f"sla-digest:41:user:{alice.pk}",  # named by its recipient and its first alert
        f"sla-digest:42:user:{maria.pk}",
    ]
    assert Notification.objects.count() == 2


def test_an_owner_without_an_address_is_skipped_and_the_managers_still_hear(alice, maria):
    alice.email = ""
    alice.save()
    case = high_case("Parcel late", owner=alice)

    sweep_at("11:00")

    assert list(Notification.objects.values_list("recipient", flat=True)) == ["maria@example.com"]
    assert listed("maria@example.com") == [(case.reference, "SLA breached")]


def test_a_wave_bigger_than_a_batch_sends_one_digest_per_batch_and_lists_each_case_once(
    alice, maria, monkeypatch
):
    monkeypatch.setattr(sla_sweep, "SWEEP_BATCH_SIZE", 2)
    cases = [high_case(f"Case {n}", owner=alice) for n in range(3)]

    assert sweep_at("10:45")["warnings"] == 3

    first, second = Notification.objects.order_by("id").values_list("subject", flat=True)
    assert first == "SLA digest: 2 at risk on 2 cases"
    assert second.endswith(": SLA warning: acknowledge due 20 Nov 2026, 11:00 UTC")  # whichever came last
    assert sorted(listed("alice@example.com")) == sorted((case.reference, "SLA warning") for case in cases)
