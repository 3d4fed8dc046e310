"""Colleagues who see each other (issue 27), with two agents signed in in two browser contexts: presence
on the case screen appears, says who is writing, and clears; an @mention reaches the colleague's bell.

The presence expiry and poll are made short here (settings), so "clears" is quick without any sleep."""

import pytest
from playwright.sync_api import expect

from cases.models import Notice
from cases.tests.factories import RecoveryCaseFactory
from conftest import screenshot, serious_accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def quick_presence(settings):
    settings.MEND_PRESENCE_POLL_SECONDS = 1
    settings.MEND_PRESENCE_SECONDS = 3


@pytest.fixture
def bob_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_presence_appears_says_who_writes_and_clears_when_the_colleague_leaves(
    page, bob_page, sign_in, agent, other_agent, quick_presence
):
    case = RecoveryCaseFactory(acknowledged=True)  # nobody's yet: either may write on it
    base = sign_in(page, agent)
    sign_in(bob_page, other_agent)
    page.goto(f"{base}/cases/{case.reference}/")
    presence = page.locator("#presence")
    expect(presence).not_to_contain_text("Bob")

    bob_page.goto(f"{base}/cases/{case.reference}/")
    expect(presence).to_contain_text("Bob is viewing", timeout=5_000)
    expect(bob_page.locator("#presence")).to_contain_text("Alice is viewing", timeout=5_000)

    bob_page.get_by_role("button", name="Add note").click()
    bob_page.get_by_label("Note").press_sequentially("Checking with the courier", delay=5)
    expect(presence).to_contain_text("Bob is writing a reply", timeout=5_000)
    screenshot(page, "case-presence-writing")
    assert serious_accessibility_violations(page) == []

    bob_page.get_by_label("Note").fill("")  # the form no longer holds text: just viewing again
    expect(presence).to_contain_text("Bob is viewing", timeout=5_000)

    bob_page.context.close()  # Bob goes away (his page may or may not say goodbye): he drops off
    expect(presence).not_to_contain_text("Bob", timeout=10_000)


def test_a_mention_picked_from_the_at_list_notifies_the_colleague(
    page, bob_page, sign_in, agent, other_agent
):
    case = RecoveryCaseFactory(owner=agent, acknowledged=True)
    base = sign_in(page, agent)
    sign_in(bob_page, other_agent)
    bob_page.clock.install()  # Bob's queue stays open: his bell's minute passes at our word
    bob_page.goto(f"{base}/")
    expect(bob_page.locator("#nav-bell .count")).to_have_count(0)
    page.goto(f"{base}/cases/{case.reference}/")
    page.get_by_role("button", name="Add note").click()
    note = page.get_by_label("Note")

    note.press_sequentially("Please call the courier @b", delay=5)
    options = page.get_by_role("listbox", name="Colleagues to mention").get_by_role("option")
    expect(options).to_have_text(["Bob (@bob)"])
    expect(note).to_have_attribute("aria-activedescendant", "mention-list-0")
    screenshot(page, "case-mention-list")
    assert serious_accessibility_violations(page) == []
    note.press("Enter")
    expect(note).to_have_value("Please call the courier @bob ")
    expect(page.get_by_role("listbox", name="Colleagues to mention")).to_be_hidden()
    note.press_sequentially("today", delay=5)
    page.get_by_role("button", name="Confirm", exact=True).click()
    expect(page.locator(".case-done")).to_have_text("Note added.")

    bob_page.clock.run_for("01:01")  # the bell asks for itself every minute; no reload
    expect(bob_page.locator("#nav-bell .count")).to_contain_text("1")
    bob_page.locator("#nav-bell").click()
    notice = bob_page.locator(".notice").first
    expect(notice).to_contain_text("Mentioned in a note")
    expect(notice).to_contain_text(
        f"Alice mentioned you on {case.reference}: Please call the courier @bob today"
    )
    notice.get_by_role("link", name=case.reference).click()
    expect(bob_page).to_have_url(f"{base}/cases/{case.reference}/")
    assert Notice.objects.get().user == other_agent


