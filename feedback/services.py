"""Writes of feedback rows that do not come through intake (the customer's answer to a follow-up survey)."""

from datetime import datetime

from cases.models import RecoveryCase
from feedback.models import Channel, Feedback, Sentiment

# A 1-5 survey answer: 1-2 is a poor answer, 3 indifferent, 4-5 pleased.
POOR_AT_OR_BELOW = 2


def survey_sentiment(rating: int) -> str:
    if rating <= POOR_AT_OR_BELOW:
        return Sentiment.NEGATIVE
    return Sentiment.NEUTRAL if rating == 3 else Sentiment.POSITIVE


def record_survey_answer(
    *, case: RecoveryCase, follow_up_id: int, rating: int, comment: str, at: datetime
) -> Feedback:
    """The customer's answer as survey feedback on `case`. Precondition: the answer is valid and claimed."""
    return Feedback.objects.create(
        customer_id=case.customer_id,
        channel=Channel.SURVEY,
        rating=rating,
        comment=comment,
        touchpoint="follow_up",
        occurred_at=at,
        received_at=at,
        sentiment=survey_sentiment(rating),
        case=case,
        metadata={"follow_up_id": follow_up_id},
    )
