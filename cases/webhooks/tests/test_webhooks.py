"""Webhooks out: subscriptions through the API, the outbox rows written with events, signed delivery with
retries to a real local receiver, the delivery log, the SSRF refusals and turning off a failing hook."""

import itertools
import json
from datetime import timedelta

import pytest
import standardwebhooks
import time_machine
from django.db import transaction
from django.utils import timezone

from cases import events
from cases.models import CaseEvent, Notice, Notification
from cases.tests.factories import RecoveryCaseFactory
from cases.webhooks import delivery, outbox, services
from cases.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from cases.webhooks.tests.receiver import Receiver

pytestmark = pytest.mark.django_db

PORT = 19051
URL = "/api/v1/webhooks/"


@pytest.fixture(autouse=True)
def _fresh_subscription_cache():
    outbox.forget_subscriptions()  # an earlier test's subscriptions are gone from the database
    yield
    outbox.forget_subscriptions()


@pytest.fixture
def private_allowed(settings):
    settings.MEND_WEBHOOKS_ALLOW_PRIVATE = True


def subscribe(manager, url, events=("case.opened",)):
    return services.create(actor=manager, values={"url": url, "events": list(events)})


# Subscriptions -----------------------------------------------------------------------------------


def test_a_manager_creates_a_webhook_and_sees_its_secret_once(api_client, manager, private_allowed):
    client = api_client(manager)
    body = {
        "url": "http://127.0.0.1:19051/in",
        "events": ["case.opened", "sla.breached"],
        "description": "CRM",
    }

    response = client.post(URL, body, format="json")

    assert response.status_code == 201, response.content
    created = response.json()
    assert set(created) == {"id", "url", "events", "active", "description", "secret"}
    assert created["secret"].startswith("whsec_") and created["active"] is True
    assert created["events"] == ["case.opened", "sla.breached"]
    shown = client.get(f"{URL}{created['id']}/").json()
    assert shown == {k: v for k, v in created.items() if k != "secret"}
    assert [w["id"] for w in client.get(URL).json()] == [created["id"]]


def test_a_webhook_is_changed_and_deleted(api_client, manager, private_allowed):
    client = api_client(manager)
    hook = subscribe(manager, "http://127.0.0.1:19051/in")

    changed = client.patch(f"{URL}{hook.pk}/", {"active": False, "events": ["case.assigned"]}, format="json")
    assert changed.status_code == 200
    assert (changed.json()["active"], changed.json()["events"]) == (False, ["case.assigned"])
    assert client.delete(f"{URL}{hook.pk}/").status_code == 204
    assert not WebhookSubscription.objects.exists()
    assert client.get(f"{URL}{hook.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "http://127.0.0.1:19051/", "events": ["case.exploded"]}, "events"),
        ({"url": "http://127.0.0.1:19051/", "events": []}, "events"),
        ({"url": "http://127.0.0.1:19051/", "events": "case.opened"}, "events"),
        ({"url": "http://127.0.0.1:19051/"}, "events"),
        ({"url": "ftp://files.example.com/x", "events": ["case.opened"]}, "url"),
        ({"url": "javascript:alert(1)", "events": ["case.opened"]}, "url"),
        ({"url": "", "events": ["case.opened"]}, "url"),
        ({"events": ["case.opened"]}, "url"),
        ({"url": "http://127.0.0.1:19051/", "events": ["case.opened"], "active": "yes"}, "active"),
        (
            {"url": "http://127.0.0.1:19051/", "events": ["case.opened"], "description": "x" * 201},
            "description",
        ),
        ({"url": "http://127.0.0.1:19051/", "events": ["case.opened"], "secret": "whsec_mine"}, "secret"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_stores_nothing(
    api_client, manager, private_allowed, body, field
):
    response = api_client(manager).post(URL, body, format="json")

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not WebhookSubscription.objects.exists()


def test_a_bad_change_is_a_400_and_changes_nothing(api_client, manager, private_allowed):
    hook = subscribe(manager, "http://127.0.0.1:19051/in")

    response = api_client(manager).patch(
        f"{URL}{hook.pk}/", {"events": ["case.opened", "nope"]}, format="json"
    )

    assert response.status_code == 400 and "events" in response.json()
    hook.refresh_from_db()
    assert hook.events == ["case.opened"]


def test_agents_and_strangers_may_not_manage_webhooks(api_client, agent, manager, private_allowed):
    body = {"url": "http://127.0.0.1:19051/", "events": ["case.opened"]}
    assert api_client(agent).post(URL, body, format="json").status_code == 403
    assert api_client().get(URL).status_code == 401
    assert not WebhookSubscription.objects.exists()


# SSRF ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:19051/",
        "http://localhost:19051/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.8/",
        "http://192.168.1.10/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
    ],
)
def test_private_and_metadata_targets_are_refused_at_creation(api_client, manager, url):
    response = api_client(manager).post(URL, {"url": url, "events": ["case.opened"]}, format="json")

    assert response.status_code == 400
    assert "public addresses only" in response.json()["url"][0]
    assert not WebhookSubscription.objects.exists()


