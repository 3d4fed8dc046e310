"""The customer's follow-up survey at /r/<token>/: signed, expiring, answered once, no login."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from cases import workflow
from cases.follow_ups import survey
from cases.follow_ups import sweep as follow_up_sweep
from cases.models import CaseEvent, FollowUp, Notification, Stage
from cases.tests.factories import RecoveryCaseFactory
from feedback.models import Channel, Feedback, Sentiment
from feedback.tests.factories import CustomerFactory
from recovery.errors import TransitionNotAllowed

pytestmark = pytest.mark.django_db

RESOLVED = "2026-11-20T10:00:00Z"
INVITED = "2026-11-23T10:00:00Z"  # medium severity: three days after resolving


@pytest.fixture
def case(agent):
    agent.email = "alice@example.com"
    agent.save()
    case = RecoveryCaseFactory(
        apologized=True, owner=agent, customer=CustomerFactory(email="kim@example.com")
    )
    with time_machine.travel(RESOLVED, tick=False):
        workflow.resolve(case_id=case.pk, actor=agent, resolution="Replaced the kettle.")
    return case


@pytest.fixture
def link(case, django_capture_on_commit_callbacks):
    """The survey path as the customer receives it, from the email the sweep sent."""
    with time_machine.travel(INVITED, tick=False), django_capture_on_commit_callbacks(execute=True):
        follow_up_sweep.sweep(now=follow_ups_due(case))
    (invitation,) = [m for m in mail.outbox if m.to == ["kim@example.com"]]
    url = next(line for line in invitation.body.splitlines() if "/r/" in line).strip()
    return url.removeprefix("http://127.0.0.1:8000")


def follow_ups_due(case):
    return case.follow_ups.get().due_at


def answer(path, moment="2026-11-24T09:00:00Z", **form):
    with time_machine.travel(moment, tick=False):
        return Client().post(path, form)


def assert_nothing_stored(case):
    follow_up = case.follow_ups.get()
    assert (follow_up.answered_at, follow_up.satisfaction, follow_up.done_at) == (None, None, None)
    assert not Feedback.objects.exists()
    assert not case.events.filter(kind=CaseEvent.Kind.FOLLOW_UP).exists()
    case.refresh_from_db()
    assert case.stage == Stage.RESOLVED


def test_the_link_in_the_customers_email_shows_the_survey_without_a_login(link):
    with time_machine.travel("2026-11-24T09:00:00Z", tick=False):
        response = Client().get(link)

    assert response.status_code == 200
    page = response.content.decode()
    assert "How did we do in putting this right?" in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert page.count('name="rating"') == 5
    assert "/static/survey/survey.css" in page
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_good_answer_is_stored_as_survey_feedback_and_as_the_follow_ups_satisfaction(case, link):
    response = answer(link, rating="4", comment="Quick and kind, thank you.")

    assert response.status_code == 200
    assert "We have your answer" in response.content.decode()
    (feedback,) = Feedback.objects.all()
    assert (feedback.channel, feedback.rating, feedback.comment) == (
        Channel.SURVEY,
        4,
        "Quick and kind, thank you.",
    )
    assert (feedback.sentiment, feedback.case, feedback.customer) == (Sentiment.POSITIVE, case, case.customer)
    follow_up = case.follow_ups.get()
    assert follow_up.satisfaction == 4
    assert follow_up.done_at.isoformat() == "2026-11-24T09:00:00+00:00"
    assert follow_up.answered_at == follow_up.done_at
    event = case.events.get(kind=CaseEvent.Kind.FOLLOW_UP)
    assert event.actor is None
    assert event.message == "Quick and kind, thank you."
    assert event.data == {
        "by": "customer",
        "satisfaction": 4,
        "follow_up": follow_up.pk,
        "feedback": feedback.pk,
    }
    case.refresh_from_db()
    assert case.stage == Stage.RESOLVED  # the owner closes the loop; a good answer reopens nothing


@pytest.mark.parametrize(
    ("rating", "sentiment", "reopens"),
    [
        ("1", Sentiment.NEGATIVE, True),
        ("2", Sentiment.NEGATIVE, True),
        ("3", Sentiment.NEUTRAL, False),
        ("4", Sentiment.POSITIVE, False),
        ("5", Sentiment.POSITIVE, False),
    ],
)
def test_the_score_sets_the_sentiment_and_one_or_two_reopens_the_case(case, link, rating, sentiment, reopens):
    answer(link, rating=rating, comment="")

    assert Feedback.objects.get().sentiment == sentiment
    case.refresh_from_db()
    assert (case.stage == Stage.ACKNOWLEDGED, case.reopen_count) == (reopens, int(reopens))


def test_a_poor_answer_reopens_the_case_with_the_customers_words_and_tells_the_owner(
    case, link, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = answer(link, rating="2", comment="The new kettle leaks as well.")

    assert "Your case is open again" in response.content.decode()
    case.refresh_from_db()
    assert case.stage == Stage.ACKNOWLEDGED
    reopened = case.events.get(
        kind=CaseEvent.Kind.STAGE_CHANGED, to_stage=Stage.ACKNOWLEDGED, from_stage=Stage.RESOLVED
    )
    assert reopened.message == "The new kettle leaks as well."
    assert reopened.actor is None
    assert reopened.data == {"action": "reopen", "by": "customer"}
    assert case.owner.username == "agent"  # still theirs
    assert case.apologize_due_at is not None and case.resolved_at is None  # fresh targets
    (to_owner,) = [m for m in mail.outbox if m.subject.endswith("reopened by the customer (2/5)")]
    assert to_owner.to == ["alice@example.com"]
    assert "The new kettle leaks as well." in to_owner.body


def test_a_poor_answer_without_words_reopens_with_the_score_as_the_reason(case, link):
    answer(link, rating="1")

    reopened = case.events.get(kind=CaseEvent.Kind.STAGE_CHANGED, to_stage=Stage.ACKNOWLEDGED)
    assert reopened.message == "The customer rated the recovery 1 out of 5 in the follow-up survey."


def test_a_used_link_shows_a_polite_page_and_stores_nothing_more(case, link):
    answer(link, rating="5", comment="Lovely.")

    again = answer(link, rating="1", comment="Changed my mind.")
    with time_machine.travel("2026-11-24T09:00:00Z", tick=False):
        looked_at = Client().get(link)

    assert again.status_code == 410
    assert "already been answered" in again.content.decode()
    assert looked_at.status_code == 410
    assert Feedback.objects.count() == 1
    assert case.follow_ups.get().satisfaction == 5
    case.refresh_from_db()
    assert case.stage == Stage.RESOLVED


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # signature changed
        lambda token: signing.dumps(999, salt=survey.SURVEY_SALT)[:-2] + token[-2:],  # another id
        lambda token: signing.dumps(int(signing.loads(token, salt=survey.SURVEY_SALT))),  # no salt
        lambda token: "not-a-token",
    ],
)
def test_a_tampered_link_is_a_bad_request_with_a_polite_page_and_stores_nothing(case, link, mangle):
    token = link.strip("/").split("/")[-1]
    path = reverse("survey", args=[mangle(token)])

    response = answer(path, rating="1", comment="Let me in.")
    with time_machine.travel("2026-11-24T09:00:00Z", tick=False):
        looked_at = Client().get(path)

    assert response.status_code == looked_at.status_code == 400
    assert "We could not read this link" in response.content.decode()
    assert_nothing_stored(case)


@pytest.mark.parametrize(
    ("moment", "status"),
    [
        ("2026-12-07T09:59:59Z", 200),  # 14 days less a second after the link was made
        ("2026-12-07T10:00:01Z", 410),
    ],
)
def test_a_link_expires_after_fourteen_days(case, link, moment, status):
    with time_machine.travel(moment, tick=False):
        assert Client().get(link).status_code == status


def test_an_expired_link_shows_a_polite_page_and_stores_nothing(case, link):
    response = answer(link, moment="2026-12-08T10:00:00Z", rating="2", comment="Too late?")

    assert response.status_code == 410
    assert "This survey link has expired" in response.content.decode()
    assert_nothing_stored(case)


def test_the_expiry_is_configurable(case, link, settings):
    settings.SURVEY_LINK_MAX_AGE = timedelta(days=1)

    assert answer(link, moment="2026-11-24T10:00:01Z", rating="4").status_code == 410
    assert_nothing_stored(case)


def test_the_link_of_a_case_reopened_meanwhile_is_withdrawn(case, link, agent):
    workflow.reopen(case_id=case.pk, actor=agent, reason="Customer phoned: still leaking.")

    response = answer(link, rating="1")

    assert response.status_code == 410
    assert "no longer open" in response.content.decode()
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("rating", [None, "", "0", "6", "abc", "4.5", "-1"])
def test_an_answer_without_a_score_from_1_to_5_is_refused_and_stores_nothing(case, link, rating):
    form = {"comment": "Hmm."} if rating is None else {"rating": rating, "comment": "Hmm."}

    response = answer(link, **form)

    assert response.status_code == 400
    page = response.content.decode()
    assert "Please choose a score from 1 to 5." in page
    assert "Hmm." in page  # the customer's words are kept in the form
    assert_nothing_stored(case)


def test_an_overlong_comment_is_refused_and_stores_nothing(case, link):
    response = answer(link, rating="3", comment="x" * (survey.MAX_COMMENT_LENGTH + 1))

    assert response.status_code == 400
    assert "Please keep your comment under" in response.content.decode()
    assert_nothing_stored(case)


def test_a_post_without_the_csrf_token_is_refused_and_stores_nothing(case, link):
    with time_machine.travel("2026-11-24T09:00:00Z", tick=False):
        response = Client(enforce_csrf_checks=True).post(link, {"rating": "1"})

    assert response.status_code == 403
    assert_nothing_stored(case)


def test_a_customer_answering_after_the_agent_followed_up_by_phone_is_still_heard(case, link, agent):
    workflow.follow_up(case_id=case.pk, actor=agent, outcome="Phoned: fine.", satisfaction=4)

    answer(link, rating="2", comment="Actually, it broke again.")

    follow_up = case.follow_ups.get()
    assert follow_up.satisfaction == 2  # the customer's own answer
    case.refresh_from_db()
    assert case.stage == Stage.ACKNOWLEDGED


def test_a_poor_answer_on_a_case_already_open_again_is_stored_without_a_second_reopen(case, agent):
    # The agent followed up (so the follow-up survives a reopen), then reopened it themselves.
    workflow.follow_up(case_id=case.pk, actor=agent, outcome="Phoned: fine.")
    workflow.reopen(case_id=case.pk, actor=agent, reason="Found another fault.")
    path = reverse("survey", args=[survey.token_for(case.follow_ups.get().pk)])

    assert Client().post(path, {"rating": "1", "comment": "Still broken."}).status_code == 200

    case.refresh_from_db()
    assert case.reopen_count == 1
    assert Feedback.objects.get().sentiment == Sentiment.NEGATIVE


def test_the_customer_reopen_path_refuses_a_case_that_is_not_resolved(agent):
    case = RecoveryCaseFactory(acknowledged=True, owner=agent)

    with pytest.raises(TransitionNotAllowed):
        workflow.reopen_for_customer(case_id=case.pk, reason="Still broken.")

    case.refresh_from_db()
    assert (case.stage, case.version, case.events.count()) == (Stage.ACKNOWLEDGED, 0, 0)


def test_the_survey_link_is_sent_once_per_follow_up(case, link):
    follow_up_sweep.sweep(now=follow_ups_due(case) + timedelta(days=2))

    assert Notification.objects.filter(template="follow_up_survey").count() == 1
    assert FollowUp.objects.count() == 1


@pytest.mark.parametrize("rating", ["²", "٣", "1.0", "99999999999999999999999"])
def test_a_rating_in_unicode_digits_or_out_of_range_answers_400_and_stores_nothing(case, link, rating):
    response = answer(link, rating=rating)

    assert response.status_code == 400
    assert "score from 1 to 5" in response.content.decode()
    assert_nothing_stored(case)


def test_a_comment_with_a_null_character_answers_400_and_stores_nothing(case, link):
    response = answer(link, rating="4", comment="fine\x00thanks")

    # Refused where every form field is read (recovery.parsing.ReadableInputMiddleware), naming it.
    assert response.status_code == 400
    assert "&#x27;comment&#x27;: Null characters" in response.content.decode()
    assert_nothing_stored(case)
