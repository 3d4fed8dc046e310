"""The widget on the DEBUG demo page, in Debian's Chromium: a visitor sends a bad rating with the keyboard
and mouse, and an agent finds the case it opened in the queue."""

import re

import pytest
from playwright.sync_api import expect

from cases.models import RecoveryCase
from conftest import screenshot, serious_accessibility_violations
from feedback.models import Feedback

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings, live_server):
    settings.DEBUG = True  # the demo page exists only in DEBUG
    return f"{live_server.url}/widget/demo/"


def test_a_visitor_sends_a_bad_rating_and_an_agent_finds_the_case_in_the_queue(page, demo, sign_in, agent):
    page.goto(demo)
    opener = page.get_by_role("button", name="Feedback")
    opener.click()
    dialog = page.get_by_role("dialog", name="How was this page?")
    expect(dialog).to_be_visible()
    expect(page.get_by_label("1 of 5, very poor")).to_be_focused()  # focus moved into the form
    assert serious_accessibility_violations(page) == []
    screenshot(page, "widget-demo-open")

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()  # and came back to the button

    opener.press("Enter")
    page.get_by_label("1 of 5, very poor").check()
    page.get_by_label("Comment").fill("The checkout page lost my basket twice")
    page.get_by_label("Email (optional)").fill("visitor@example.com")
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_role("status")).to_have_text("Thank you: your feedback was sent.")
    screenshot(page, "widget-demo-sent")
    assert not page.context.cookies()  # the widget set none, and the demo page none either

    feedback = Feedback.objects.select_related("customer").get()
    assert (feedback.channel, feedback.rating, feedback.touchpoint) == ("web", 1, "demo/widget/demo/")
    assert feedback.customer.email == "visitor@example.com"
    case = RecoveryCase.objects.get()

    sign_in(page, agent)
    page.goto(f"{demo.removesuffix('/widget/demo/')}/?view=unassigned")
    expect(page.get_by_role("link", name=case.reference)).to_be_visible()
    screenshot(page, "widget-case-in-queue")


def test_a_field_error_shows_by_the_field_and_keeps_the_text(page, demo):
    page.goto(demo)
    page.get_by_role("button", name="Feedback").click()
    page.get_by_label("Comment").fill("Slow page")
    page.get_by_label("Email (optional)").fill("not an email")
    page.get_by_role("button", name="Send feedback").click()

    expect(page.locator(".mend-w-error:visible")).to_have_text(re.compile("valid email", re.I))
    expect(page.get_by_label("Comment")).to_have_value("Slow page")
    expect(page.get_by_label("Email (optional)")).to_have_attribute("aria-invalid", "true")
    assert not Feedback.objects.exists()
    screenshot(page, "widget-demo-error")


def test_the_demo_page_is_not_there_without_debug(client):
    assert client.get("/widget/demo/").status_code == 404
