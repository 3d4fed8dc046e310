"""Drafts on the case screen (issue 23, D11): Esc or Cancel never throws typed text away without asking;
a kept draft comes back when its form is reopened (per case and action, for the browser tab's life) and
is forgotten once sent or discarded."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from cases.models import RecoveryCase, Stage
from cases.tests.factories import RecoveryCaseFactory
from conftest import screenshot, serious_accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DRAFT = "Refunded the second charge; it shows in two days."


def stored_drafts(page) -> dict:
    return page.evaluate(
        """() => Object.fromEntries(Object.keys(sessionStorage)
             .filter(key => key.startsWith("mend:draft:")).map(key => [key, sessionStorage[key]]))"""
    )


def test_esc_asks_before_closing_a_draft_which_comes_back_until_it_is_sent(page, sign_in, agent):
    case = RecoveryCaseFactory(owner=agent, apologized=True)
    base = sign_in(page, agent)
    page.goto(f"{base}/cases/{case.reference}/")
    page.get_by_role("button", name="Resolve").click()
    field = page.get_by_label("Resolution")
    field.press_sequentially(DRAFT, delay=5)

    field.press("Escape")
    ask = page.get_by_role("dialog", name="Close this form?")
    expect(ask).to_be_visible()
    expect(ask.get_by_role("button", name="Keep editing")).to_be_focused()
    page.keyboard.press("Escape")  # Esc again answers "keep editing": back in the field, text intact
    expect(ask).to_be_hidden()
    expect(field).to_be_focused()
    expect(field).to_have_value(DRAFT)

    field.press("Escape")
    ask.get_by_role("button", name="Close, keep the draft").click()
    expect(page.locator("#action-slot")).to_be_empty()
    assert stored_drafts(page) == {f"mend:draft:{case.reference}:resolve": f'{{"resolution":"{DRAFT}"}}'}

    page.reload()  # the tab's session keeps it across a reload
    page.get_by_role("button", name="Resolve").click()
    expect(page.get_by_label("Resolution")).to_have_value(DRAFT)
    expect(page.get_by_role("status").filter(has_text="Your unsent draft is back.")).to_be_visible()
    screenshot(page, "case-draft-restored")
    assert serious_accessibility_violations(page) == []

    page.get_by_role("button", name="Confirm", exact=True).click()
    expect(page.locator(".case-done")).to_have_text("Resolved.")
    assert stored_drafts(page) == {}
    assert RecoveryCase.objects.get(pk=case.pk).resolution_summary == DRAFT


def test_a_draft_sent_after_the_session_ended_survives_signing_in_again(page, sign_in, agent):
    case = RecoveryCaseFactory(owner=agent, apologized=True)
    base = sign_in(page, agent)
    page.goto(f"{base}/cases/{case.reference}/")
    page.get_by_role("button", name="Resolve").click()
    page.get_by_label("Resolution").press_sequentially(DRAFT, delay=5)
    page.context.clear_cookies(name=settings.SESSION_COOKIE_NAME)  # it ended while the agent typed

    page.get_by_role("button", name="Confirm", exact=True).click()
    page.wait_for_url(f"{base}/login/?next=/cases/{case.reference}/")
    page.get_by_label("Username").fill(agent.username)
    page.get_by_label("Password").fill(f"pw-{agent.username}")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/cases/{case.reference}/")

    page.get_by_role("button", name="Resolve").click()
    expect(page.get_by_label("Resolution")).to_have_value(DRAFT)
    assert RecoveryCase.objects.get(pk=case.pk).stage == Stage.APOLOGIZED  # nothing was sent


def test_a_refused_submit_keeps_the_draft_and_discard_forgets_it(page, sign_in, agent):
    case = RecoveryCaseFactory(owner=agent, acknowledged=True)
    base = sign_in(page, agent)
    page.goto(f"{base}/cases/{case.reference}/")

    page.get_by_role("button", name="Grant gesture").click()
    page.get_by_label("Amount").fill("abc")
    page.get_by_role("button", name="Confirm", exact=True).click()  # refused (422): the text comes back
    expect(page.locator(".field.has-error")).to_be_visible()
    expect(page.get_by_label("Amount")).to_have_value("abc")
    assert list(stored_drafts(page)) == [f"mend:draft:{case.reference}:gesture"]

    page.get_by_role("button", name="Cancel").click()
    ask = page.get_by_role("dialog", name="Close this form?")
    ask.get_by_role("button", name="Discard the draft").click()
    expect(page.locator("#action-slot")).to_be_empty()
    assert stored_drafts(page) == {}
    page.get_by_role("button", name="Grant gesture").click()
    expect(page.get_by_label("Amount")).to_have_value("")
    expect(page.locator("[data-draft-note]")).to_be_hidden()


def test_drafts_are_kept_per_case_and_action_and_cancel_without_typing_closes_at_once(page, sign_in, agent):
    first = RecoveryCaseFactory(owner=agent, acknowledged=True)
    second = RecoveryCaseFactory(owner=agent, acknowledged=True)
    base = sign_in(page, agent)
    page.goto(f"{base}/cases/{first.reference}/")
    page.get_by_role("button", name="Add note").click()
    page.get_by_label("Note").fill("A note for the first case.")
    page.get_by_label("Note").press("Escape")
    page.get_by_role("button", name="Close, keep the draft").click()

    page.get_by_role("button", name="Apologize").click()  # another action: its own, empty draft
    expect(page.get_by_label("Apology")).to_have_value("")
    page.get_by_role("button", name="Cancel").click()  # nothing typed: no question
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(page.locator("#action-slot")).to_be_empty()

    page.goto(f"{base}/cases/{second.reference}/")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_label("Note")).to_have_value("")

    page.goto(f"{base}/cases/{first.reference}/")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_label("Note")).to_have_value("A note for the first case.")
    page.get_by_role("button", name="Discard draft").click()
    expect(page.get_by_label("Note")).to_have_value("")
    assert stored_drafts(page) == {}
    assert RecoveryCase.objects.get(pk=first.pk).stage == Stage.ACKNOWLEDGED