def test_mentioning_someone_who_may_not_see_the_case_is_refused_next_to_the_note(
    page, sign_in, agent, django_user_model
):
    from cases.models import Team
    from conftest import make_user
    from recovery.roles import Role

    carol = make_user(django_user_model, "carol", Role.AGENT, first_name="Carol")
    parcels = Team.objects.create(name="Parcels", slug="parcels")
    parcels.members.add(agent)
    Team.objects.create(name="Billing", slug="billing").members.add(carol)
    case = RecoveryCaseFactory(owner=agent, acknowledged=True, team=parcels)
    base = sign_in(page, agent)
    page.goto(f"{base}/cases/{case.reference}/")
    page.get_by_role("button", name="Add note").click()
    note = page.get_by_label("Note")

    note.press_sequentially("@c", delay=5)
    expect(page.get_by_role("listbox", name="Colleagues to mention")).to_be_hidden()  # Carol is not offered
    note.press_sequentially("arol can you refund?", delay=5)
    page.get_by_role("button", name="Confirm", exact=True).click()

    expect(page.locator("#id_note_error")).to_contain_text(
        f"@carol may not see {case.reference} (it is not one of their teams' cases), so cannot be mentioned."
    )
    expect(page.get_by_label("Note")).to_have_value("@carol can you refund?")
    assert not Notice.objects.exists()


def test_cases_that_arrived_since_the_last_look_are_marked_and_counted_in_the_tab_title(page, sign_in, agent):
    RecoveryCaseFactory(title="Seen at the first look")
    base = sign_in(page, agent)
    page.goto(f"{base}/")
    expect(page).to_have_title("My queue · Mend")

    RecoveryCaseFactory(title="Arrived while away")
    page.reload()

    expect(page).to_have_title("(1 new) My queue · Mend")
    new = page.locator("tr.is-new")
    expect(new).to_have_count(1)
    expect(new).to_contain_text("New since you last looked")
    expect(new).to_contain_text("Arrived while away")
    screenshot(page, "queue-new-marks")
    assert serious_accessibility_violations(page) == []


def test_a_reassignment_tells_the_new_owner_and_the_previous_one(
    page, bob_page, browser, sign_in, agent, other_agent, manager
):
    case = RecoveryCaseFactory(owner=agent, acknowledged=True)
    base = sign_in(page, agent)
    sign_in(bob_page, other_agent)
    manager_context = browser.new_context(viewport={"width": 1280, "height": 800})
    manager_page = manager_context.new_page()
    sign_in(manager_page, manager)
    manager_page.goto(f"{base}/cases/{case.reference}/")
    manager_page.get_by_role("button", name="Reassign").click()
    manager_page.get_by_label("Owner").select_option(label="Bob")
    manager_page.get_by_role("button", name="Confirm", exact=True).click()
    expect(manager_page.locator(".case-done")).to_have_text("Owner changed.")
    manager_context.close()

    bob_page.goto(f"{base}/")
    expect(bob_page.locator("#nav-bell .count")).to_contain_text("1")
    bob_page.locator("#nav-bell").click()
    expect(bob_page.locator(".notice").first).to_contain_text(f"Maria assigned {case.reference} to you")
    page.goto(f"{base}/")
    expect(page.locator("#nav-bell .count")).to_contain_text("1")
    page.locator("#nav-bell").click()
    notice = page.locator(".notice").first
    expect(notice).to_contain_text(f"Maria reassigned your case {case.reference} to Bob")
    screenshot(page, "notice-reassigned")
    notice.get_by_role("link", name=case.reference).click()
    expect(page).to_have_url(f"{base}/cases/{case.reference}/")
    assert sorted(Notice.objects.values_list("user__username", "kind")) == [
        ("agent", "reassigned"),
        ("bob", "assigned"),
    ]
