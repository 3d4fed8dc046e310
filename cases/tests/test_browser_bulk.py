"""Bulk actions in Chromium: tick cases by mouse or keyboard, act, and read which were refused and why."""

import pytest
from playwright.sync_api import expect

from cases.models import RecoveryCase, Severity, Stage
from cases.tests.factories import RecoveryCaseFactory
from conftest import screenshot, serious_accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_selects_every_case_acknowledges_and_reads_which_was_refused_and_why(
    page, sign_in, agent, other_agent
):
    free = RecoveryCaseFactory(severity=Severity.HIGH, title="Parcel crushed")
    mine = RecoveryCaseFactory(owner=agent, severity=Severity.MEDIUM, title="Charged twice")
    bobs = RecoveryCaseFactory(owner=other_agent, severity=Severity.LOW, title="Waited 50 minutes")
    page.goto(sign_in(page, agent) + "/cases/")
    assert serious_accessibility_violations(page) == []

    # Keyboard only: Tab reaches the head's box, Space ticks every row.
    select_all = page.get_by_label("Select every case in this list")
    select_all.focus()
    page.keyboard.press("Space")
    assert page.locator("[data-bulk-count]").inner_text() == "3 cases selected."
    assert all(box.is_checked() for box in page.locator("[data-pick]").all())
    screenshot(page, "bulk-selected")

    page.get_by_role("button", name="Acknowledge", exact=True).click()
    page.get_by_text("2 acknowledged; 1 refused.").wait_for()

    told = page.locator(".flashes").inner_text()
    assert f"{bobs.reference} belongs to another agent (Bob); only a manager may act on it." in told
    assert [RecoveryCase.objects.get(pk=c.pk).stage for c in (free, mine, bobs)] == [
        Stage.ACKNOWLEDGED,
        Stage.ACKNOWLEDGED,
        Stage.NEW,
    ]
    assert serious_accessibility_violations(page) == []
    screenshot(page, "bulk-result")


def test_in_the_queue_x_ticks_the_focused_case_and_a_hold_without_reason_keeps_the_ticks(
    page, sign_in, agent
):
    first = RecoveryCaseFactory(owner=agent, severity=Severity.CRITICAL, title="Food poisoning")
    second = RecoveryCaseFactory(owner=agent, severity=Severity.LOW, title="Waited 50 minutes")
    page.goto(sign_in(page, agent) + "/")

    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    assert page.locator("[data-bulk-count]").inner_text() == "2 cases selected."

    # What the 30-second poll does: the rows are drawn again (a new case among them), the ticks stay.
    first_newcomer = RecoveryCaseFactory(owner=agent, severity=Severity.LOW, title="Arrived first")
    page.evaluate("htmx.ajax('GET', '/?show=mine', {target: '#queue', swap: 'outerHTML'})")
    page.get_by_text(first_newcomer.reference).wait_for()
    ticked = page.locator("[data-pick]:checked")
    expect(ticked).to_have_count(2)  # put back once htmx has settled the new rows
    assert [ticked.nth(n).get_attribute("value") for n in range(ticked.count())] == [
        first.reference,
        second.reference,
    ]
    assert page.locator("[data-bulk-count]").inner_text() == "2 cases selected."

    page.get_by_role("button", name="Put on hold").click()
    error = page.locator("#bulk-reason_error")
    error.wait_for()
    assert error.inner_text() == "Putting a case on hold needs a reason."
    assert page.locator("[data-pick]:checked").count() == 2
    assert RecoveryCase.objects.filter(on_hold_since__isnull=False).count() == 0
    assert serious_accessibility_violations(page) == []
    screenshot(page, "bulk-hold-needs-reason")

    page.get_by_label("Reason for the hold").fill("Waiting for the courier's report")
    newcomer = RecoveryCaseFactory(owner=agent, severity=Severity.MEDIUM, title="Arrived meanwhile")
    page.evaluate("htmx.ajax('GET', '/?show=mine', {target: '#queue', swap: 'outerHTML'})")
    page.get_by_text(newcomer.reference).wait_for()
    expect(page.get_by_label("Reason for the hold")).to_have_value("Waiting for the courier's report")
    page.get_by_role("button", name="Put on hold").click()
    page.get_by_text("2 put on hold.").wait_for()
    assert set(RecoveryCase.objects.filter(on_hold_since__isnull=False).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }
    screenshot(page, "bulk-held")


def test_a_manager_assigns_the_ticked_cases_to_an_agent(page, sign_in, manager, agent, other_agent):
    cases = [RecoveryCaseFactory(owner=agent), RecoveryCaseFactory()]
    RecoveryCaseFactory(title="Left alone")
    page.goto(sign_in(page, manager) + "/cases/")

    for case in cases:
        page.get_by_label(f"Select {case.reference}").check()
    page.get_by_label("Assignee").select_option(label="Bob")
    page.get_by_role("button", name="Assign to").click()
    page.get_by_text("2 assigned to Bob.").wait_for()

    assert [RecoveryCase.objects.get(pk=c.pk).owner for c in cases] == [other_agent, other_agent]
    screenshot(page, "bulk-assigned")
