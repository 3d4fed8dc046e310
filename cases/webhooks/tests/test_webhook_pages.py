"""The /webhooks/ pages: managers list, create (secret shown once), edit, delete, read the delivery log and
resend; a refused URL is explained next to its field with the typed text kept; agents are kept out."""

import pytest

from cases import events
from cases.models import CaseEvent
from cases.tests.factories import RecoveryCaseFactory
from cases.webhooks import delivery, outbox, services
from cases.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from cases.webhooks.tests.receiver import Receiver
from conftest import screenshot, serious_accessibility_violations

PORT = 19053


@pytest.fixture(autouse=True)
def _fresh_subscription_cache():
    outbox.forget_subscriptions()
    yield
    outbox.forget_subscriptions()


@pytest.mark.django_db
def test_agents_may_not_open_the_webhook_pages(client, agent):
    client.force_login(agent)
    assert client.get("/webhooks/").status_code == 403
    assert (
        client.post("/webhooks/new/", {"url": "https://example.com/", "events": ["case.opened"]}).status_code
        == 403
    )
    assert not WebhookSubscription.objects.exists()


@pytest.mark.django_db
def test_a_refused_url_is_explained_next_to_the_field_and_nothing_is_stored(client, manager):
    client.force_login(manager)
    response = client.post(
        "/webhooks/new/", {"url": "http://127.0.0.1/in", "events": ["case.opened"], "active": "on"}
    )

    assert response.status_code == 422
    assert "public addresses only" in response.content.decode()
    assert 'value="http://127.0.0.1/in"' in response.content.decode()
    assert not WebhookSubscription.objects.exists()


@pytest.mark.django_db
def test_no_event_ticked_is_explained_next_to_the_events(client, manager, settings):
    settings.MEND_WEBHOOKS_ALLOW_PRIVATE = True
    client.force_login(manager)
    response = client.post("/webhooks/new/", {"url": "http://127.0.0.1/in"})

    assert response.status_code == 422
    assert 'id="id_events_error"' in response.content.decode()
    assert not WebhookSubscription.objects.exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_manager_creates_a_webhook_reads_its_log_resends_and_deletes_it(
    browser, page, sign_in, manager, settings
):
    settings.MEND_WEBHOOKS_ALLOW_PRIVATE = True
    base = sign_in(page, manager)
    with Receiver(PORT) as receiver:
        page.goto(base + "/webhooks/")
        page.get_by_role("link", name="New webhook").click()
        page.get_by_label("URL").fill(receiver.url)
        page.get_by_label("case.opened").check()
        page.get_by_label("sla.breached").check()
        page.get_by_label("Description").fill("CRM sync")
        assert serious_accessibility_violations(page) == []
        screenshot(page, "webhook-new")
        page.get_by_role("button", name="Save").click()

        secret = page.get_by_label("Signing secret").input_value()
        hook = WebhookSubscription.objects.get()
        assert secret == hook.secret and secret.startswith("whsec_")
        assert hook.events == ["case.opened", "sla.breached"] and hook.description == "CRM sync"
        assert serious_accessibility_violations(page) == []
        screenshot(page, "webhook-created")

        outbox.forget_subscriptions()
        events.record(RecoveryCaseFactory(), CaseEvent.Kind.CREATED)
        sent = WebhookDelivery.objects.get()
        delivery.deliver(sent.webhook_id)
        page.get_by_role("link", name="Go to the webhook").click()
        page.get_by_text(sent.webhook_id).wait_for()
        assert "200 in" in page.locator("ol.attempts").inner_text()
        assert secret not in page.content()  # shown once only
        assert serious_accessibility_violations(page) == []
        screenshot(page, "webhook-delivery-log")

        page.get_by_role("button", name=f"Resend case.opened {sent.webhook_id}").click()
        page.get_by_text("The delivery is queued to be sent again.").wait_for()
        # The test settings run tasks eagerly: the resend has been POSTed with the same webhook-id.
        assert receiver.webhook_ids() == [sent.webhook_id] * 2
        assert WebhookAttempt.objects.filter(delivery=sent).count() == 2

        page.get_by_label("case.opened", exact=True).uncheck()
        page.get_by_label("sla.breached", exact=True).uncheck()
        page.get_by_role("button", name="Save").click()
        page.locator("#id_events_error").wait_for()
        assert page.get_by_label("URL").input_value() == receiver.url
        hook.refresh_from_db()
        assert hook.events == ["case.opened", "sla.breached"]

        page.get_by_role("button", name="Delete webhook").click()
        page.get_by_text("Webhook deleted.").wait_for()
    assert not WebhookSubscription.objects.exists()
    assert services.FIELDS == ("url", "events", "active", "description")
