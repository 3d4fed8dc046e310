"""An agent who reads German works a case for a customer who reads Spanish, in Chromium on the live
server: the queue and the case in German, the apology from the template's variant in the customer's
language, the email out in Spanish, and the customer's survey page in Spanish."""

import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from cases import response_templates
from cases.follow_ups import survey
from cases.models import FollowUp, Message, ResponseTemplate
from cases.tests.factories import RecoveryCaseFactory
from conftest import screenshot, serious_accessibility_violations, wait_until
from feedback.tests.factories import CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_in_german_apologizes_to_a_customer_in_spanish(page, sign_in, agent, manager):
    agent.first_name, agent.last_name = "Jonas", "Weber"
    agent.save()
    response_templates.create(
        actor=manager,
        kind=ResponseTemplate.Kind.APOLOGY,
        name="Paket beschädigt",
        body="Dear {customer_name}, we are sorry your parcel arrived damaged. {agent_name}",
        variants={
            "de": "Guten Tag {customer_name}, es tut uns leid, dass Ihr Paket beschädigt ankam. {agent_name}",
            "es": "Estimada {customer_name}: sentimos que su paquete llegara dañado. {agent_name}",
        },
    )
    lucia = CustomerFactory(name="Lucía Pérez", email="lucia@example.com", language="es")
    case = RecoveryCaseFactory(customer=lucia, owner=agent, acknowledged=True, title="Paquete aplastado")
    base = sign_in(page, agent)
    page.set_extra_http_headers({"Accept-Language": "en"})

    # The agent chooses Deutsch under their name; the workspace answers in German from then on.
    page.goto(f"{base}/")
    expect(page.get_by_role("heading", name="My queue")).to_be_visible()
    page.get_by_text("Jonas Weber").click()
    page.get_by_role("button", name="Deutsch").click()
    expect(page.get_by_role("heading", name="Meine Warteschlange")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "languages-queue-de")

    page.get_by_role("link", name=case.reference).click()
    expect(page.get_by_text("Korrespondenzsprache")).to_be_visible()
    page.get_by_role("button", name="Entschuldigen").click()
    form = page.locator("#action-form")
    expect(form.get_by_text("Geht an lucia@example.com, auf")).to_be_visible()
    expect(form.locator(".sends-in")).to_have_text("español")
    form.get_by_role("button", name="Paket beschädigt").click()
    expect(form.get_by_label("Entschuldigung")).to_have_value(
        "Estimada Lucía Pérez: sentimos que su paquete llegara dañado. Jonas Weber"
    )
    assert serious_accessibility_violations(page) == []
    screenshot(page, "languages-apology-de-to-es")
    form.get_by_role("button", name="Bestätigen", exact=True).click()
    expect(page.locator(".case-done")).to_contain_text("Entschuldigung erfasst.")

    message = Message.objects.get(case=case)
    wait_until(lambda: len(mail.outbox) == 1, timeout=10, what="the apology email")
    sent = mail.outbox[0]
    assert sent.to == ["lucia@example.com"]
    assert "Estimada Lucía Pérez: sentimos que su paquete llegara dañado." in sent.body
    assert "Responda a este correo para contestar" in sent.body  # Mend's own words, in Spanish
    assert 'lang="es"' in message.notification.body_html

    # The customer's survey page is in Spanish, whatever their browser asks for.
    follow_up = FollowUp.objects.create(case=case, due_at=timezone.now())
    page.context.clear_cookies()
    page.set_extra_http_headers({"Accept-Language": "de"})
    page.goto(f"{base}/r/{survey.token_for(follow_up.pk)}/")
    expect(page.get_by_role("heading", name="¿Qué tal lo hicimos al solucionarlo?")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("button", name="Enviar mi respuesta")).to_be_visible()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "languages-survey-es")
    page.get_by_text("5", exact=True).click()
    page.get_by_role("button", name="Enviar mi respuesta").click()
    expect(page.get_by_role("heading", name="Gracias")).to_be_visible()
    assert re.search(r"Hemos recibido su respuesta", page.content())
