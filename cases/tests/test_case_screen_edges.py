"""Rough edges of the case screen (issue 23): D8 the SLA box's label, D9 the comment shown once, D16
emails that wrap at their punctuation, D17 a reopened case's stage bar and resolution, D18 the icon,
D21 the nav marks the list a case was opened from."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import Client
from django.utils import timezone

from cases import workflow
from cases.tests.factories import RecoveryCaseFactory
from feedback.tests.factories import CustomerFactory, FeedbackFactory

pytestmark = pytest.mark.django_db


def page(user, url: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_sla_box_names_the_follow_up_target_as_the_stage_bar_does(agent):
    case = RecoveryCaseFactory(
        owner=agent, resolved=True, follow_up_due_at=timezone.now() + timedelta(days=3)
    )
    html = page(agent, f"/cases/{case.reference}/")

    assert '<p class="sla-label small">SLA · Follow up</p>' in html
    assert "Followup" not in html and "(follow up)" not in html


def test_the_opening_comment_shows_once_when_triage_copied_it_into_the_description(agent):
    comment = "I was charged twice for one order."
    feedback = FeedbackFactory(rating=1, comment=comment)
    case = RecoveryCaseFactory(
        owner=agent, customer=feedback.customer, originating_feedback=feedback, description=comment
    )

    html = page(agent, f"/cases/{case.reference}/")

    assert html.count(comment) == 1


def test_a_description_other_than_the_comment_still_shows(agent):
    feedback = FeedbackFactory(rating=1, comment="Charged twice.")
    case = RecoveryCaseFactory(
        owner=agent,
        customer=feedback.customer,
        originating_feedback=feedback,
        description="Phoned in: the bank shows two charges.",
    )

    html = page(agent, f"/cases/{case.reference}/")

    assert html.count("Charged twice.") == 1 and "Phoned in: the bank shows two charges." in html


def test_an_email_breaks_only_before_its_at_and_dots_and_stays_escaped():
    rendered = Template("{% load case_screen %}{{ email|email_breaks }}").render(
        Context({"email": "tom.reyes<b>@example.com"})
    )

    assert rendered == "tom<wbr>.reyes&lt;b&gt;<wbr>@example<wbr>.com"


def test_the_case_panel_wraps_the_customers_email_at_its_punctuation(agent):
    case = RecoveryCaseFactory(owner=agent, customer=CustomerFactory(email="very.long.name@example.com"))

    html = page(agent, f"/cases/{case.reference}/")

    assert (
        '<a href="mailto:very.long.name@example.com">very<wbr>.long<wbr>.name<wbr>@example<wbr>.com</a>'
        in html
    )


def test_a_case_the_customer_reopened_is_not_late_to_acknowledge_and_its_old_resolution_is_past(agent):
    case = RecoveryCaseFactory(owner=agent, followed_up=True, resolution_summary="Refunded the fee.")
    case.acknowledge_due_at = case.acknowledged_at  # long acknowledged: any new moment would be "late"
    case.save()
    workflow.reopen_for_customer(case_id=case.pk, reason="Still broken (survey 1/5).")

    html = page(agent, f"/cases/{case.reference}/")

    bar = html.split('aria-label="Progress"', 1)[1].split("</ol>", 1)[0]
    assert "reopened <time" in bar and "late" not in bar
    assert "<strong>Resolution:</strong>" not in html
    assert "<strong>Earlier resolution</strong> (before the case was reopened): Refunded the fee." in html


def test_a_resolved_case_shows_its_resolution_as_current(agent):
    case = RecoveryCaseFactory(owner=agent, resolved=True, resolution_summary="Refunded the fee.")

    html = page(agent, f"/cases/{case.reference}/")

    assert "<strong>Resolution:</strong> Refunded the fee." in html


def test_favicon_ico_leads_anyone_to_the_icon_every_page_links(client, agent):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"] == f"/{settings.STATIC_URL}favicon.svg".replace("//", "/")
    assert (Path(settings.BASE_DIR) / "static" / "favicon.svg").read_text().startswith("<svg")
    html = page(agent, "/")
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html


@pytest.mark.parametrize(
    ("opened_from", "current"),
    [("?from=queue", "My queue"), ("?from=cases", "All cases"), ("", None), ("?from=nowhere", None)],
)
def test_the_nav_marks_the_list_the_case_was_opened_from(agent, opened_from, current):
    case = RecoveryCaseFactory(owner=agent)

    html = page(agent, f"/cases/{case.reference}/{opened_from}")

    nav = html.split('aria-label="Main"', 1)[1].split("</nav>", 1)[0]
    marked = [label for label in ("My queue", "All cases") if f'aria-current="page">{label}</a>' in nav]
    assert marked == ([current] if current else [])


def test_queue_and_list_rows_say_where_the_case_was_opened_from(agent):
    case = RecoveryCaseFactory(owner=agent)

    assert f'href="/cases/{case.reference}/?from=queue"' in page(agent, "/")
    assert f'href="/cases/{case.reference}/?from=cases"' in page(agent, "/cases/")