def test_the_check_is_on_the_resolved_address_not_the_name(api_client, manager):
    # "localhost" is a name, not an address; so is a name that only resolves to loopback.
    response = api_client(manager).post(
        URL, {"url": "http://localhost/", "events": ["case.opened"]}, format="json"
    )
    assert "127.0.0.1" in response.json()["url"][0] or "::1" in response.json()["url"][0]


def test_private_targets_are_allowed_with_the_setting(api_client, manager, private_allowed):
    for url in ("http://127.0.0.1:19051/", "http://169.254.169.254/"):
        assert (
            api_client(manager).post(URL, {"url": url, "events": ["case.opened"]}, format="json").status_code
            == 201
        )


def test_a_private_target_is_refused_again_at_delivery(manager, settings):
    settings.MEND_WEBHOOKS_ALLOW_PRIVATE = True
    with Receiver(PORT) as receiver:
        subscribe(manager, receiver.url)
        events.record(RecoveryCaseFactory(), CaseEvent.Kind.CREATED)
        settings.MEND_WEBHOOKS_ALLOW_PRIVATE = False  # e.g. the name now resolves elsewhere

        outcome = delivery.deliver(WebhookDelivery.objects.get().webhook_id)

        assert outcome is not None and not outcome.delivered and outcome.retry_at is not None
        assert receiver.requests == []
        (attempt,) = WebhookAttempt.objects.all()
        assert attempt.status_code is None and "public addresses only" in attempt.error


# The outbox ---------------------------------------------------------------------------------------


def test_events_write_one_delivery_per_subscriber_of_their_type(manager, private_allowed):
    opened = subscribe(manager, "http://127.0.0.1:19051/a", ["case.opened", "case.reopened"])
    stages = subscribe(manager, "http://127.0.0.1:19051/b", ["case.stage_changed"])
    subscribe(manager, "http://127.0.0.1:19051/c", ["sla.breached"]).__class__.objects.filter(
        url__endswith="/c"
    ).update(active=False)
    outbox.forget_subscriptions()
    case = RecoveryCaseFactory()

    events.record(case, CaseEvent.Kind.CREATED)
    events.record(case, CaseEvent.Kind.NOTE, message="no webhook for notes")
    events.record(
        case,
        CaseEvent.Kind.STAGE_CHANGED,
        from_stage="closed",
        to_stage="acknowledged",
        data={"action": "reopen"},
    )
    events.record_many([events.SystemEvent(case, CaseEvent.Kind.SLA_BREACHED, "", {"level": 2})])

    rows = {(d.subscription_id, d.event_type) for d in WebhookDelivery.objects.all()}
    assert rows == {
        (opened.pk, "case.opened"),
        (opened.pk, "case.reopened"),
        (stages.pk, "case.stage_changed"),
    }
    reopened = WebhookDelivery.objects.get(event_type="case.reopened").payload
    assert set(reopened) == {"type", "timestamp", "data"}
    assert reopened["data"]["case"] == {"id": case.pk, "reference": case.reference}
    assert (reopened["data"]["from_stage"], reopened["data"]["to_stage"]) == ("closed", "acknowledged")


def test_a_workflow_action_writes_its_delivery_through_the_timeline(manager, private_allowed):
    from cases import workflow
    from cases.models import Stage

    hook = subscribe(manager, "http://127.0.0.1:19051/a", ["case.stage_changed", "case.reopened"])
    case = RecoveryCaseFactory(stage=Stage.NEW)

    workflow.acknowledge(case_id=case.pk, actor=manager)

    (row,) = WebhookDelivery.objects.filter(subscription=hook)
    assert row.event_type == "case.stage_changed"
    assert (row.payload["data"]["from_stage"], row.payload["data"]["to_stage"]) == ("new", "acknowledged")
    assert row.payload["data"]["actor"] == manager.pk


