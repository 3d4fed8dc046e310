"""The queue and All cases on a 390 x 844 phone (D15): each case a card, the SLA state first, and every
column's words inside the viewport, with nothing to scroll sideways."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Severity, Stage
from cases.tests.factories import RecoveryCaseFactory
from conftest import screenshot, serious_accessibility_violations
from feedback.tests.factories import CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
# What the issue found off screen at 390 px, and the rest of the row: each must be on screen.
CELLS = ["th[scope=row]", ".customer", ".title", ".severity", ".stage", ".due", ".owner"]


@pytest.fixture
def cases(agent, other_agent):
    now = timezone.now()
    return [
        RecoveryCaseFactory(
            owner=agent,
            severity=Severity.CRITICAL,
            title="Charged twice at checkout and nobody answers the phone",
            sla_started_at=now - timedelta(hours=3),
            customer=CustomerFactory(name="Maximiliana Featherstonehaugh-Oyelaran"),
            customer_unhappy_at=now,
            is_repeat=True,
        ),
        RecoveryCaseFactory(severity=Severity.HIGH, title="Parcel crushed", stage=Stage.ACKNOWLEDGED),
        RecoveryCaseFactory(owner=agent, severity=Severity.LOW, title="Waited 50 minutes"),
    ]


def off_screen(page) -> list[str]:
    """Every cell of every row whose box is not wholly inside the viewport's width, or is not drawn."""
    return page.evaluate(
        """(cells) => {
            const width = document.documentElement.clientWidth;
            const bad = [];
            document.querySelectorAll('[data-row-list] tr.row-link').forEach((row) => {
                cells.forEach((selector) => {
                    const cell = row.querySelector(selector);
                    const box = cell && cell.getBoundingClientRect();
                    if (!box || box.width === 0 || box.left < 0 || box.right > width + 0.5) {
                        bad.push(`${row.dataset.focusKey} ${selector} ${box && [box.left, box.right]}`);
                    }
                });
            });
            return bad;
        }""",
        CELLS,
    )


def card_order(page, reference: str) -> list[str]:
    """The cells of one card from top to bottom (then left to right), by where they are drawn."""
    return page.evaluate(
        """([reference, cells]) => {
            const row = document.querySelector(`tr.row-link[data-focus-key="${reference}"]`);
            return cells
                .map((selector) => [selector, row.querySelector(selector).getBoundingClientRect()])
                .sort((a, b) => a[1].top - b[1].top || a[1].left - b[1].left)
                .map(([selector]) => selector);
        }""",
        [reference, CELLS],
    )


@pytest.mark.parametrize("path", ["/", "/cases/"])
def test_on_a_phone_each_case_is_a_card_with_the_sla_first_and_every_column_on_screen(
    page, sign_in, agent, cases, path
):
    page.set_viewport_size(PHONE)
    page.goto(sign_in(page, agent) + path)
    page.locator("tr.row-link").first.wait_for()

    assert off_screen(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    breached = cases[0]
    assert card_order(page, breached.reference)[0] == ".due"
    card = page.locator(f'tr.row-link[data-focus-key="{breached.reference}"]')
    assert card.locator(".due").inner_text().startswith("Breached")
    for words in ("Critical", "Stage New", "Owner You"):
        assert words in " ".join(card.inner_text().split()).replace("CRITICAL", "Critical")
    # The cards are still the list's rows: a tap opens the case, the box ticks it.
    assert card.locator("[data-pick]").is_visible()
    # The bulk actions wait folded until a case is ticked: the cases come first on a small screen.
    acknowledge = page.get_by_role("button", name="Acknowledge", exact=True)
    assert not acknowledge.is_visible()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "phone" + path.replace("/", "-").rstrip("-") + "-cards")
    card.locator("[data-pick]").check()
    assert acknowledge.is_visible()
    assert off_screen(page) == []
    screenshot(page, "phone" + path.replace("/", "-").rstrip("-") + "-ticked")


def test_on_a_wide_screen_the_same_markup_is_still_a_table(page, sign_in, agent, cases):
    page.goto(sign_in(page, agent) + "/")

    assert page.locator("tr.row-link").first.evaluate("row => getComputedStyle(row).display") == "table-row"
    assert not page.locator("tr.row-link .cell-label").first.is_visible()
