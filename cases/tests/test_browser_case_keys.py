"""Typing never acts on a case (issue 23, D1): single-key shortcuts stay quiet while focus is in a field,
while an action form is open, or while a dialog is open, and a swap moves focus only inside what it
brought. Each test types as a person does, in bursts with pauses, and then reads the case from the
database: its stage, owner, version and timeline must be exactly as before."""

import pytest
from playwright.sync_api import expect

from cases.models import CaseEvent, RecoveryCase, Stage
from cases.tests.factories import RecoveryCaseFactory, RootCauseFactory
from conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every letter, and the keys that open things: whatever shortcut a later change adds, this types it.
PANGRAM = ("The quick brown fox ", "jumps over the lazy dog? a/b")


def untouched(case) -> tuple:
    """What typing must never change: the case's stage, owner, version and timeline."""
    case = RecoveryCase.objects.get(pk=case.pk)
    events = list(CaseEvent.objects.filter(case=case).order_by("id").values_list("id", flat=True))
    return (case.stage, case.owner_id, case.version, case.on_hold_since, events)


def type_with_pauses(field, parts=PANGRAM):
    """Key by key, in two bursts: a pause between them is when a stray swap used to move the focus."""
    for part in parts:
        field.press_sequentially(part, delay=25)
        expect(field).to_be_focused()


def stays_quiet(page):
    """With the form open but focus off its fields, letters and `?` still do nothing."""
    page.locator("#action-slot").get_by_role("button", name="Cancel").focus()
    for key in ("a", "?", "r", "c", "h", "j"):
        page.keyboard.press(key)
    expect(page.locator("#shortcuts")).not_to_have_attribute("open", "")


# (case in this stage, owned by the agent?, button, [(field label, text or option to choose)])
AGENT_FORMS = [
    ({}, False, "Add note", [("Note", None)]),
    ({}, False, "Put on hold", [("Reason", None)]),
    ({}, False, "Grant gesture", [("Kind", "refund"), ("Amount", ("1", "5")), ("Currency", ("E", "UR"))]),
    ({}, False, "Link root cause", [("Search", ("pay", "ment app")), ("Name", None), ("Category", "people")]),
    ({"acknowledged": True}, True, "Apologize", [("Apology", None)]),
    ({"apologized": True}, True, "Resolve", [("Resolution", None)]),
    ({"resolved": True}, True, "Record follow-up", [("Outcome", None), ("Satisfaction", "2")]),
    ({"resolved": True}, True, "Reopen", [("Reason", None)]),
    ({"followed_up": True}, True, "Close", [("Reason", None)]),
]


@pytest.mark.parametrize(("stage", "owned", "button", "fields"), AGENT_FORMS, ids=[f[2] for f in AGENT_FORMS])
def test_typing_into_an_action_form_never_changes_the_case(
    page, sign_in, agent, stage, owned, button, fields
):
    case = RecoveryCaseFactory(owner=agent if owned else None, title="Charged twice", **stage)
    RootCauseFactory(title="Payment app times out")
    RootCauseFactory(title="Courier drops parcels", description="Left at the wrong door.")
    before = untouched(case)
    base = sign_in(page, agent)
    page.goto(f"{base}/cases/{case.reference}/")

    page.get_by_role("button", name=button, exact=True).click()
    form = page.locator("#action-slot form[data-form-open]")
    for label, typed in fields:
        field = form.get_by_label(label, exact=True)
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(typed)
            field.focus()
            page.keyboard.type("an", delay=25)  # a select's type-ahead, not a shortcut
            expect(field).to_be_focused()
            continue
        field.fill("")
        field.click()
        parts = typed or PANGRAM
        type_with_pauses(field, parts)
        if label == "Search":  # the pause that broke it: the search's answer swaps the list in
            expect(form.get_by_label("Root cause", exact=True).locator("option")).to_have_count(2)
            expect(field).to_be_focused()
        expect(field).to_have_value("".join(parts))
    stays_quiet(page)

    expect(page.locator("#action-slot form[data-form-open]")).to_be_visible()
    assert untouched(case) == before


def test_a_manager_typing_into_reassign_and_severity_changes_nothing(page, sign_in, manager, agent):
    case = RecoveryCaseFactory(owner=agent, acknowledged=True, severity="low")
    before = untouched(case)
    base = sign_in(page, manager)
    page.goto(f"{base}/cases/{case.reference}/")
    for button, label in (("Reassign", "Owner"), ("Change severity", "Severity")):
        page.get_by_role("button", name=button).click()
        field = page.get_by_label(label, exact=True)
        field.focus()
        page.keyboard.type("acn", delay=25)
        expect(field).to_be_focused()
        stays_quiet(page)
    assert untouched(case) == before


def test_a_search_after_a_note_keeps_focus_and_text_and_leaves_the_case_new(page, sign_in, agent):
    """Issue 23's reproduction, step by step: a note confirmed, then `pay`, a pause, `ment app`."""
    case = RecoveryCaseFactory(owner=None, title="Charged twice")
    RootCauseFactory(title="Payment app times out")
    RootCauseFactory(title="Courier drops parcels", description="Left at the wrong door.")
    base = sign_in(page, agent)
    page.goto(f"{base}/cases/{case.reference}/")

    page.get_by_role("button", name="Add note").click()
    type_with_pauses(page.get_by_label("Note"), ("Called the customer; ", "no answer."))
    page.get_by_role("button", name="Confirm", exact=True).click()
    expect(page.locator(".case-done")).to_have_text("Note added.")
    after_note = untouched(case)

    page.get_by_role("button", name="Link root cause").click()
    search = page.get_by_label("Search", exact=True)
    options = page.get_by_label("Root cause", exact=True).locator("option")
    expect(options).to_have_count(3)  # "Choose one…" and both root causes
    search.press_sequentially("pay", delay=25)
    expect(options).to_have_count(2)  # the search answered and swapped its list in
    expect(search).to_be_focused()
    search.press_sequentially("ment app", delay=25)
    expect(options).to_have_count(2)
    expect(search).to_have_value("payment app")
    expect(search).to_be_focused()
    screenshot(page, "case-keys-search-after-note")

    assert untouched(case) == after_note
    assert after_note[:2] == (Stage.NEW, None)


def test_shortcuts_wait_for_the_help_dialog_and_work_once_it_closes(page, sign_in, agent):
    case = RecoveryCaseFactory(owner=None)
    base = sign_in(page, agent)
    page.goto(f"{base}/cases/{case.reference}/")
    before = untouched(case)

    page.keyboard.press("?")
    expect(page.locator("#shortcuts")).to_be_visible()
    page.keyboard.press("a")
    assert untouched(case) == before
    page.keyboard.press("Escape")
    expect(page.locator("#shortcuts")).to_be_hidden()

    page.keyboard.press("a")  # nothing open, focus on the page: the shortcut is meant
    page.get_by_role("button", name="Confirm", exact=True).click()  # the acknowledgement's message
    expect(page.locator(".case-done")).to_have_text("Acknowledged.")
    assert RecoveryCase.objects.get(pk=case.pk).stage == Stage.ACKNOWLEDGED
