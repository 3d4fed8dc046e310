"""The customer's follow-up survey: a signed, expiring link per follow-up, answered once.

The link carries only the follow-up's id, signed with SECRET_KEY under its own salt (so no other
signed value of Mend can pass for it) and stamped with the moment it was made; it expires after
settings.SURVEY_LINK_MAX_AGE. "Once" is a database fact: the answer claims `FollowUp.answered_at`
with a conditional UPDATE, so of two submits at the same moment exactly one is stored.
"""

from datetime import datetime

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import events, notices, workflow
from cases.at_risk import services as at_risk
from cases.metrics import facts
from cases.models import CaseEvent, FollowUp, Notice, RecoveryCase
from cases.outbox import queue_email
from feedback import services as feedback_services
from feedback.models import Channel, Feedback
from recovery.errors import InvalidInput, SurveyUnavailable, TransitionNotAllowed
from recovery.parsing import unreadable, whole_number

SURVEY_SALT = "mend.cases.follow-up-survey"
# A poor answer (1-2 of 5) reopens the case with the customer's words.
REOPEN_AT_OR_BELOW = feedback_services.POOR_AT_OR_BELOW
MAX_COMMENT_LENGTH = 5000


def token_for(follow_up_id: int) -> str:
    return signing.dumps(follow_up_id, salt=SURVEY_SALT)


def url_for(follow_up_id: int) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("survey", args=[token_for(follow_up_id)])


def queue_invitation(follow_up: FollowUp) -> bool:
    """Email the customer the survey link, once per follow-up. False when they have no address.

    Called inside the transaction that claimed the follow-up's reminder.
    """
    case = follow_up.case
    return bool(
        queue_email(
            to=case.customer.email,
            template="follow_up_survey",
            context={"customer": case.customer, "survey_url": url_for(follow_up.pk)},
            case=case,
            dedupe_key=f"follow-up:{follow_up.pk}:survey",
        )
    )


def open_survey(token: str) -> FollowUp:
    """The follow-up `token` invites an answer for, or SurveyUnavailable saying why not."""
    try:
        follow_up_id = signing.loads(token, salt=SURVEY_SALT, max_age=settings.SURVEY_LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise SurveyUnavailable("expired") from None
    except signing.BadSignature:
        raise SurveyUnavailable("invalid") from None
    follow_up = FollowUp.objects.select_related("case__customer").filter(pk=follow_up_id).first()
    if follow_up is None:
        raise SurveyUnavailable("withdrawn")
    if follow_up.answered_at is not None:
        raise SurveyUnavailable("answered")
    return follow_up


def answer(*, token: str, rating: int | str | None, comment: str = "") -> Feedback:
    """Store the customer's one answer: as survey feedback on the case and as the follow-up's
    satisfaction. A poor answer reopens the case with the customer's words as the reason.

    Raises InvalidInput (bad rating or comment) or SurveyUnavailable; either way nothing is stored.
    """
    follow_up = open_survey(token)
    rating = _valid_rating(rating)
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT_LENGTH:
        message = f"Please keep your comment under {MAX_COMMENT_LENGTH} characters."
        raise InvalidInput(message, field="comment")
    if unreadable(comment):
        message = "Your comment contains a character we cannot store. Please retype it."
        raise InvalidInput(message, field="comment")
    case = follow_up.case
    now = timezone.now()
    with transaction.atomic():
        facts.hold_customer_of(case.pk)
        _claim(follow_up, rating=rating, now=now)
        facts.answer_recorded(follow_up)
        feedback = feedback_services.record_survey_answer(
            case=case, follow_up_id=follow_up.pk, rating=rating, comment=comment, at=now
        )
        events.record(
            case,
            CaseEvent.Kind.FOLLOW_UP,
            message=comment,
            data={
                "by": "customer",
                "satisfaction": rating,
                "follow_up": follow_up.pk,
                "feedback": feedback.pk,
            },
        )
        if rating <= REOPEN_AT_OR_BELOW:
            _reopen(case, rating=rating, comment=comment)
        at_risk.refresh(customer_id=case.customer_id)
    return feedback


def _valid_rating(rating: int | str | None) -> int:
    number = whole_number(rating)
    if number is None or not 1 <= number <= 5:
        raise InvalidInput("Please choose a score from 1 to 5.", field="rating")
    return number


def _claim(follow_up: FollowUp, *, rating: int, now: datetime) -> None:
    # On PostgreSQL a second submit waits on the first one's row lock, then finds answered_at set.
    claimed = FollowUp.objects.filter(pk=follow_up.pk, answered_at__isnull=True).update(
        answered_at=now, satisfaction=rating, done_at=follow_up.done_at or now, channel=Channel.SURVEY
    )
    if not claimed:
        raise SurveyUnavailable("answered")


def _reopen(case: RecoveryCase, *, rating: int, comment: str) -> None:
    reason = comment or f"The customer rated the recovery {rating} out of 5 in the follow-up survey."
    try:
        case = workflow.reopen_for_customer(case_id=case.pk, reason=reason)
    except TransitionNotAllowed:
        return  # already open again: the answer stands on the timeline for whoever works it
    if case.owner_id and case.owner is not None:
        notices.notify(
            [case.owner],
            kind=Notice.Kind.REOPENED,
            case=case,
            text=_("The customer reopened %(case)s: they rated the recovery %(rating)s out of 5.")
            % {"case": case.reference, "rating": rating},
            email_template="follow_up_answer_poor",
            context={"rating": rating, "comment": comment},
            dedupe_prefix=f"case:{case.pk}:reopened-by-customer:{case.reopen_count}",
        )
