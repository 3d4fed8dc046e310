"""The follow-up survey as a customer meets it: Debian's Chromium on the live server, no login."""

import pytest
from django.core import mail

from cases import workflow
from cases.follow_ups import sweep as follow_up_sweep
from cases.models import CaseEvent, Stage
from cases.tests.factories import RecoveryCaseFactory
from feedback.models import Channel, Feedback, Sentiment
from feedback.tests.factories import CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def case(agent):
    case = RecoveryCaseFactory(
        apologized=True, owner=agent, customer=CustomerFactory(email="kim@example.com")
    )
    workflow.resolve(case_id=case.pk, actor=agent, resolution="Replaced the kettle.")
    return case


@pytest.fixture
def link(case, live_server):
    """The survey URL from the customer's email, pointed at the live server. Signed now, so it is fresh."""
    follow_up_sweep.sweep(now=case.follow_ups.get().due_at)  # transactional: the email leaves on commit
    (invitation,) = [m for m in mail.outbox if m.to == ["kim@example.com"]]
    url = next(line for line in invitation.body.splitlines() if "/r/" in line).strip()
    return live_server.url + url.removeprefix("http://127.0.0.1:8000")


def test_a_customer_answers_poorly_in_the_browser_and_their_words_reopen_the_case(page, case, link):
    page.goto(link)
    page.get_by_role("heading", name="How did we do in putting this right?").wait_for()
    page.get_by_role("radio", name="2").check()
    page.get_by_label("Anything you would like to tell us?").fill("The new kettle leaks as well.")
    page.get_by_role("button", name="Send my answer").click()

    page.get_by_role("heading", name="Thank you").wait_for()
    assert "Your case is open again" in page.inner_text("main")
    (feedback,) = Feedback.objects.all()
    assert (feedback.channel, feedback.rating, feedback.comment, feedback.sentiment) == (
        Channel.SURVEY,
        2,
        "The new kettle leaks as well.",
        Sentiment.NEGATIVE,
    )
    assert feedback.case_id == case.pk
    assert case.follow_ups.filter(satisfaction=2, answered_at__isnull=False).count() == 1
    case.refresh_from_db()
    assert (case.stage, case.reopen_count) == (Stage.ACKNOWLEDGED, 1)
    reopened = case.events.get(kind=CaseEvent.Kind.STAGE_CHANGED, to_stage=Stage.ACKNOWLEDGED)
    assert reopened.message == "The new kettle leaks as well."


def test_a_customer_who_opens_a_used_link_sees_a_polite_page(page, case, link):
    page.goto(link)
    page.get_by_role("radio", name="5").check()
    page.get_by_role("button", name="Send my answer").click()
    page.get_by_role("heading", name="Thank you").wait_for()

    response = page.goto(link)

    assert response.status == 410
    assert page.get_by_role("heading").inner_text() == "Sorry"
    assert "already been answered" in page.inner_text("main")
    assert page.get_by_role("button").count() == 0
    assert Feedback.objects.count() == 1


def test_the_browser_will_not_send_the_survey_without_a_score(page, case, link):
    page.goto(link)
    page.get_by_label("Anything you would like to tell us?").fill("Forgot to pick.")
    page.get_by_role("button", name="Send my answer").click()

    assert page.get_by_role("radio", name="1").evaluate("radio => radio.validity.valueMissing")
    assert page.get_by_role("heading", name="How did we do in putting this right?").is_visible()
    assert not Feedback.objects.exists()


def test_the_scores_can_be_chosen_with_the_keyboard(page, case, link):
    page.goto(link)
    page.get_by_role("radio", name="1").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")

    assert page.get_by_role("radio", name="4").is_checked()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_survey_fits_the_screen_with_the_five_scores_on_one_row(page, case, link, viewport):
    page.set_viewport_size(viewport)
    page.goto(link)

    score_tops = {round(box["y"]) for box in (s.bounding_box() for s in page.locator(".scale span").all())}
    button = page.get_by_role("button", name="Send my answer").bounding_box()
    assert_only_the_card_shows(page, viewport)
    assert len(score_tops) == 1
    assert button["y"] + button["height"] <= viewport["height"]  # sendable without scrolling


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_thank_you_page_fits_the_screen(page, case, link, viewport):
    page.set_viewport_size(viewport)
    page.goto(link)
    page.get_by_role("radio", name="4").check()
    page.get_by_role("button", name="Send my answer").click()
    page.get_by_role("heading", name="Thank you").wait_for()

    assert_only_the_card_shows(page, viewport)
    assert "We have your answer" in page.inner_text("main")


def assert_only_the_card_shows(page, viewport):
    """No sideways scrolling, and no text outside the card (a stray template comment, say)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert page.inner_text("body").strip() == page.inner_text("main").strip()
