"""Every action on the case screen has a key, listed under `?` (issue 23), and the actions that end the
agent's part offer "Confirm and next", which opens the next case of their queue."""

import pytest
from playwright.sync_api import expect

from cases.models import RecoveryCase, Stage
from cases.tests.factories import RecoveryCaseFactory
from conftest import screenshot, serious_accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Written out by hand: the help must list these, and each key must open or do its action.
CASE_KEYS = {
    "a": "Acknowledge",
    "m": "Assign to me",
    "p": "Apologize",
    "r": "Resolve",
    "f": "Record follow-up",
    "c": "Close",
    "o": "Reopen",
    "h": "Put on hold",
    "u": "Resume",
    "y": "Reply",
    "n": "Add note",
    "g": "Grant gesture",
    "l": "Link root cause",
    "e": "Edit",
    "w": "Reassign",
    "v": "Change severity",
}


def test_question_mark_lists_every_case_shortcut_and_esc_closes_it(page, sign_in, agent):
    case = RecoveryCaseFactory(owner=agent, acknowledged=True, title="Charged twice at checkout")
    base = sign_in(page, agent)
    page.goto(f"{base}/cases/{case.reference}/")

    page.keyboard.press("?")
    help = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(help).to_be_visible()
    listed = help.locator("dl[aria-labelledby=case-shortcuts-title]")
    keys, labels = listed.locator("dt").all_inner_texts(), listed.locator("dd").all_inner_texts()
    assert dict(zip(keys, labels, strict=True)) == CASE_KEYS
    expect(help.get_by_role("button", name="Close")).to_be_focused()  # keyboard first: focus is inside
    screenshot(page, "case-shortcuts-dialog")
    assert serious_accessibility_violations(page) == []
    page.keyboard.press("Escape")
    expect(help).to_be_hidden()

    page.get_by_role("button", name="?").click()  # the same list from the header, by mouse
    expect(help).to_be_visible()
    help.get_by_role("button", name="Close").press("Enter")
    expect(help).to_be_hidden()


def test_each_offered_action_answers_its_key(page, sign_in, agent):
    case = RecoveryCaseFactory(owner=agent, acknowledged=True)
    base = sign_in(page, agent)
    page.goto(f"{base}/cases/{case.reference}/")
    for key, label in (("p", "Apology"), ("h", "Reason"), ("n", "Note"), ("g", "Kind"), ("l", "Search")):
        page.keyboard.press(key)
        field = page.get_by_label(label, exact=True)
        expect(field).to_be_focused()  # the form opened, its first field ready
        field.press("Escape")  # nothing typed: closes without asking
        expect(page.locator("#action-slot")).to_be_empty()
    page.keyboard.press("a")  # not offered here (already acknowledged): nothing happens
    page.keyboard.press("p")
    page.get_by_label("Apology").fill("We are sorry.")
    page.get_by_role("button", name="Confirm", exact=True).click()
    expect(page.locator(".case-done")).to_have_text("Apology recorded.")
    assert RecoveryCase.objects.get(pk=case.pk).stage == Stage.APOLOGIZED


def test_confirm_and_next_resolves_and_opens_the_top_of_the_queue(page, sign_in, agent):
    case = RecoveryCaseFactory(owner=agent, apologized=True, severity="low")
    waiting = RecoveryCaseFactory(owner=None, severity="critical", title="Food poisoning after dinner")
    base = sign_in(page, agent)
    page.goto(f"{base}/cases/{case.reference}/")

    page.keyboard.press("r")
    page.get_by_label("Resolution").fill("Refunded.")
    page.get_by_role("button", name="Confirm and next").click()

    expect(page).to_have_url(f"{base}/cases/{waiting.reference}/?from=queue")
    expect(page.get_by_role("heading", name="Food poisoning after dinner")).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text(f"{case.reference}: Resolved.")
    assert RecoveryCase.objects.get(pk=case.pk).stage == Stage.RESOLVED


def test_confirm_and_next_with_an_empty_queue_lands_on_the_queue(page, sign_in, agent):
    case = RecoveryCaseFactory(owner=agent, followed_up=True)
    base = sign_in(page, agent)
    page.goto(f"{base}/cases/{case.reference}/")

    page.keyboard.press("c")
    page.get_by_label("Reason").fill("Customer happy.")
    page.get_by_role("button", name="Confirm and next").click()

    expect(page).to_have_url(f"{base}/")
    expect(page.locator(".flashes")).to_contain_text(f"{case.reference}: Closed.")
    expect(page.locator(".flashes")).to_contain_text("Nothing else waits in your queue.")
    assert RecoveryCase.objects.get(pk=case.pk).stage == Stage.CLOSED


def test_an_agent_fixes_the_title_with_e_and_the_timeline_shows_old_and_new(page, sign_in, agent):
    case = RecoveryCaseFactory(owner=agent, acknowledged=True, title="Charged twise at checkout")
    base = sign_in(page, agent)
    page.goto(f"{base}/cases/{case.reference}/")

    page.keyboard.press("e")
    title = page.get_by_label("Title")
    expect(title).to_be_focused()
    expect(title).to_have_value("Charged twise at checkout")
    title.fill("Charged twice at checkout")
    page.get_by_label("Description").fill("The card was charged two times for one order.")
    page.get_by_role("button", name="Confirm", exact=True).click()

    expect(page.locator(".case-done")).to_have_text("Case details saved.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Charged twice at checkout")
    changes = page.locator(".events .changes")
    expect(changes).to_contain_text("Charged twise at checkout")
    expect(changes.locator("ins").first).to_have_text("Charged twice at checkout")
    screenshot(page, "case-edited")
    assert serious_accessibility_violations(page) == []
    assert RecoveryCase.objects.get(pk=case.pk).description == "The card was charged two times for one order."
