"""The light and the dark theme (`prefers-color-scheme`), each held to the same contrast: axe in Chromium
on the queue, a case, the dashboard and the customer's survey, with screenshots of both to look at."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from cases import workflow
from cases.follow_ups import sweep as follow_up_sweep
from cases.tests import metrics_world
from cases.tests.factories import RecoveryCaseFactory
from conftest import screenshot, serious_accessibility_violations
from feedback.tests.factories import CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The page behind everything: what each theme's --paper is (static/mend.css, static/survey/survey.css).
PAPER = {"light": "rgb(245, 247, 250)", "dark": "rgb(14, 21, 28)"}
SURVEY_PAPER = {"light": "rgb(245, 247, 246)", "dark": "rgb(14, 21, 28)"}


def background(page) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_queue_a_case_and_the_dashboard_pass_axe_in_either_theme(
    page, sign_in, settings, manager, agent, other_agent, scheme
):
    settings.TIME_ZONE = metrics_world.TIME_ZONE
    world = metrics_world.build(agent, other_agent)
    # Unassigned, so the manager's queue shows every severity badge and SLA state word as well.
    now = timezone.now()
    RecoveryCaseFactory(severity="critical")  # on track
    RecoveryCaseFactory(severity="high", sla_started_at=now - timedelta(minutes=50))  # at risk
    RecoveryCaseFactory(severity="low", followed_up=True)  # no target running
    RecoveryCaseFactory(severity="medium", on_hold_since=now)  # paused
    page.emulate_media(color_scheme=scheme)
    base = sign_in(page, manager)
    case = world.cases["D"]  # reopened by its customer: stage bar, timeline, survey answer, gesture

    for name, path in (
        ("queue", "/?show=all"),
        ("case", f"/cases/{case.reference}/"),
        ("dashboard", f"/dashboard/?from={metrics_world.FROM}&to={metrics_world.TO}"),
    ):
        page.goto(base + path)
        assert background(page) == PAPER[scheme], name
        if name == "dashboard":  # a help bubble open: light text on the card's inverse, or raised in dark
            page.locator('[data-tile="opened"] summary').click()
        screenshot(page, f"theme-{scheme}-{name}")
        assert serious_accessibility_violations(page) == [], (scheme, name)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_customers_survey_passes_axe_in_either_theme(page, live_server, agent, scheme):
    case = RecoveryCaseFactory(
        apologized=True, owner=agent, customer=CustomerFactory(email="kim@example.com")
    )
    workflow.resolve(case_id=case.pk, actor=agent, resolution="Replaced the kettle.")
    follow_up_sweep.sweep(now=case.follow_ups.get().due_at)
    (invitation,) = [m for m in mail.outbox if m.to == ["kim@example.com"]]
    link = next(line for line in invitation.body.splitlines() if "/r/" in line).strip()
    page.emulate_media(color_scheme=scheme)

    page.goto(live_server.url + link.removeprefix("http://127.0.0.1:8000"))
    page.get_by_role("radio", name="4").check()

    assert background(page) == SURVEY_PAPER[scheme]
    screenshot(page, f"theme-{scheme}-survey")
    assert serious_accessibility_violations(page) == []