def test_an_inbound_message_is_a_message_received_delivery(manager, private_allowed):
    hook = subscribe(manager, "http://127.0.0.1:19051/a", ["message.received"])
    case = RecoveryCaseFactory()

    outbox.on_message_received(case_id=case.pk, message_id=42)

    (row,) = WebhookDelivery.objects.all()
    assert (row.subscription_id, row.event_type) == (hook.pk, "message.received")
    assert row.payload["data"]["details"] == {"message": 42}
    assert row.payload["data"]["case"]["reference"] == case.reference


def test_deliveries_roll_back_with_their_event(manager, private_allowed):
    subscribe(manager, "http://127.0.0.1:19051/a")
    case = RecoveryCaseFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        events.record(case, CaseEvent.Kind.CREATED)
        raise RuntimeError("the event's transaction fails")
    assert not WebhookDelivery.objects.exists()


# Delivery -----------------------------------------------------------------------------------------


def test_a_receiver_that_fails_three_times_gets_the_event_once_it_recovers(manager, private_allowed):
    with (
        Receiver(PORT, fail_first=3) as receiver,
        time_machine.travel("2026-12-01T09:00:00Z", tick=False) as clock,
    ):
        hook = subscribe(manager, receiver.url)
        case = RecoveryCaseFactory()
        events.record(case, CaseEvent.Kind.CREATED)
        webhook_id = WebhookDelivery.objects.get().webhook_id
        started = timezone.now()

        outcomes = [delivery.deliver(webhook_id)]
        assert outcomes[0].retry_at - started <= timedelta(minutes=1)  # the first retry within a minute
        assert delivery.deliver(webhook_id) is None  # not before its moment: the row waits for its retry
        while not outcomes[-1].delivered:
            clock.move_to(outcomes[-1].retry_at)
            outcomes.append(delivery.deliver(webhook_id))

        assert receiver.answers == [503, 503, 503, 200]
        assert receiver.webhook_ids() == [webhook_id] * 4
        gaps = [b.retry_at - a.retry_at for a, b in itertools.pairwise(outcomes[:-1])]
        assert gaps == [timedelta(minutes=1), timedelta(minutes=2)]  # backing off: each wait doubles
        headers, body = receiver.requests[-1]
        verified = standardwebhooks.Webhook(hook.secret).verify(body.decode(), headers)
        assert verified["type"] == "case.opened"
        assert verified["data"]["case"]["reference"] == case.reference
        assert json.loads(body) == WebhookDelivery.objects.get().payload

    log = list(WebhookAttempt.objects.order_by("started_at"))
    assert [a.status_code for a in log] == [503, 503, 503, 200]
    assert all(a.latency_ms is not None and a.finished_at for a in log)
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.DELIVERED


def test_a_signature_made_with_another_secret_does_not_verify(manager, private_allowed):
    with Receiver(PORT) as receiver:
        subscribe(manager, receiver.url)
        events.record(RecoveryCaseFactory(), CaseEvent.Kind.CREATED)
        delivery.deliver(WebhookDelivery.objects.get().webhook_id)
        headers, body = receiver.requests[0]
    other = services.create(actor=manager, values={"url": receiver.url, "events": ["case.opened"]})
    with pytest.raises(standardwebhooks.WebhookVerificationError):
        standardwebhooks.Webhook(other.secret).verify(body.decode(), headers)


def test_retries_stop_after_24_hours(manager, private_allowed):
    with (
        Receiver(PORT, fail_first=10_000) as receiver,
        time_machine.travel("2026-12-01T09:00:00Z", tick=False) as clock,
    ):
        subscribe(manager, receiver.url)
        events.record(RecoveryCaseFactory(), CaseEvent.Kind.CREATED)
        webhook_id = WebhookDelivery.objects.get().webhook_id
        outcome = delivery.deliver(webhook_id)
        while outcome.retry_at is not None:
            clock.move_to(outcome.retry_at)
            outcome = delivery.deliver(webhook_id)
        assert timezone.now() - WebhookDelivery.objects.get().created_at <= timedelta(hours=24)
        assert timezone.now() - WebhookDelivery.objects.get().created_at > timedelta(hours=16)
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.FAILED
    assert len(receiver.requests) == WebhookAttempt.objects.count() >= 10


