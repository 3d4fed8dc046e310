"""Customers at risk in Chromium: the manager's list, and the score in the case screen's customer panel."""

import pytest
from playwright.sync_api import expect

from cases import services
from cases.models import Severity
from conftest import screenshot, serious_accessibility_violations
from feedback.tests.factories import CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_managers_see_who_is_at_risk_and_agents_see_it_on_the_case(page, sign_in, manager, agent):
    hana = CustomerFactory(name="Hana High", external_id="C-HANA")
    first = services.open_case(customer=hana, title="Parcel lost", severity=Severity.CRITICAL)
    services.open_case(customer=hana, title="Refund missing", severity=Severity.HIGH)
    services.open_case(customer=CustomerFactory(name="Leo Low"), title="Slow reply", severity=Severity.LOW)

    base = sign_in(page, manager)
    page.goto(f"{base}/")
    page.get_by_role("link", name="At risk").click()
    rows = page.locator(".at-risk-list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Hana High")
    expect(rows.first.locator(".risk-score")).to_have_text("45")  # 2 failures 20, critical 15 + high 10
    expect(rows.first).to_contain_text("2 open cases, the worst critical (+25)")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "at-risk-list")

    base = sign_in(page, agent)
    page.goto(f"{base}/cases/{first.reference}/")
    expect(page.locator(".customer .at-risk")).to_contain_text("At risk: 45 of 100")
    screenshot(page, "at-risk-case-panel")
