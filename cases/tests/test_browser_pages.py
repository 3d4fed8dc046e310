"""The approval inbox, the customer page, the root-cause pages and a phone complaint, in Debian's
Chromium on the live server: whole journeys, axe-core's serious findings, and screenshots to look at."""

import re

import pytest

from cases.gestures import services as gestures
from cases.models import CaseEvent, FollowUp, Gesture, RecoveryCase
from cases.tests.factories import GestureFactory, RecoveryCaseFactory, RootCauseFactory
from conftest import screenshot, serious_accessibility_violations
from feedback.models import Sentiment
from feedback.tests.factories import CustomerFactory, FeedbackFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_approves_a_pending_gesture_from_the_inbox(page, sign_in, agent, manager):
    case = RecoveryCaseFactory(owner=agent, title="Parcel crushed in transit")
    waiting = gestures.request_gesture(
        case_id=case.pk, actor=agent, kind="refund", amount="80.00", currency="EUR",
        description="Second crushed parcel this month; the customer asks for the full price back.",
    )  # fmt: skip
    GestureFactory(
        status=Gesture.Status.PENDING_APPROVAL, requested_by=agent, amount="120.00", kind="upgrade"
    )
    base = sign_in(page, manager)

    page.goto(f"{base}/gestures/pending/")
    row = page.locator(f"#gesture-{waiting.pk}")
    row.get_by_label("Note").fill("Fair: it happened twice.")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "approvals")
    row.get_by_role("button", name="Approve").click()

    page.get_by_role("status").get_by_text(f"{case.reference}: Refund 80.00 EUR approved.").wait_for()
    assert row.count() == 0
    assert page.locator("tbody tr").count() == 1  # the other gesture still waits
    waiting.refresh_from_db()
    assert (waiting.status, waiting.decided_by, waiting.decision_note) == (
        "approved",
        manager,
        "Fair: it happened twice.",
    )
    event = case.events.filter(kind=CaseEvent.Kind.GESTURE).latest("id")
    assert (event.actor, event.data["status"]) == (manager, "approved")


def test_an_agent_opens_a_case_by_phone_for_a_customer_found_by_email(page, sign_in, agent):
    ana = CustomerFactory(name="Ana Lopez", email="ana.lopez@example.com", segment="gold")
    CustomerFactory(name="Ana Lopes", email="someone.else@example.com")
    earlier = RecoveryCaseFactory(customer=ana, closed=True)
    base = sign_in(page, agent)

    page.goto(f"{base}/cases/new/")
    page.get_by_label("Find customer").fill("ana.lopez@example.com")
    page.get_by_label(re.compile("^Ana Lopez")).check()  # appears as the lookup answers
    page.get_by_label("Title").fill("Charged twice at checkout")
    page.get_by_label("Description").fill("Two debits of 34.90 on the 3rd; she called from the bank.")
    page.get_by_label("Severity").select_option("high")
    assert page.get_by_label("Channel").input_value() == "phone"
    assert serious_accessibility_violations(page) == []
    screenshot(page, "new-case")
    with page.expect_response(re.compile(r"/cases/RC-\d+/$")) as landed:
        page.get_by_role("button", name="Open case").click()

    case = RecoveryCase.objects.exclude(pk=earlier.pk).get()
    assert landed.value.url.endswith(f"/cases/{case.reference}/")
    assert (case.customer, case.owner, case.severity, case.channel) == (ana, agent, "high", "phone")
    assert case.is_repeat  # she was failed before


def test_the_customer_page_is_accessible(page, sign_in, agent):
    customer = CustomerFactory(name="Tom Reyes", email="tom@example.com", phone="+1 555 0100", segment="gold")
    for n, stage in enumerate(("closed", "resolved", "acknowledged")):
        case = RecoveryCaseFactory(
            customer=customer, owner=agent, resolution_summary="Refunded the fee.", **{stage: True}
        )
        FeedbackFactory(
            customer=customer, case=case, rating=n + 1, sentiment=Sentiment.NEGATIVE, comment="Late again."
        )
        GestureFactory(case=case, requested_by=agent, amount="15.00")
    FollowUp.objects.create(
        case=case, due_at=case.created_at, done_at=case.created_at, satisfaction=2, outcome="Still cross."
    )
    FeedbackFactory(customer=customer, comment="The new courier was quick.")
    base = sign_in(page, agent)

    page.goto(f"{base}/customers/{customer.pk}/")

    page.get_by_role("heading", name="Tom Reyes").wait_for()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "customer")


def test_the_root_cause_list_and_page_are_accessible(page, sign_in, manager, agent):
    printer = RootCauseFactory(
        title="Label printer jams at the depot", category="technology", status="fixing", owner=agent,
        corrective_action="Replace the rollers weekly; order a second printer.",
    )  # fmt: skip
    printer.cases.add(*[RecoveryCaseFactory() for _ in range(3)])
    RootCauseFactory(title="Courier leaves parcels in the rain", category="partner")
    base = sign_in(page, manager)

    page.goto(f"{base}/root-causes/")
    page.get_by_role("heading", name="Root causes").wait_for()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "root-causes")

    page.get_by_role("link", name="Label printer jams at the depot", exact=True).click()
    page.get_by_label("Status").select_option("verified")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Verifying a root cause needs a note on how the fix was checked.").wait_for()
    assert page.get_by_label("Corrective action").input_value().startswith("Replace the rollers weekly")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "root-cause")