def test_a_slow_receiver_is_cut_off_at_the_timeout(manager, private_allowed, settings):
    settings.MEND_WEBHOOKS_TIMEOUT_SECONDS = 0.5
    with Receiver(PORT, hold_first=True) as receiver:
        subscribe(manager, receiver.url)
        events.record(RecoveryCaseFactory(), CaseEvent.Kind.CREATED)
        outcome = delivery.deliver(WebhookDelivery.objects.get().webhook_id)
        receiver.release.set()
    (attempt,) = WebhookAttempt.objects.all()
    assert not outcome.delivered and attempt.status_code is None
    assert "Timeout" in attempt.error and attempt.latency_ms < 2000


def test_a_delivery_is_resent_from_the_log_with_the_same_webhook_id(
    api_client, manager, private_allowed, django_capture_on_commit_callbacks
):
    with Receiver(PORT) as receiver:
        hook = subscribe(manager, receiver.url)
        events.record(RecoveryCaseFactory(), CaseEvent.Kind.CREATED)
        sent = WebhookDelivery.objects.get()
        delivery.deliver(sent.webhook_id)
        client = api_client(manager)

        log = client.get(f"{URL}{hook.pk}/deliveries/").json()
        assert [(d["webhook_id"], d["status"], [a["status_code"] for a in d["attempts"]]) for d in log] == [
            (sent.webhook_id, "delivered", [200])
        ]
        with django_capture_on_commit_callbacks(execute=False) as queued:
            response = client.post(f"{URL}{hook.pk}/deliveries/{sent.pk}/resend/")
        assert response.status_code == 202 and len(queued) == 1
        delivery.deliver(sent.webhook_id)  # what the queued task does

        assert receiver.webhook_ids() == [sent.webhook_id] * 2
    assert WebhookAttempt.objects.filter(delivery=sent).count() == 2


def test_three_days_of_failure_turn_the_webhook_off_and_tell_its_creator(manager, private_allowed):
    manager.email = "manager@example.com"
    manager.save()
    with (
        Receiver(PORT, fail_first=10_000) as receiver,
        time_machine.travel("2026-12-01T09:00:00Z", tick=False) as clock,
    ):
        hook = subscribe(manager, receiver.url)
        case = RecoveryCaseFactory()
        for day in range(4):  # a new event each day, failing each time
            events.record(case, CaseEvent.Kind.CREATED)
            delivery.deliver(WebhookDelivery.objects.latest("id").webhook_id)
            hook.refresh_from_db()
            assert hook.active is (day < 3), day  # the fourth failure is three days after the first
            clock.move_to(timezone.now() + timedelta(days=1, minutes=1))
        # A delivery written before it was turned off is dropped, not POSTed.
        left = WebhookDelivery.objects.create(
            subscription=hook, webhook_id="msg_left", event_type="case.opened", payload={}
        )
        posts = len(receiver.requests)
        assert delivery.deliver(left.webhook_id) == delivery.Outcome(delivered=False, retry_at=None)
        assert len(receiver.requests) == posts

    assert hook.disabled_at is not None
    (notice,) = Notice.objects.filter(user=manager, kind=Notice.Kind.WEBHOOK_DISABLED)
    assert "turned off" in notice.text and hook.url in notice.text
    (email,) = Notification.objects.filter(template="webhook_disabled")
    assert email.recipient == manager.email and hook.url in email.subject
    outbox.forget_subscriptions()
    written = WebhookDelivery.objects.count()
    events.record(case, CaseEvent.Kind.CREATED)
    assert WebhookDelivery.objects.count() == written  # no new rows for a hook turned off


def test_turning_a_webhook_back_on_forgets_its_failures(api_client, manager, private_allowed):
    hook = subscribe(manager, "http://127.0.0.1:19051/")
    WebhookSubscription.objects.filter(pk=hook.pk).update(
        active=False, failing_since=timezone.now(), disabled_at=timezone.now()
    )

    assert api_client(manager).patch(f"{URL}{hook.pk}/", {"active": True}, format="json").status_code == 200

    hook.refresh_from_db()
    assert (hook.active, hook.failing_since, hook.disabled_at) == (True, None, None)
