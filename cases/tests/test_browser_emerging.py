"""A manager sees a spike at /emerging/, makes it a root cause, keeps a matching rule and marks it fixed."""

import pytest

from cases.emerging import services
from cases.emerging.models import EmergingGroup
from cases.tests import emerging_world as world
from conftest import screenshot, serious_accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_turns_a_spike_into_a_watched_root_cause(page, sign_in, manager):
    world.build()
    services.run(now=world.NOW)
    group = EmergingGroup.objects.get()
    base = sign_in(page, manager)

    page.goto(f"{base}/emerging/")
    row = page.locator(f"#emerging-{group.pk}")
    assert row.locator("td").nth(2).inner_text() == "4"
    screenshot(page, "emerging")
    assert serious_accessibility_violations(page) == []

    row.get_by_label("Title").fill("Parcels arrive late")
    row.get_by_label("Category").select_option("partner")
    row.get_by_role("button", name="Create root cause").click()
    page.wait_for_url("**/root-causes/*/")
    assert page.get_by_role("heading", name="Parcels arrive late", level=1).is_visible()

    page.get_by_label("Touchpoint").fill("delivery")
    page.get_by_label("Words or phrases").fill("late parcel, arrived late")
    page.get_by_role("button", name="Add rule").click()
    page.wait_for_url("**/root-causes/*/")
    assert "late parcel, arrived late" in page.locator("ul.rules").inner_text()

    page.get_by_label("Status").select_option("fixed")
    page.get_by_label("Watch window (days)").fill("14")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/root-causes/*/")
    assert page.get_by_test_id("watch-until").is_visible()
    assert "Watch window started" in page.locator("ol.history").inner_text()
    screenshot(page, "root-cause-watched")
    assert serious_accessibility_violations(page) == []
